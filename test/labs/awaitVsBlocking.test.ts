// Lab 2: the same burst overlaps when it awaits and runs strictly one by one when it blocks.
import * as assert from 'node:assert/strict';
import { runLab } from '../../src/labs/runLab';
import { awaitVsBlocking } from '../../src/labs/experiments/awaitVsBlocking';
import type { TaskCompleted, TaskStarted } from '../../src/shared/protocol';
import { useRedisServer } from '../support/redis';
import { dumpLogOnFailure, testLabHost, type TestLabHost } from './labHost';

describe('lab 2: await hands control back, blocking does not', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let host: TestLabHost | undefined;
  dumpLogOnFailure(() => host);

  it('serialises blocking jobs, overlaps awaiting ones, and stalls the heartbeat', async () => {
    host = testLabHost(redis.url, 'lab2');
    const result = await runLab(awaitVsBlocking, host, { params: { jobs: 4, durationMs: 300, heartbeatMs: 50 } });

    const started = result.events.filter((e): e is TaskStarted => e.type === 'TaskStarted');
    const completed = new Map(result.events.filter((e): e is TaskCompleted => e.type === 'TaskCompleted').map((e) => [e.jobId, e]));
    const cpu = started.filter((e) => e.kind === 'cpu').sort((a, b) => a.at - b.at);
    const sleep = started.filter((e) => e.kind === 'sleep');
    assert.equal(cpu.length, 4);
    assert.equal(sleep.length, 4);
    // Serialisation: each blocking task starts only after the previous one spun for its whole
    // duration. (Its TaskCompleted may come later still: it is written once the loop is free.)
    for (let i = 1; i < cpu.length; i++) {
      assert.ok(cpu[i].at - cpu[i - 1].at >= 300, `cpu task ${i} started ${cpu[i].at - cpu[i - 1].at} ms after the previous one`);
    }
    for (const e of cpu) assert.ok(completed.get(e.jobId)!.at >= e.at + 300);
    // The awaiting burst overlapped: every start precedes every completion.
    const lastSleepStart = Math.max(...sleep.map((e) => e.at));
    const firstSleepEnd = Math.min(...sleep.map((e) => completed.get(e.jobId)!.at));
    assert.ok(lastSleepStart < firstSleepEnd);
    // While the loop was blocked, the heartbeat stopped: the longest gap spans more than one job.
    assert.ok(result.data.cpu.longestHeartbeatGapMs >= 300, `heartbeat gap ${result.data.cpu.longestHeartbeatGapMs}`);
    assert.equal(result.confirmed, true);
  });
});
