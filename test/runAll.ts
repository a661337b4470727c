// `npm test`: every suite, one after another, then one summary line `N passed, N failed`.
// Each suite writes test-results/<name>.json ({ passed, failed }); this sums them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const results = join(root, 'test-results');

interface Step {
  readonly name: string;
  readonly script: string;
  /** The result files the step writes. */
  readonly outputs: readonly string[];
}

const steps: Step[] = [
  { name: 'mocha (unit, integration, webview pages, labs)', script: 'out/test/runMocha.js', outputs: ['mocha.json'] },
  { name: 'real VS Code workbench (extension host + browser)', script: 'out/test/e2e/run.js', outputs: ['exthost.json', 'browser.json'] },
];

let passed = 0;
let failed = 0;
mkdirSync(results, { recursive: true });
for (const step of steps) {
  for (const output of step.outputs) rmSync(join(results, output), { force: true });
  console.log(`\n=== ${step.name} ===`);
  const run = spawnSync(process.execPath, [join(root, step.script)], { cwd: root, stdio: 'inherit', env: process.env });
  for (const output of step.outputs) {
    const file = join(results, output);
    if (!existsSync(file)) {
      console.error(`${step.name}: no ${output} was written (exit ${run.status ?? run.signal})`);
      failed++;
      continue;
    }
    const r = JSON.parse(readFileSync(file, 'utf8')) as { passed: number; failed: number };
    passed += r.passed;
    failed += r.failed;
  }
  if (run.status !== 0 && step.outputs.every((o) => existsSync(join(results, o)))) {
    const counted = step.outputs.map((o) => (JSON.parse(readFileSync(join(results, o), 'utf8')) as { failed: number }).failed).reduce((a, b) => a + b, 0);
    if (counted === 0) {
      console.error(`${step.name}: exited with ${run.status ?? run.signal} although it counted no failure`);
      failed++;
    }
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
