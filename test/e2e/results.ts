// The result contract of both workbench suites: test-results/<suite>.json shaped
// {"passed":N,"failed":N,"failures":[{title,error}]}; the overall test runner sums them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Failure {
  readonly title: string;
  readonly error: string;
}

export interface SuiteResult {
  passed: number;
  failed: number;
  failures: Failure[];
}

export function emptyResult(): SuiteResult {
  return { passed: 0, failed: 0, failures: [] };
}

export function addFailure(result: SuiteResult, title: string, error: unknown): void {
  result.failed++;
  result.failures.push({ title, error: describe(error) });
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}

export function writeResult(file: string, result: SuiteResult): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ passed: result.passed, failed: result.failed, failures: result.failures }, null, 2)}\n`);
}
