// code-server (VS Code in the browser, with a Node extension host) for the workbench tests and
// for `npm start`: install it once into a cache folder outside the repo, start it on a free
// loopback port with a throw-away profile, install a .vsix, and stop it together with every
// process it started (extension host, forked workers, redis-server...).
//
// Plain JavaScript (ESM) so that `npm start` runs right after `npm ci`, before any compile step;
// the TypeScript test runner imports it too (see test/e2e/codeServer.ts for its types).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir, arch, platform } from 'node:os';
import { delimiter, dirname, join, resolve, relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
/** The @vscode/ripgrep version code-server 4.100.3 pins; its download cache folder is named after it. */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_RELEASE = 'v13.0.0-10';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where code-server lives: $CONCURRENCY_LAB_CACHE (default ~/.cache/concurrency-lab)/code-server-<version>. */
export function codeServerDir() {
  const cacheRoot = process.env.CONCURRENCY_LAB_CACHE
    ? resolve(process.env.CONCURRENCY_LAB_CACHE)
    : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'concurrency-lab');
  return join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
}

function entryOf(dir) {
  return join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, command)));
}

/**
 * The system packages the install and the tests need (Debian names). `.ci/run` and
 * scripts/setup.sh install them; here we only check and say exactly what is missing.
 * @param {{ forInstall?: boolean, forBrowser?: boolean }} [what]
 * @returns {{ name: string, apt: string, why: string }[]}
 */
export function missingSystemPackages(what = {}) {
  const missing = [];
  if (what.forInstall) {
    const krb5 = ['/usr/include/gssapi/gssapi.h', '/usr/include/gssapi.h'].some((f) => existsSync(f)) || onPath('krb5-config');
    if (!krb5) missing.push({ name: 'Kerberos headers', apt: 'libkrb5-dev', why: 'code-server builds the native module "kerberos"' });
    if (!onPath('g++') || !onPath('make')) missing.push({ name: 'C++ compiler and make', apt: 'build-essential', why: 'node-gyp builds node-pty, spdlog, kerberos' });
    if (!onPath('python3')) missing.push({ name: 'python3', apt: 'python3', why: 'node-gyp runs on Python' });
    if (!onPath('rg')) missing.push({ name: 'ripgrep', apt: 'ripgrep', why: 'seeds @vscode/ripgrep so it does not download from GitHub' });
  }
  if (what.forBrowser && !existsSync(chromiumPath())) {
    missing.push({ name: 'Chromium', apt: 'chromium', why: 'the browser the workbench tests drive' });
  }
  return missing;
}

export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

