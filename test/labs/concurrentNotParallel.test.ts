// Lab 1 against a real Redis and a real worker process: the jobs overlap on one process and thread.
import * as assert from 'node:assert/strict';
import { runLab } from '../../src/labs/runLab';
import { concurrentNotParallel } from '../../src/labs/experiments/concurrentNotParallel';
import { taskRuns } from '../../src/labs/analysis';
import { useRedisServer } from '../support/redis';
import { dumpLogOnFailure, testLabHost, type TestLabHost } from './labHost';

describe('lab 1: concurrent, not parallel', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let host: TestLabHost | undefined;
  dumpLogOnFailure(() => host);

  it('runs every job at the same time in one process on the main thread', async () => {
    host = testLabHost(redis.url, 'lab1');
    const result = await runLab(concurrentNotParallel, host, { params: { jobs: 8, durationMs: 400 } });

    const started = result.events.filter((e) => e.type === 'TaskStarted');
    const completed = result.events.filter((e) => e.type === 'TaskCompleted');
    assert.equal(started.length, 8);
    assert.equal(completed.length, 8);
    // Overlap: every start precedes every completion.
    const lastStart = Math.max(...started.map((e) => e.at));
    const firstFinish = Math.min(...completed.map((e) => e.at));
    assert.ok(lastStart < firstFinish, `last start ${lastStart} is before first completion ${firstFinish}`);
    assert.equal(new Set(started.map((e) => e.pid)).size, 1, 'one process');
    assert.deepEqual([...new Set(started.map((e) => (e.type === 'TaskStarted' ? e.threadId : -1)))], [0], 'main thread only');
    assert.equal(taskRuns(result.events).length, 8);
    assert.equal(result.confirmed, true);
    assert.equal(result.data.maxRunning, 8);
  });
});
