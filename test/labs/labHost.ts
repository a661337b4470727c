// The lab host of the lab tests: a real redis-server (one per test file), a unique channel per
// test, the real dist/worker.js, and a log kept in memory (printed when a test fails).
import { join } from 'node:path';
import type { Logger } from '../../src/shared/log';
import type { LabHost } from '../../src/labs/types';
import { uniqueChannel } from '../support/redis';

export const WORKER_JS = join(__dirname, '..', '..', '..', 'dist', 'worker.js');

export interface TestLabHost extends LabHost {
  readonly lines: string[];
}

export function testLabHost(redisUrl: string, prefix: string): TestLabHost {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${new Date().toISOString()} [${level}] ${m}`);
  const log: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { workerScript: WORKER_JS, redisUrl, channel: uniqueChannel(prefix), log, lines };
}

/** Prints a failed test's lab log, which says what every worker did. */
export function dumpLogOnFailure(getHost: () => TestLabHost | undefined): void {
  afterEach(function () {
    const host = getHost();
    if (this.currentTest?.state === 'failed' && host) {
      // eslint-disable-next-line no-console
      console.log(host.lines.slice(-80).join('\n'));
    }
  });
}
