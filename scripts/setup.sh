#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks for running and testing Concurrency Lab:
# redis-server (the worker's Redis), chromium (browser tests), and for code-server (the offline VS Code
# workbench used by the end-to-end tests and `npm start`): ripgrep, libkrb5-dev, build-essential and
# python3. Skips what is there.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
# code-server builds native modules (node-pty, spdlog, kerberos) with node-gyp against Node's own headers.
{ command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1; } || need+=(build-essential)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# redis-py for the walkthrough's Python worker (media/python/worker.py) and its test.
/usr/bin/python3 -c 'import redis.asyncio' >/dev/null 2>&1 || need+=(python3-redis)
# A Japanese font, so that screenshots of the Japanese UI are readable.
dpkg -s fonts-ipafont-gothic >/dev/null 2>&1 || need+=(fonts-ipafont-gothic)
if [ ${#need[@]} -eq 0 ]; then
  echo "setup: system packages present"
  exit 0
fi
echo "setup: installing ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "setup: please install as root: apt-get install -y ${need[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: no apt-get here; install ${need[*]} with your package manager" >&2
  exit 1
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