function formatMissing(missing) {
  return (
    missing.map((m) => `  - ${m.name} (${m.why})`).join('\n') +
    `\nInstall them with: sudo apt-get install -y ${[...new Set(missing.map((m) => m.apt))].join(' ')}`
  );
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache (in the OS temp folder)
 * already holds the release archive. Offline we put Debian's rg into that archive.
 */
function seedRipgrepCache(log) {
  const targets = { x64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-musl' };
  const target = platform() === 'linux' ? targets[arch()] : undefined;
  if (!target) return; // other platforms: let @vscode/ripgrep download it (needs internet)
  const cacheFolder = join(tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  const archive = join(cacheFolder, `ripgrep-${RIPGREP_RELEASE}-${target}.tar.gz`);
  if (existsSync(archive)) return;
  const rg = (process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'rg')).find((f) => isFile(f));
  if (!rg) {
    log('ripgrep (rg) is not installed: @vscode/ripgrep will try to download it from GitHub');
    return;
  }
  const pack = join(tmpdir(), `concurrency-lab-rgpack-${process.pid}`);
  mkdirSync(pack, { recursive: true });
  mkdirSync(cacheFolder, { recursive: true });
  copyFileSync(rg, join(pack, 'rg'));
  const tar = spawnSync('tar', ['czf', archive, '-C', pack, 'rg'], { stdio: 'inherit' });
  rmSync(pack, { recursive: true, force: true });
  if (tar.status !== 0) throw new Error('could not create the ripgrep cache archive with tar');
  log(`seeded the ripgrep download cache with ${rg}: ${archive}`);
}

function isFile(file) {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Files a complete install has; a missing one means a postinstall step was skipped or failed. */
function installProblems(dir) {
  const vscode = join(dir, 'node_modules', 'code-server', 'lib', 'vscode');
  const expected = [
    entryOf(dir),
    join(vscode, 'node_modules.asar'),
    join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
    join(vscode, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'),
    join(vscode, 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node'),
    join(vscode, 'extensions', 'node_modules'),
  ];
  return expected.filter((f) => !existsSync(f));
}

// npm 11 blocks the install scripts of dependencies unless a project allows them by name, and
// code-server needs them: its own postinstall runs `npm install` in lib/vscode and
// lib/vscode/extensions, which build native modules. We never touch the user's npm config: the
// cache folder's package.json allows code-server's scripts, and a project .npmrc in each nested
// folder allows theirs. (Older npm ignores both.)
const ALLOWED_SCRIPTS = {
  '.': ['code-server', 'argon2'],
  'node_modules/code-server/lib/vscode': [
    '@parcel/watcher', '@vscode/deviceid', '@vscode/ripgrep', '@vscode/spdlog', 'kerberos', 'native-watchdog', 'node-pty',
  ],
  'node_modules/code-server/lib/vscode/extensions': ['@parcel/watcher', 'esbuild'],
};

/**
 * Installs code-server into the cache folder unless a complete install is already there.
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<{ dir: string, entry: string, installed: boolean, seconds: number }>}
 */
export async function ensureCodeServer(options = {}) {
  const log = options.log ?? ((line) => console.log(`[code-server] ${line}`));
  const dir = codeServerDir();
  const marker = join(dir, '.complete');
  const started = Date.now();
  if (existsSync(marker) && installProblems(dir).length === 0) {
    return { dir, entry: entryOf(dir), installed: false, seconds: 0 };
  }
  const rel = relative(repoRoot, dir);
  if (!rel.startsWith('..') && !isAbsolute(rel)) {
    throw new Error(`the code-server cache folder must be outside the repository: ${dir}`);
  }
  const missing = missingSystemPackages({ forInstall: true });
  if (missing.some((m) => m.apt !== 'ripgrep')) {
    throw new Error(`cannot install code-server, system packages are missing:\n${formatMissing(missing)}`);
  }
  if (Number(process.versions.node.split('.')[0]) !== 20) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} needs Node 20 (this is ${process.version})`);
  }

  mkdirSync(dirname(dir), { recursive: true });
  const lock = `${dir}.lock`;
  await acquireLock(lock, log);
  try {
    if (existsSync(marker) && installProblems(dir).length === 0) {
      return { dir, entry: entryOf(dir), installed: false, seconds: 0 }; // another process finished it
    }
    log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (about a minute)...`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const allowScripts = Object.fromEntries(ALLOWED_SCRIPTS['.'].map((name) => [name, true]));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'concurrency-lab-code-server-cache', private: true, allowScripts }, null, 2));
    seedRipgrepCache(log);

    const env = {
      ...process.env,
      npm_config_yes: 'true',
      npm_config_unsafe_perm: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    };
    // node-gyp downloads Node's headers from nodejs.org unless it is pointed at local ones.
    const nodePrefix = dirname(dirname(process.execPath));
    if (!env.npm_config_nodedir && existsSync(join(nodePrefix, 'include', 'node', 'node.h'))) {
      env.npm_config_nodedir = nodePrefix;
    }
    // Step 1: unpack code-server and its own dependencies without running any script. Step 2: allow
    // the nested projects' scripts, then `npm rebuild` runs code-server's postinstall (the nested
    // installs, native builds, ripgrep from the seeded cache) and argon2's.
    await npmStep(['install', `code-server@${CODE_SERVER_VERSION}`, '--ignore-scripts', '--save-exact'], dir, env, log);
    for (const [folder, names] of Object.entries(ALLOWED_SCRIPTS)) {
      if (folder !== '.') writeFileSync(join(dir, folder, '.npmrc'), `allow-scripts=${names.join(',')}\n`);
    }
    await npmStep(['rebuild', '--foreground-scripts'], dir, env, log);
    const problems = installProblems(dir);
    if (problems.length) {
      throw new Error(`code-server installed incompletely (a postinstall step did not run); missing:\n  ${problems.join('\n  ')}`);
    }
    writeFileSync(marker, `${CODE_SERVER_VERSION}\n${new Date().toISOString()}\n`);
    const seconds = (Date.now() - started) / 1000;
    log(`code-server ${CODE_SERVER_VERSION} installed in ${seconds.toFixed(1)} s`);
    return { dir, entry: entryOf(dir), installed: true, seconds };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function npmStep(args, cwd, env, log) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  return new Promise((resolveStep, reject) => {
    const child = spawn(npm, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = [];
    const keep = (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 80) tail.shift();
        if (process.env.CONCURRENCY_LAB_VERBOSE) log(line);
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (status) => {
      if (status === 0) resolveStep();
      else reject(new Error(`npm ${args.join(' ')} (in ${cwd}) exited with ${status}; its last lines:\n${tail.join('\n')}`));
    });
  });
}

async function acquireLock(lock, log) {
  const deadline = Date.now() + 10 * 60_000;
  for (let said = false; ; ) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const owner = Number(readFileSafe(join(lock, 'pid')));
      if (owner && !alive(owner)) {
        rmSync(lock, { recursive: true, force: true }); // left behind by a killed installer
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      if (!said) log(`waiting for another code-server install (${lock})`);
      said = true;
      await sleep(1000);
    }
  }
}

