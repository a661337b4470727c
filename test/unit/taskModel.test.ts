import * as assert from 'node:assert/strict';
import { TaskModel } from '../../src/shared/taskModel';
import type { LifecycleEvent } from '../../src/shared/protocol';

const W = 'host:10:x';
const online: LifecycleEvent = { type: 'WorkerOnline', workerId: W, pid: 10, hostname: 'host', at: 1, channel: 'jobs', delivery: 'pubsub', maxConcurrency: 0 };
const started = (jobId: string, at = 10): LifecycleEvent => ({ type: 'TaskStarted', jobId, workerId: W, pid: 10, createdAt: at - 2, receivedAt: at - 1, at, kind: 'sleep', durationMs: 1000, label: `L-${jobId}`, threadId: 0 });
const completed = (jobId: string, at = 1010): LifecycleEvent => ({ type: 'TaskCompleted', jobId, workerId: W, pid: 10, startedAt: 10, at });
const failed = (jobId: string): LifecycleEvent => ({ type: 'TaskFailed', jobId, workerId: W, pid: 10, startedAt: 10, at: 20, error: 'boom' });

describe('TaskModel', () => {
  it('builds workers and tasks with their states from a batch', () => {
    const model = new TaskModel();
    model.apply([online, started('a'), started('b'), started('c'), completed('a'), failed('b')]);
    const [worker] = model.workers;
    assert.equal(worker.pid, 10);
    assert.equal(worker.state, 'online');
    assert.deepEqual({ running: worker.running, completed: worker.completed, failed: worker.failed }, { running: 1, completed: 1, failed: 1 });
    const tasks = model.tasksOf(W);
    assert.deepEqual(tasks.map((t) => [t.jobId, t.state]), [['c', 'running'], ['b', 'failed'], ['a', 'completed']]);
    assert.equal(model.task(`${W}/a`)?.label, 'L-a');
    assert.equal(model.task(`${W}/b`)?.error, 'boom');
    assert.equal(model.runningCount, 1);
  });

  it('keeps only the last N finished tasks', () => {
    const model = new TaskModel(5);
    const events: LifecycleEvent[] = [online];
    for (let i = 0; i < 20; i++) events.push(started(`j${i}`), completed(`j${i}`, 1000 + i));
    model.apply(events);
    assert.deepEqual(model.finishedTasks.map((t) => t.jobId), ['j15', 'j16', 'j17', 'j18', 'j19']);
    assert.equal(model.workers[0].completed, 20, 'the counter still counts every completion');
  });

  it('marks tasks abandoned when their worker goes offline', () => {
    const model = new TaskModel();
    model.apply([online, started('a'), { type: 'WorkerOffline', workerId: W, pid: 10, hostname: 'host', at: 50, reason: 'SIGTERM', abandoned: 1 }]);
    assert.equal(model.workers[0].state, 'offline');
    assert.equal(model.task(`${W}/a`)?.state, 'failed');
    assert.equal(model.runningCount, 0);
  });

  it('counts queued tasks under a limit and moves them to running', () => {
    const model = new TaskModel();
    model.apply([online, { type: 'TaskQueued', jobId: 'q', workerId: W, pid: 10, at: 5, createdAt: 4 }]);
    assert.equal(model.workers[0].queued, 1);
    model.apply([started('q')]);
    assert.equal(model.workers[0].queued, 0);
    assert.equal(model.workers[0].running, 1);
  });

  it('accepts a task heard of before its worker, and clear() forgets history', () => {
    const model = new TaskModel();
    model.apply([completed('late')]);
    assert.equal(model.workers.length, 1);
    assert.equal(model.finishedTasks.length, 1);
    model.clear();
    assert.equal(model.finishedTasks.length, 0);
  });

  it('fires one change per batch with its events', () => {
    const model = new TaskModel();
    const seen: number[] = [];
    model.onDidChange((e) => seen.push(e.events.length));
    model.apply([online, started('a')]);
    model.apply([]);
    assert.deepEqual(seen, [2]);
  });

  it('applies a 10,000-task burst with counts intact', () => {
    const model = new TaskModel(1000);
    const events: LifecycleEvent[] = [online];
    for (let i = 0; i < 10_000; i++) events.push(started(`b${i}`));
    model.apply(events);
    assert.equal(model.workers[0].running, 10_000);
    model.apply(Array.from({ length: 10_000 }, (_, i) => completed(`b${i}`)));
    assert.equal(model.workers[0].running, 0);
    assert.equal(model.workers[0].completed, 10_000);
    assert.equal(model.finishedTasks.length, 1000);
  });
});
