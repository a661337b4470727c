// A cancelled lab stops its workers at once, removes its stream entries and brings back the normal
// worker; a lab that fails does the same.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import Redis from 'ioredis';
import { runLab } from '../../src/labs/runLab';
import { LabCancelledError } from '../../src/labs/errors';
import { pubsubForgets } from '../../src/labs/experiments/pubsubForgets';
import { concurrencyLimit } from '../../src/labs/experiments/concurrencyLimit';
import { streamKeyFor } from '../../src/shared/streamDelivery';
import { useRedisServer } from '../support/redis';
import { dumpLogOnFailure, testLabHost, type TestLabHost } from './labHost';

function workerChildren(): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes('worker.js'));
  } catch {
    return [];
  }
}

describe('lab cancellation and clean-up', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let host: TestLabHost | undefined;
  dumpLogOnFailure(() => host);

  it('stops every lab worker, removes the lab\'s stream entries and restores the normal worker when cancelled', async () => {
    const events: string[] = [];
    host = {
      ...testLabHost(redis.url, 'cancel'),
      suspendNormalWorker: async () => {
        events.push('suspended');
        return async () => void events.push('restored');
      },
    };
    const abort = new AbortController();
    const run = runLab(pubsubForgets, host, {
      params: { jobs: 5, durationMs: 5000, listenMs: 300, victimMs: 10_000, claimIdleMs: 5000 },
      signal: abort.signal,
      onProgress: ({ message }) => {
        // Cancel while the stream part waits for the new worker to claim the killed one's job.
        if (message.en.startsWith('Streams: starting a new worker')) setTimeout(() => abort.abort(), 300);
      },
    });
    await assert.rejects(run, LabCancelledError);
    assert.deepEqual(events, ['suspended', 'restored']);
    assert.deepEqual(workerChildren(), [], 'no lab worker is left running');
    const client = new Redis(redis.url);
    try {
      assert.equal(await client.xlen(streamKeyFor(host.channel)), 0, 'the lab\'s stream entries are gone');
    } finally {
      await client.quit();
    }
  });

  it('does not start when already cancelled, and leaves the normal worker alone', async () => {
    let suspended = false;
    host = { ...testLabHost(redis.url, 'cancel'), suspendNormalWorker: async () => ((suspended = true), async () => undefined) };
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(runLab(concurrencyLimit, host, { signal: abort.signal }), LabCancelledError);
    assert.equal(suspended, false);
  });

  it('restores the normal worker when a lab fails', async () => {
    const events: string[] = [];
    host = {
      ...testLabHost(redis.url, 'cancel'),
      workerScript: '/nonexistent/worker.js',
      suspendNormalWorker: async () => {
        events.push('suspended');
        return async () => void events.push('restored');
      },
    };
    await assert.rejects(runLab(pubsubForgets, host, {}), /exited|ready|Cannot find/);
    assert.deepEqual(events, ['suspended', 'restored']);
  });
});
