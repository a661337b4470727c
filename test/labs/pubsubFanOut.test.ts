// Lab 7: Pub/Sub runs every job on every worker; the Streams mode runs each job exactly once.
import * as assert from 'node:assert/strict';
import { runLab } from '../../src/labs/runLab';
import { pubsubFanOut } from '../../src/labs/experiments/pubsubFanOut';
import type { TaskStarted } from '../../src/shared/protocol';
import { useRedisServer } from '../support/redis';
import { dumpLogOnFailure, testLabHost, type TestLabHost } from './labHost';

describe('lab 7: Pub/Sub fans out', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let host: TestLabHost | undefined;
  dumpLogOnFailure(() => host);

  it('runs every job exactly twice with Pub/Sub and exactly once with Streams', async () => {
    host = testLabHost(redis.url, 'lab7');
    const result = await runLab(pubsubFanOut, host, { params: { jobs: 6, durationMs: 300, workers: 2, settleMs: 300 } });

    const online = result.events.filter((e) => e.type === 'WorkerOnline');
    const pubsubWorkers = new Set(online.filter((e) => e.type === 'WorkerOnline' && e.delivery === 'pubsub').map((e) => e.workerId));
    const streamWorkers = new Set(online.filter((e) => e.type === 'WorkerOnline' && e.delivery === 'stream').map((e) => e.workerId));
    assert.equal(pubsubWorkers.size, 2);
    assert.equal(streamWorkers.size, 2);
    const started = result.events.filter((e): e is TaskStarted => e.type === 'TaskStarted');
    const count = (workers: Set<string>) => {
      const n = new Map<string, number>();
      for (const e of started) if (workers.has(e.workerId)) n.set(e.jobId, (n.get(e.jobId) ?? 0) + 1);
      return n;
    };
    const fanOut = count(pubsubWorkers);
    const queued = count(streamWorkers);
    assert.equal(fanOut.size, 6);
    assert.ok([...fanOut.values()].every((n) => n === 2), `Pub/Sub runs per job: ${[...fanOut.values()]}`);
    assert.equal(queued.size, 6);
    assert.ok([...queued.values()].every((n) => n === 1), `Streams runs per job: ${[...queued.values()]}`);
    assert.deepEqual(result.data.pubsub.receivers, [2, 2, 2, 2, 2, 2]);
    assert.equal(result.confirmed, true);
  });
});
