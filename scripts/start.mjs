// `npm start`: build and package the extension, make sure code-server is installed (once, into
// ~/.cache/concurrency-lab), install the .vsix, and serve VS Code with Concurrency Lab on
// http://127.0.0.1:<PORT>/ (default 8080). Ctrl+C stops code-server and everything it started.
//
//   npm start                      # opens this repository as the workspace
//   npm start -- /path/to/folder   # opens another folder
//   npm start -- --no-build        # reuse concurrency-lab.vsix as it is
//
// code-server runs without a password, so it only ever listens on the loopback interface.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { ensureCodeServer, installVsix, prepareProfile, startCodeServer, codeServerDir } from './codeServer.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const folder = resolve(args.find((a) => !a.startsWith('--')) ?? repoRoot);
const port = Number(process.env.PORT || 8080);
const host = '127.0.0.1';
const vsix = join(repoRoot, 'concurrency-lab.vsix');
const say = (line) => console.log(`[start] ${line}`);

function npmRun(script) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', script], { cwd: repoRoot, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolveRun() : reject(new Error(`npm run ${script} exited with ${code}`))));
  });
}

function portIsFree(p) {
  return new Promise((resolveFree) => {
    const probe = createServer();
    probe.once('error', () => resolveFree(false));
    probe.listen(p, host, () => probe.close(() => resolveFree(true)));
  });
}

async function main() {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PORT must be a port number, not "${process.env.PORT}"`);
  if (!existsSync(folder)) throw new Error(`no such folder: ${folder}`);
  if (!(await portIsFree(port))) throw new Error(`port ${port} on ${host} is in use: stop what uses it or run with PORT=<another port> npm start`);

  if (build) {
    say('building and packaging the extension...');
    await npmRun('package');
  }
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run "npm run package" (or drop --no-build)`);

  const { entry, installed } = await ensureCodeServer({ log: (l) => say(l) });
  if (!installed) say(`code-server from ${codeServerDir()}`);

  // A lasting profile next to the code-server install: settings (e.g. a Redis URL) survive restarts.
  const profileRoot = join(dirname(codeServerDir()), 'profile');
  const profile = prepareProfile(profileRoot, {}, { keepSettings: true });
  say('installing concurrency-lab.vsix...');
  await installVsix(entry, profile, vsix);

  const server = await startCodeServer({ entry, profile, workspace: folder, host, port, onOutput: (line) => process.env.CONCURRENCY_LAB_VERBOSE && console.log(`[code-server] ${line}`) });
  let stopping = false;
  const stop = async (why) => {
    if (stopping) return;
    stopping = true;
    say(`${why}: stopping code-server, its extension host, the worker and the private redis-server...`);
    const survivors = await server.stop();
    if (survivors.length) say(`still running after SIGKILL: ${survivors.join(', ')}`);
    else say('stopped; no process left behind.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl+C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));

  console.log('');
  console.log(`  Concurrency Lab is running in VS Code (code-server) at:`);
  console.log(`    ${server.url}/?folder=${encodeURIComponent(folder)}`);
  console.log('  Open the Concurrency Lab icon in the activity bar. Press Ctrl+C here to stop.');
  console.log('');

  // If code-server dies on its own, say so and leave.
  const watch = setInterval(() => {
    if (!server.processes().includes(server.pid)) {
      clearInterval(watch);
      say(`code-server exited; its last lines:\n${server.output.slice(-15).join('\n')}`);
      void stop('code-server exited');
    }
  }, 1000);
}

main().catch((error) => {
  console.error(`[start] ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
