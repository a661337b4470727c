// Lab 3: without a limit every job runs at once; with maxConcurrency the running count stays bounded.
import * as assert from 'node:assert/strict';
import { runLab } from '../../src/labs/runLab';
import { concurrencyLimit } from '../../src/labs/experiments/concurrencyLimit';
import type { LifecycleEvent, WorkerHeartbeat } from '../../src/shared/protocol';
import { useRedisServer } from '../support/redis';
import { dumpLogOnFailure, testLabHost, type TestLabHost } from './labHost';

/** The most tasks of one worker running at once, from its TaskStarted/TaskCompleted events. */
function peakRunning(events: readonly LifecycleEvent[], workerId: string): number {
  const points: Array<[number, number]> = [];
  for (const e of events) {
    if (e.type === 'TaskStarted' && e.workerId === workerId) points.push([e.at, +1]);
    if (e.type === 'TaskCompleted' && e.workerId === workerId) points.push([e.at, -1]);
  }
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of points) peak = Math.max(peak, (now += d));
  return peak;
}

describe('lab 3: no concurrency limit', function () {
  this.timeout(60_000);
  const redis = useRedisServer();
  let host: TestLabHost | undefined;
  dumpLogOnFailure(() => host);

  it('bounds the in-flight count under a limit and not without one', async () => {
    host = testLabHost(redis.url, 'lab3');
    const limit = 40;
    const result = await runLab(concurrencyLimit, host, { params: { jobs: 600, durationMs: 200, limit, compareStream: true, heartbeatMs: 100 } });

    const online = result.events.filter((e) => e.type === 'WorkerOnline');
    assert.equal(online.length, 3, 'one worker per phase');
    const [free, limited, streamed] = online.map((e) => e.workerId);
    assert.ok(peakRunning(result.events, free) > limit, 'without a limit more than the limit ran at once');
    assert.ok(peakRunning(result.events, limited) <= limit, 'with a limit never more than the limit ran');
    assert.ok(peakRunning(result.events, streamed) <= limit, 'the stream worker respects the limit too');
    assert.ok(result.events.some((e) => e.type === 'TaskQueued' && e.workerId === limited), 'tasks queued behind the limit');
    // The heartbeats agree: running = held - queued never exceeds the limit.
    const beats = result.events.filter((e): e is WorkerHeartbeat => e.type === 'WorkerHeartbeat' && e.workerId === limited);
    assert.ok(beats.every((h) => h.inFlight - h.queued <= limit));
    // Every job completed in every phase.
    for (const id of [free, limited, streamed]) {
      assert.equal(result.events.filter((e) => e.type === 'TaskCompleted' && e.workerId === id).length, 600);
    }
    assert.equal(result.confirmed, true);
  });
});
