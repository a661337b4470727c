// Runs the Node-side mocha suites (unit, integration, webview pages in Chromium, labs) in this
// process, writes test-results/mocha.json, and fails the run on anything left behind: a stray
// child process or an open socket after the last test.
import Mocha from 'mocha';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const outTest = join(root, 'out', 'test');
const resultsDir = join(root, 'test-results');
const SUITES = ['unit', 'integration', 'webview', 'labs'];

function testFiles(dir: string): string[] {
  let found: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found = found.concat(testFiles(path));
    else if (entry.endsWith('.test.js')) found.push(path);
  }
  return found.sort();
}

function childProcesses(): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.includes(' ps -o '));
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const countHandles = () => process.getActiveResourcesInfo().filter((h) => /TCP|Pipe|Process/.test(h));
  const before = countHandles(); // stdio pipes and the like
  const only = process.argv.slice(2);
  const suites = only.length ? only : SUITES;
  const mocha = new Mocha({ timeout: 30_000, reporter: 'spec', color: false });
  mocha.rootHooks((await import('./support/setup')).mochaHooks);
  for (const suite of suites) for (const file of testFiles(join(outTest, suite))) mocha.addFile(file);
  const files = mocha.files.map((f) => relative(root, f));
  console.log(`mocha: ${files.length} test files (${suites.join(', ')})`);
  await mocha.loadFilesAsync();
  const failures: string[] = [];
  const stats = await new Promise<{ passes: number; failures: number; pending: number }>((resolve) => {
    const runner = mocha.run(() => resolve({ passes: runner.stats?.passes ?? 0, failures: runner.stats?.failures ?? 0, pending: runner.stats?.pending ?? 0 }));
    runner.on('fail', (test, error: Error) => failures.push(`${test.fullTitle()}: ${error.message}`));
  });

  // Give closing sockets a moment, then look for anything a test left running.
  await new Promise((r) => setTimeout(r, 500));
  let leftovers = 0;
  const children = childProcesses();
  if (children.length) {
    leftovers++;
    failures.push(`processes left running after the tests: ${children.join('; ')}`);
  }
  const handles = countHandles();
  for (const h of before) handles.splice(handles.indexOf(h), 1);
  if (handles.length) {
    leftovers++;
    failures.push(`handles left open after the tests: ${handles.join(', ')}`);
  }
  for (const f of failures.slice(stats.failures)) console.error(`FAIL ${f}`);

  const result = { passed: stats.passes, failed: stats.failures + leftovers, skipped: stats.pending, failures };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'mocha.json'), JSON.stringify(result, null, 2));
  console.log(`mocha: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`);
  process.exit(result.failed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
