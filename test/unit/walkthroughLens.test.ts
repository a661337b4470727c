// The live lens counts over a TaskModel fed with a known batch of lifecycle events.
import * as assert from 'node:assert/strict';
import { TaskModel } from '../../src/shared/taskModel';
import type { JobKind, LifecycleEvent } from '../../src/shared/protocol';
import { CoreTracker, countLive, lensTexts, liveView, type Translate } from '../../src/extension/walkthrough/lensCounts';

const W1 = 'host:10:a';
const W2 = 'host:11:b';
const pidOf = (w: string) => (w === W1 ? 10 : 11);
const online = (workerId: string, maxConcurrency = 0): LifecycleEvent => ({ type: 'WorkerOnline', workerId, pid: pidOf(workerId), hostname: 'host', at: 1, channel: 'jobs', delivery: 'pubsub', maxConcurrency });
const offline = (workerId: string): LifecycleEvent => ({ type: 'WorkerOffline', workerId, pid: pidOf(workerId), hostname: 'host', at: 9000, reason: 'stop', abandoned: 0 });
const queued = (workerId: string, jobId: string): LifecycleEvent => ({ type: 'TaskQueued', jobId, workerId, pid: pidOf(workerId), at: 5, createdAt: 4 });
const started = (workerId: string, jobId: string, kind: JobKind = 'sleep', at = 10): LifecycleEvent => ({
  type: 'TaskStarted', jobId, workerId, pid: pidOf(workerId), createdAt: at - 2, receivedAt: at - 1, at, kind, durationMs: 1000, threadId: 0,
});
const completed = (workerId: string, jobId: string, at = 1010): LifecycleEvent => ({ type: 'TaskCompleted', jobId, workerId, pid: pidOf(workerId), startedAt: 10, at });
const failed = (workerId: string, jobId: string): LifecycleEvent => ({ type: 'TaskFailed', jobId, workerId, pid: pidOf(workerId), startedAt: 10, at: 1010, error: 'boom' });
const heartbeat = (workerId: string, at: number, cpu: number | null): LifecycleEvent => ({
  type: 'WorkerHeartbeat', workerId, pid: pidOf(workerId), hostname: 'host', at, cpu, loopDelay: { meanMs: 1, p99Ms: 1, maxMs: 1 }, inFlight: 0, queued: 0, rssBytes: 1, heapUsedBytes: 1,
});

/** A stand-in for vscode.l10n.t: fills {0}, {1}… */
const t: Translate = (message, ...args) => message.replace(/\{(\d+)\}/g, (_m, i: string) => String(args[Number(i)]));

const range = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('walkthrough live lens counts', () => {
  it('counts 37 sleeping tasks at the sleep line, and they fall as they complete', () => {
    const model = new TaskModel();
    const jobs = range(37, 's');
    model.apply([online(W1), ...jobs.map((j) => started(W1, j))]);
    let c = countLive(model);
    assert.deepEqual(c, { workersOnline: 1, inFlight: 37, running: 37, sleeping: 37, blocked: 0, failing: 0, queued: 0 });
    assert.equal(lensTexts(c, t).sleep, '37 tasks awaiting here');
    assert.equal(lensTexts(c, t).createTask, '37 tasks in flight');
    assert.equal(lensTexts(c, t).subscribe, 'waiting for messages');

    model.apply(jobs.slice(0, 30).map((j) => completed(W1, j)));
    c = countLive(model);
    assert.equal(c.sleeping, 7);
    assert.equal(lensTexts(c, t).sleep, '7 tasks awaiting here');

    model.apply(jobs.slice(30).map((j) => completed(W1, j)));
    c = countLive(model);
    assert.equal(c.inFlight, 0);
    assert.equal(lensTexts(c, t).sleep, '0 tasks awaiting here');
    assert.equal(lensTexts(c, t).createTask, '0 tasks in flight');
    assert.equal(lensTexts(c, t).block, '0 tasks blocking the event loop here');
    assert.equal(lensTexts(c, t).limiter, undefined, 'the limiter lens only when something queues');
    assert.equal(lensTexts(c, t).fail, undefined);
  });

  it('puts each kind at its own line: sleep, cpu (block), fail, and queued at the limiter', () => {
    const model = new TaskModel();
    model.apply([
      online(W1, 3),
      started(W1, 'a', 'sleep'),
      started(W1, 'b', 'cpu'),
      started(W1, 'c', 'fail'),
      queued(W1, 'd'),
      queued(W1, 'e'),
      started(W1, 'x', 'sleep'),
      completed(W1, 'x'),
    ]);
    const c = countLive(model);
    assert.deepEqual(c, { workersOnline: 1, inFlight: 5, running: 3, sleeping: 1, blocked: 1, failing: 1, queued: 2 });
    const texts = lensTexts(c, t);
    assert.equal(texts.sleep, '1 task awaiting here');
    assert.equal(texts.block, '1 task blocking the event loop here');
    assert.equal(texts.fail, '1 task awaiting here (will fail)');
    assert.equal(texts.limiter, '2 tasks queued here');

    // A queued task that starts moves from the limiter to the sleep line; a failed one leaves.
    model.apply([started(W1, 'd', 'sleep'), failed(W1, 'c'), completed(W1, 'b')]);
    assert.deepEqual(countLive(model), { workersOnline: 1, inFlight: 3, running: 2, sleeping: 2, blocked: 0, failing: 0, queued: 1 });
  });

  it('adds up several workers and leaves out the tasks of a worker that went offline', () => {
    const model = new TaskModel();
    model.apply([online(W1), online(W2), ...range(5, 'p').flatMap((j) => [started(W1, j), started(W2, j)])]);
    let c = countLive(model);
    assert.equal(c.workersOnline, 2);
    assert.equal(c.sleeping, 10);
    assert.equal(lensTexts(c, t).subscribe, '2 workers waiting for messages');
    model.apply([offline(W2)]);
    c = countLive(model);
    assert.equal(c.workersOnline, 1);
    assert.equal(c.sleeping, 5);
  });

  it('says so when no worker is online', () => {
    const model = new TaskModel();
    assert.deepEqual(lensTexts(countLive(model), t), { subscribe: 'no worker is online' });
    model.apply([online(W1), offline(W1)]);
    assert.deepEqual(lensTexts(countLive(model), t), { subscribe: 'no worker is online' });
  });

  it('collects the CPU cores the heartbeats report', () => {
    const model = new TaskModel();
    const cores = new CoreTracker();
    const events = [online(W1), heartbeat(W1, 100, 0), heartbeat(W1, 200, 1), heartbeat(W1, 300, 1), heartbeat(W1, 400, null)];
    model.apply(events);
    assert.equal(cores.observe(events), true);
    assert.deepEqual(liveView(model, cores), { workersOnline: 1, inFlight: 0, running: 0, sleeping: 0, blocked: 0, failing: 0, queued: 0, cores: [0, 1], lastCore: 1 });
    assert.equal(cores.observe([heartbeat(W1, 500, 1)]), false, 'nothing new');
    assert.equal(cores.observe([heartbeat(W1, 600, 0)]), true, 'the last core changed');
    assert.equal(liveView(model, cores).lastCore, 0);
  });
});