function readFileSafe(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Settings of every throw-away profile: no start page, no trust prompt, no telemetry, no updates. */
export const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'git.enabled': false,
};

/**
 * Lays out a profile folder: config.yaml, user-data dir with settings.json, extensions dir.
 * @param {string} root a folder that belongs to this run
 * @param {Record<string, unknown>} settings merged over BASE_SETTINGS
 * @param {{ keepSettings?: boolean }} [options] keepSettings: leave an existing settings.json alone
 */
export function prepareProfile(root, settings = {}, options = {}) {
  const profile = {
    root,
    config: join(root, 'config.yaml'),
    userDataDir: join(root, 'ud'),
    extensionsDir: join(root, 'exts'),
    settingsFile: join(root, 'ud', 'User', 'settings.json'),
  };
  mkdirSync(dirname(profile.settingsFile), { recursive: true });
  mkdirSync(profile.extensionsDir, { recursive: true });
  writeFileSync(profile.config, 'auth: none\ncert: false\n');
  if (!(options.keepSettings && existsSync(profile.settingsFile))) {
    writeFileSync(profile.settingsFile, JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2));
  }
  return profile;
}

/**
 * Installs one or more .vsix into the profile's extensions folder with code-server's own CLI (one
 * process for all of them).
 * @param {string} entry
 * @param {ReturnType<typeof prepareProfile>} profile
 * @param {string | string[]} vsix
 */
export async function installVsix(entry, profile, vsix) {
  const files = Array.isArray(vsix) ? vsix : [vsix];
  const result = await run(process.execPath, [
    entry, '--config', profile.config, '--user-data-dir', profile.userDataDir,
    '--extensions-dir', profile.extensionsDir, ...files.flatMap((f) => ['--install-extension', f]), '--force',
  ]);
  if (result.code !== 0) throw new Error(`code-server --install-extension ${files.join(' ')} failed:\n${result.output}`);
  return result.output;
}

function run(command, args, options = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => resolveRun({ code, output }));
  });
}

