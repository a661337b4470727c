// Lab 6: blocking jobs shared by several worker processes run at the same time in different processes.
import * as assert from 'node:assert/strict';
import { runLab } from '../../src/labs/runLab';
import { parallelProcesses } from '../../src/labs/experiments/parallelProcesses';
import type { TaskCompleted, TaskStarted } from '../../src/shared/protocol';
import { useRedisServer } from '../support/redis';
import { dumpLogOnFailure, testLabHost, type TestLabHost } from './labHost';

describe('lab 6: parallelism needs several processes', function () {
  this.timeout(60_000);
  const redis = useRedisServer();
  let host: TestLabHost | undefined;
  dumpLogOnFailure(() => host);

  it('runs jobs in more than one process at the same time, each job once', async () => {
    host = testLabHost(redis.url, 'lab6');
    const result = await runLab(parallelProcesses, host, { params: { jobs: 6, durationMs: 300, processes: 2 } });

    const online = result.events.filter((e) => e.type === 'WorkerOnline');
    assert.equal(online.length, 3, '1 worker, then 2');
    const manyIds = new Set(online.slice(1).map((e) => e.workerId));
    const started = result.events.filter((e): e is TaskStarted => e.type === 'TaskStarted' && manyIds.has(e.workerId));
    const end = new Map(result.events.filter((e): e is TaskCompleted => e.type === 'TaskCompleted').map((e) => [`${e.workerId}/${e.jobId}`, e.at]));
    assert.equal(started.length, 6);
    assert.equal(new Set(started.map((e) => e.jobId)).size, 6, 'each job ran once');
    // Two tasks in different processes whose intervals overlap.
    const overlapping = started.some((a) =>
      started.some((b) => a.pid !== b.pid && a.at < end.get(`${b.workerId}/${b.jobId}`)! && b.at < end.get(`${a.workerId}/${a.jobId}`)!),
    );
    assert.ok(overlapping, 'more than one process executed jobs at the same time');
    assert.ok(result.data.maxBusyProcesses >= 2);
  });
});
