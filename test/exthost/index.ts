// The extension-host test entry: VS Code loads this module (extensionTestsPath) inside the
// extension host and awaits `run()`. The same module serves code-server (test/e2e/run.ts) and
// @vscode/test-electron (test/exthost/runElectron.ts). Every `*.test.js` below this folder is a suite.
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Mocha from 'mocha';

export interface SuiteResult {
  passed: number;
  failed: number;
  failures: { title: string; error: string }[];
}

/** Where to write the result (set by the launcher); the result is also printed as one log line. */
export const RESULTS_ENV = 'CONCURRENCY_LAB_EXTHOST_RESULTS';
export const RESULT_LINE_PREFIX = 'CONCURRENCY_LAB_EXTHOST_RESULT ';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.CONCURRENCY_LAB_EXTHOST_GREP;
  if (grep) mocha.grep(grep);
  // `*.last.test.js` (deactivation) run after everything else.
  const files = testFiles(__dirname);
  const isLast = (f: string) => f.endsWith('.last.test.js');
  for (const file of [...files.filter((f) => !isLast(f)), ...files.filter(isLast)]) mocha.addFile(file);

  const result: SuiteResult = { passed: 0, failed: 0, failures: [] };
  return new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const path = process.env[RESULTS_ENV];
      if (path) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, JSON.stringify(result, null, 2));
      }
      console.log(RESULT_LINE_PREFIX + JSON.stringify(result));
      if (failures > 0 || result.failed > 0) reject(new Error(`${result.failed} extension-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', () => result.passed++);
    runner.on('fail', (test, error: Error) => {
      result.failed++;
      result.failures.push({ title: test.fullTitle(), error: error?.stack ?? String(error) });
    });
  });
}

function testFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...testFiles(path));
    else if (entry.name.endsWith('.test.js')) files.push(path);
  }
  return files;
}
