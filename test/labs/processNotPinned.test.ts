// Lab 5: the worker reports the CPU core it runs on in its heartbeats.
import * as assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { runLab } from '../../src/labs/runLab';
import { processNotPinned } from '../../src/labs/experiments/processNotPinned';
import type { WorkerHeartbeat } from '../../src/shared/protocol';
import { useRedisServer } from '../support/redis';
import { dumpLogOnFailure, testLabHost, type TestLabHost } from './labHost';

describe('lab 5: one process, not pinned to a core', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let host: TestLabHost | undefined;
  dumpLogOnFailure(() => host);

  it('reports a core number in the heartbeats, and every task in one process', async function () {
    host = testLabHost(redis.url, 'lab5');
    const result = await runLab(processNotPinned, host, { params: { durationMs: 1500, heartbeatMs: 50, busyMs: 20, everyMs: 60 } });

    const beats = result.events.filter((e): e is WorkerHeartbeat => e.type === 'WorkerHeartbeat');
    assert.ok(beats.length >= 10, `${beats.length} heartbeats`);
    if (process.platform === 'linux') {
      const cores = beats.map((h) => h.cpu).filter((c): c is number => c !== null);
      assert.ok(cores.length > 0, 'a core number was reported');
      assert.ok(cores.every((c) => Number.isInteger(c) && c >= 0 && c < cpus().length), `cores ${[...new Set(cores)]}`);
    } else {
      assert.ok(beats.every((h) => h.cpu === null));
    }
    const pids = new Set(result.events.filter((e) => e.type === 'TaskStarted').map((e) => e.pid));
    assert.equal(pids.size, 1, 'one worker = one process');
    // The lab's figures are the heartbeats' own core numbers.
    const own = beats.filter((h) => h.pid === [...pids][0]).map((h) => h.cpu);
    assert.deepEqual(result.data.samples, own);
  });
});
