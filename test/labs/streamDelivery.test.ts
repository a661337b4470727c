// The worker's Streams delivery mode (`--delivery stream`) against a real Redis and real worker
// processes: the work-queue guarantees the labs rely on, one by one.
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { newJob, type JobCreated, type TaskStarted } from '../../src/shared/protocol';
import { STREAM_GROUP, STREAM_JOB_FIELD, streamKeyFor } from '../../src/shared/streamDelivery';
import { publishJobs } from '../../src/node/jobPublish';
import { StatusRecorder, uniqueChannel, useRedisServer } from '../support/redis';
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from '../support/workerProcess';

const jobs = (prefix: string, n: number, durationMs: number): JobCreated[] =>
  Array.from({ length: n }, (_, i) => newJob({ jobId: `${prefix}-${i}`, durationMs, seq: i }));

describe('worker: stream delivery', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let producer: Redis;
  let recorder: StatusRecorder;
  let channel: string;
  let workers: WorkerProcess[];

  const start = async (...extra: string[]) => {
    const w = await startWorkerProcess(redis.url, channel, ['--delivery', 'stream', ...extra]);
    workers.push(w);
    return w;
  };
  const completed = () => recorder.of('TaskCompleted');
  const pendingCount = async () => Number(((await producer.call('XPENDING', streamKeyFor(channel), STREAM_GROUP)) as unknown[])[0]);

  beforeEach(async () => {
    channel = uniqueChannel('stream');
    producer = new Redis(redis.url);
    recorder = await StatusRecorder.start(redis.url, channel);
    workers = [];
  });

  afterEach(async () => {
    await Promise.all(workers.map((w) => stopWorkerProcess(w, 2000)));
    await recorder.close();
    await producer.quit();
  });

  it('runs jobs published before any worker existed', async () => {
    const published = await publishJobs(producer, channel, 'stream', jobs('early', 3, 50));
    assert.equal(published.ids.length, 3);
    assert.deepEqual(published.receivers, []);
    await start();
    await recorder.until(() => completed().length === 3, 'the 3 early jobs');
    await recorder.until(() => false, 'nothing', 300).catch(() => undefined);
    assert.equal(await pendingCount(), 0, 'every entry was acknowledged');
  });

  it('acknowledges and skips bad entries, and keeps working', async () => {
    const w = await start();
    const stream = streamKeyFor(channel);
    await producer.xadd(stream, '*', 'other', 'x');
    await producer.xadd(stream, '*', STREAM_JOB_FIELD, 'not json');
    await producer.xadd(stream, '*', STREAM_JOB_FIELD, JSON.stringify({ type: 'JobCreated', jobId: 'x', createdAt: -1 }));
    await publishJobs(producer, channel, 'stream', jobs('good', 2, 20));
    await recorder.until(() => completed().length === 2, 'the good jobs');
    await recorder.until(() => false, 'nothing', 300).catch(() => undefined);
    assert.equal(await pendingCount(), 0, 'bad entries are acknowledged, not redelivered forever');
    assert.ok(w.logs.some((l) => l.includes('has no "job" field')));
    assert.ok(w.logs.some((l) => l.includes('not JSON')));
  });

  it('with a limit, takes only as many entries as it has free slots', async () => {
    await start('--max-concurrency', '3');
    await publishJobs(producer, channel, 'stream', jobs('lim', 12, 200));
    await recorder.until(() => recorder.of('TaskStarted').length >= 3, 'the first tasks');
    const pending = await pendingCount();
    assert.ok(pending <= 3, `the worker holds ${pending} entries, not more than its 3 slots`);
    await recorder.until(() => completed().length === 12, 'all 12 tasks');
    assert.equal(recorder.of('TaskQueued').length, 0, 'nothing waits inside the worker: the backlog stays in Redis');
  });

  it('shares the entries between workers: each job runs once', async () => {
    await Promise.all([start('--max-concurrency', '2'), start('--max-concurrency', '2')]);
    await publishJobs(producer, channel, 'stream', jobs('share', 10, 100));
    await recorder.until(() => completed().length === 10, 'all 10 tasks');
    await recorder.until(() => false, 'nothing', 300).catch(() => undefined);
    const started = recorder.of('TaskStarted');
    assert.equal(started.length, 10);
    assert.equal(new Set(started.map((e) => e.jobId)).size, 10);
    assert.equal(new Set(started.map((e) => e.workerId)).size, 2, 'both workers took a share');
  });

  it('does not hand a long job of a live worker to another one (the lease is renewed)', async () => {
    const [first] = [await start('--claim-idle', '300')];
    await publishJobs(producer, channel, 'stream', [newJob({ jobId: 'long', durationMs: 1500 })]);
    await recorder.until(() => recorder.of('TaskStarted').length === 1, 'the long job to start');
    await start('--claim-idle', '300');
    await recorder.until(() => completed().length === 1, 'the long job to finish');
    await recorder.until(() => false, 'nothing', 500).catch(() => undefined);
    const started = recorder.of('TaskStarted') as TaskStarted[];
    assert.equal(started.length, 1, 'the job ran once, on its first worker');
    assert.equal(started[0].workerId, first.workerId);
  });

  it('stops in two phases: running tasks finish and are acknowledged, the consumer leaves the group', async () => {
    const w = await start();
    await publishJobs(producer, channel, 'stream', jobs('drain', 5, 400));
    await recorder.until(() => recorder.of('TaskStarted').length === 5, 'the 5 tasks to start');
    assert.equal(await stopWorkerProcess(w, 5000), 0);
    assert.equal(completed().length, 5);
    assert.equal(await pendingCount(), 0);
    const consumers = (await producer.call('XINFO', 'CONSUMERS', streamKeyFor(channel), STREAM_GROUP)) as unknown[];
    assert.equal(consumers.length, 0);
  });
});
