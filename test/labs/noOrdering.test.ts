// Lab 4: jobs published in order complete in another order (a seeded run, so it is repeatable).
import * as assert from 'node:assert/strict';
import { runLab } from '../../src/labs/runLab';
import { noOrdering, shuffledDurations } from '../../src/labs/experiments/noOrdering';
import type { TaskCompleted, TaskStarted } from '../../src/shared/protocol';
import { useRedisServer } from '../support/redis';
import { dumpLogOnFailure, testLabHost, type TestLabHost } from './labHost';

describe('lab 4: no ordering guarantee', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let host: TestLabHost | undefined;
  dumpLogOnFailure(() => host);

  it('the same seed gives the same durations', () => {
    assert.deepEqual(shuffledDurations(8, 100, 50, 7), shuffledDurations(8, 100, 50, 7));
    assert.notDeepEqual(shuffledDurations(8, 100, 50, 7), shuffledDurations(8, 100, 50, 8));
  });

  it('completes a seeded burst in an order other than the publish order', async () => {
    host = testLabHost(redis.url, 'lab4');
    const params = { jobs: 8, minMs: 100, stepMs: 60, seed: 7 };
    const result = await runLab(noOrdering, host, { params });

    const seqOf = new Map(result.events.filter((e): e is TaskStarted => e.type === 'TaskStarted').map((e) => [e.jobId, e.seq!]));
    const completion = result.events
      .filter((e): e is TaskCompleted => e.type === 'TaskCompleted')
      .map((e, arrival) => ({ seq: seqOf.get(e.jobId)!, at: e.at, arrival }))
      .sort((a, b) => a.at - b.at || a.arrival - b.arrival)
      .map((c) => c.seq);
    const published = [...completion].sort((a, b) => a - b);
    assert.equal(completion.length, 8);
    assert.notDeepEqual(completion, published, 'completion order differs from publish order');
    // The tasks finished in order of their duration, which the seed fixed.
    const durations = shuffledDurations(params.jobs, params.minMs, params.stepMs, params.seed);
    const byDuration = published.slice().sort((a, b) => durations[a] - durations[b]);
    assert.deepEqual(completion, byDuration);
    assert.deepEqual(result.data.completionOrder, completion.map((s) => s + 1));
    assert.equal(result.confirmed, true);
  });
});