/**
 * Starts code-server in its own process group and waits until GET /healthz answers.
 * @param {{
 *   entry: string, profile: ReturnType<typeof prepareProfile>, workspace?: string,
 *   host?: string, port?: number, env?: Record<string, string>, onOutput?: (line: string) => void,
 *   startTimeoutMs?: number, locale?: string,
 * }} options
 */
export async function startCodeServer(options) {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort());
  const { profile } = options;
  const args = [
    options.entry, '--config', profile.config, '--bind-addr', `${host}:${port}`, '--auth', 'none',
    '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
  ];
  // The display language; the window falls back to English unless a language pack for it is
  // registered in <user-data-dir>/languagepacks.json (see test/e2e/languagePack.ts).
  if (options.locale) args.push('--locale', options.locale);
  if (options.workspace) args.push(options.workspace);
  // detached: its own process group, so stop() reaches the extension host and everything the
  // extension forks (worker, embedded redis-server), even if code-server itself is gone.
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const lines = [];
  const forward = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      options.onOutput?.(line);
    }
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const url = `http://${host}:${port}`;
  /** Every pid seen in the process tree, so that stop() can check each one is gone. */
  const seen = new Set([child.pid]);
  const track = () => {
    for (const pid of descendants(child.pid)) seen.add(pid);
  };
  const tracker = setInterval(track, 500);
  tracker.unref();
  let stopping;
  const server = {
    url,
    host,
    port,
    pid: child.pid,
    output: lines,
    /** pids of code-server and everything below it right now. */
    processes: () => [child.pid, ...descendants(child.pid)].filter(alive),
    /** SIGTERM to the group and every descendant, SIGKILL after a grace period; resolves with survivors (should be []). */
    stop(graceMs = 3000) {
      stopping ??= (async () => {
        clearInterval(tracker);
        track();
        const pids = [...seen];
        signalAll(child.pid, pids, 'SIGTERM');
        const deadline = Date.now() + graceMs;
        while (Date.now() < deadline && pids.some(alive)) await sleep(50);
        signalAll(child.pid, pids, 'SIGKILL');
        // Anything still in the process group (forked while we were stopping) goes too.
        const end = Date.now() + 2000;
        for (;;) {
          const members = groupMembers(child.pid);
          for (const pid of members) if (!pids.includes(pid)) pids.push(pid);
          signalAll(child.pid, members, 'SIGKILL');
          if (!pids.some(alive) || Date.now() > end) break;
          await sleep(50);
        }
        return pids.filter(alive);
      })();
      return stopping;
    },
  };
  try {
    await waitForHealth(url, child, lines, options.startTimeoutMs ?? 20_000);
  } catch (error) {
    await server.stop(500);
    throw error;
  }
  return server;
}

function signalAll(groupLeader, pids, signal) {
  try {
    process.kill(-groupLeader, signal);
  } catch {
    // group already gone
  }
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

async function waitForHealth(url, child, lines, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${lines.slice(-20).join('\n')}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`);
}

/** All descendants of pid (Linux /proc; elsewhere `ps`). */
export function descendants(pid) {
  const children = new Map();
  for (const [child, parent] of processParents()) {
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(child);
  }
  const out = [];
  const queue = [pid];
  while (queue.length) {
    const next = children.get(queue.shift()) ?? [];
    out.push(...next);
    queue.push(...next);
  }
  return out;
}

/** Live (non-zombie) processes whose process group is `pgid` (Linux /proc; elsewhere none). */
export function groupMembers(pgid) {
  if (!existsSync('/proc/self/stat')) return [];
  const members = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readFileSafe(`/proc/${name}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) members.push(Number(name));
  }
  return members;
}

function processParents() {
  const pairs = [];
  if (existsSync('/proc/self/stat')) {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const stat = readFileSafe(`/proc/${name}/stat`);
      // pid (comm) state ppid ... — comm may contain spaces and parentheses
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (after.length > 1) pairs.push([Number(name), Number(after[1])]);
    }
    return pairs;
  }
  const ps = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  for (const line of ps.stdout.split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (p) pairs.push([p, pp]);
  }
  return pairs;
}
