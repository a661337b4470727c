// The worker against a real redis-server: in-process and as the real dist/worker.js child.
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { JobWorker } from '../../src/worker/worker';
import { newJob, type JobCreated } from '../../src/shared/protocol';
import type { Logger } from '../../src/shared/log';
import { StatusRecorder, uniqueChannel, useRedisServer } from '../support/redis';
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from '../support/workerProcess';

function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => lines.push(`[${level}] ${m}`);
  return { lines, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function publish(producer: Redis, channel: string, jobs: JobCreated[]): Promise<number[]> {
  const pipeline = producer.pipeline();
  for (const job of jobs) pipeline.publish(channel, JSON.stringify(job));
  const results = (await pipeline.exec()) ?? [];
  return results.map(([, n]) => Number(n));
}

const jobs = (prefix: string, n: number, durationMs: number) => Array.from({ length: n }, (_, i) => newJob({ jobId: `${prefix}-${i}`, durationMs, seq: i }));

describe('worker (real Redis)', function () {
  this.timeout(30_000);
  const redis = useRedisServer();
  let producer: Redis;
  let recorder: StatusRecorder;
  let channel: string;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    channel = uniqueChannel('worker');
    producer = new Redis(redis.url);
    recorder = await StatusRecorder.start(redis.url, channel);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await recorder.close();
    await producer.quit();
  });

  describe('in-process JobWorker', () => {
    async function startInProcess(log = memoryLog(), maxConcurrency = 0): Promise<{ worker: JobWorker; log: ReturnType<typeof memoryLog> }> {
      const worker = new JobWorker({ redisUrl: redis.url, channel, delivery: 'pubsub', maxConcurrency, heartbeatMs: 200, batchMs: 20, log });
      await worker.start();
      cleanups.push(() => worker.stop(5000));
      return { worker, log };
    }

    it('publish → TaskStarted → TaskCompleted, with WorkerOnline and heartbeats on the status channel', async () => {
      const { worker } = await startInProcess();
      const [job] = jobs('one', 1, 50);
      assert.deepEqual(await publish(producer, channel, [job]), [1], 'exactly one subscriber received the job');
      await recorder.until(() => recorder.of('TaskCompleted').length === 1, 'the task to complete');
      const [s] = recorder.of('TaskStarted');
      const [c] = recorder.of('TaskCompleted');
      assert.equal(s.jobId, job.jobId);
      assert.equal(s.pid, process.pid);
      assert.equal(s.workerId, worker.workerId);
      assert.ok(c.at >= s.at && c.startedAt === s.at);
      await recorder.until(() => recorder.of('WorkerHeartbeat').length > 0, 'a heartbeat');
      assert.equal(recorder.of('WorkerOnline')[0]?.workerId, worker.workerId);
    });

    it('reports a failing job as TaskFailed and keeps running', async () => {
      await startInProcess();
      await publish(producer, channel, [newJob({ jobId: 'bad', durationMs: 10, kind: 'fail' }), newJob({ jobId: 'good', durationMs: 10 })]);
      await recorder.until(() => recorder.of('TaskFailed').length === 1 && recorder.of('TaskCompleted').length === 1, 'one failure and one completion');
      assert.match(recorder.of('TaskFailed')[0].error, /failed on purpose/);
    });

    it('holds at most maxConcurrency tasks running and queues the rest', async () => {
      await startInProcess(memoryLog(), 3);
      await publish(producer, channel, jobs('lim', 10, 100));
      await recorder.until(() => recorder.of('TaskCompleted').length === 10, 'all 10 tasks');
      let running = 0;
      let peak = 0;
      const timeline = [...recorder.of('TaskStarted').map((e) => ({ t: e.at, d: +1 })), ...recorder.of('TaskCompleted').map((e) => ({ t: e.at, d: -1 }))].sort((a, b) => a.t - b.t || a.d - b.d);
      for (const { d } of timeline) peak = Math.max(peak, (running += d));
      assert.equal(peak, 3);
      assert.equal(recorder.of('TaskQueued').length, 7);
    });
  });

  describe('dist/worker.js child process', () => {
    async function startChild(args: string[] = []): Promise<WorkerProcess> {
      const worker = await startWorkerProcess(redis.url, channel, args);
      cleanups.push(() => stopWorkerProcess(worker));
      return worker;
    }

    it('runs a published job and reports its lifecycle', async () => {
      const worker = await startChild();
      await publish(producer, channel, jobs('child', 1, 50));
      await recorder.until(() => recorder.of('TaskCompleted').length === 1, 'the task to complete');
      assert.equal(recorder.of('TaskStarted')[0].pid, worker.child.pid);
    });

    it('runs 100 jobs of 500 ms concurrently: every start precedes every completion', async () => {
      await startChild();
      await publish(producer, channel, jobs('burst', 100, 500));
      await recorder.until(() => recorder.of('TaskCompleted').length === 100, 'all 100 tasks');
      const starts = recorder.of('TaskStarted');
      const ends = recorder.of('TaskCompleted');
      assert.equal(new Set(starts.map((s) => s.jobId)).size, 100);
      const lastStart = Math.max(...starts.map((s) => s.at));
      const firstEnd = Math.min(...ends.map((e) => e.at));
      assert.ok(lastStart <= firstEnd, `all tasks overlap (last start ${lastStart} ≤ first completion ${firstEnd})`);
      assert.equal(new Set(starts.map((s) => s.pid)).size, 1, 'one process');
      assert.ok(starts.every((s) => s.threadId === 0), 'one thread');
    });

    it('coalesces lifecycle events into batches', async () => {
      await startChild();
      const batches: number[] = [];
      const sub = new Redis(redis.url);
      cleanups.push(() => sub.quit());
      sub.on('message', (_c: string, raw: string) => batches.push((JSON.parse(raw) as { events: unknown[] }).events.length));
      await sub.subscribe(`${channel}:status`);
      await publish(producer, channel, jobs('coalesce', 1000, 200));
      await recorder.until(() => recorder.of('TaskCompleted').length === 1000, 'all 1000 tasks');
      const taskEvents = recorder.of('TaskStarted').length + recorder.of('TaskCompleted').length;
      assert.equal(taskEvents, 2000);
      assert.ok(batches.length < 200, `2000 task events came in ${batches.length} messages, not 2000`);
    });

    it('skips bad input with a logged reason, stays up, and then runs every valid job', async () => {
      const worker = await startChild();
      const garbage = [
        '{"type":"JobCreated",',
        '{"type":"JobCreated","jobId":42,"createdAt":"yesterday"}',
        '{"type":"JobExploded","jobId":"x","createdAt":1}',
        JSON.stringify({ type: 'JobCreated', jobId: 'huge', createdAt: 1, label: 'x'.repeat(1024 * 1024) }),
        '{"type":"JobCreated","jobId":"p","createdAt":1,"__proto__":{"polluted":true}}',
      ];
      for (const g of garbage) await producer.publish(channel, g);
      const html = newJob({ jobId: 'html', durationMs: 20, label: '<img src=x onerror=alert(1)>' });
      const valid = [...jobs('after', 20, 50), html];
      await publish(producer, channel, valid);
      await recorder.until(() => recorder.of('TaskCompleted').length === valid.length, 'every valid job');
      assert.deepEqual(new Set(recorder.of('TaskCompleted').map((c) => c.jobId)), new Set(valid.map((j) => j.jobId)));
      assert.equal(recorder.of('TaskStarted').find((s) => s.jobId === 'html')?.label, '<img src=x onerror=alert(1)>');
      const log = worker.logs.join('\n');
      for (const reason of [/not JSON/, /jobId: Expected string/, /type: Invalid literal/, /too large/, /forbidden key "__proto__"/]) {
        assert.match(log, reason);
      }
      assert.equal(worker.child.exitCode, null, 'the worker is still running');
    });

    it('two-phase termination: stops taking jobs, finishes the 50 in flight, exits 0', async () => {
      const worker = await startChild();
      await publish(producer, channel, jobs('inflight', 50, 800));
      await recorder.until(() => recorder.of('TaskStarted').length === 50, '50 tasks started');
      worker.child.send({ type: 'stop', timeoutMs: 10_000 });
      // Phase 1 has begun once the worker no longer counts as a subscriber.
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && Number(((await producer.pubsub('NUMSUB', channel)) as [string, number])[1]) > 0) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const receivers = await publish(producer, channel, jobs('late', 5, 10));
      assert.deepEqual(receivers, [0, 0, 0, 0, 0], 'nobody accepts a job after the stop');
      assert.equal(await worker.exited, 0);
      assert.equal(recorder.of('TaskCompleted').filter((c) => c.jobId.startsWith('inflight')).length, 50);
      assert.equal(recorder.of('TaskStarted').filter((s) => s.jobId.startsWith('late')).length, 0);
      const offline = recorder.of('WorkerOffline');
      assert.equal(offline.length, 1);
      assert.equal(offline[0].abandoned, 0);
    });

    it('exits 0 on SIGTERM after draining', async () => {
      const worker = await startChild();
      await publish(producer, channel, jobs('term', 3, 300));
      await recorder.until(() => recorder.of('TaskStarted').length === 3, '3 tasks started');
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0);
      assert.equal(recorder.of('TaskCompleted').length, 3);
    });

    it('reports a Redis it cannot reach through the handshake', async () => {
      await assert.rejects(startWorkerProcess('redis://127.0.0.1:1', channel), /cannot connect to Redis/);
    });
  });
});
