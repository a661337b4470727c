// media/python/worker.py — the chapter-style asyncio worker the walkthrough shows beside the Node
// worker — against a real redis-server and our protocol: it must take JobCreated events, run them
// concurrently, report valid StatusBatch messages, stop in two phases, and publish valid jobs.
// Needs a python3 with redis-py 4.2+ (Debian: python3-redis); skipped, saying so, without one.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { decode, JobCreated, newJob } from '../../src/shared/protocol';
import { StatusRecorder, uniqueChannel, useRedisServer } from '../support/redis';

const WORKER_PY = join(__dirname, '..', '..', '..', 'media', 'python', 'worker.py');

/** The first python3 that can import redis.asyncio, or undefined. */
function findPython(): string | undefined {
  for (const candidate of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c)) {
    try {
      execFileSync(candidate, ['-c', 'import redis.asyncio'], { stdio: 'ignore', timeout: 10_000 });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Polls a condition every 20 ms; fails after `timeoutMs` (a safety net, not a measurement). */
async function poll(done: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface PyProcess {
  readonly child: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<number | null>;
}

function startPy(python: string, args: string[]): PyProcess {
  const child = spawn(python, ['-u', WORKER_PY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

describe('worker.py, the chapter-style asyncio worker (real Redis)', function () {
  this.timeout(30_000);
  const python = findPython();
  const redis = useRedisServer();
  let channel: string;
  let recorder: StatusRecorder;
  let producer: Redis;
  const running: PyProcess[] = [];

  before(function () {
    if (!python) {
      console.warn('      skipped: no python3 with redis-py (apt-get install python3-redis)');
      this.skip();
    }
  });

  beforeEach(async () => {
    channel = uniqueChannel('workerpy');
    recorder = await StatusRecorder.start(redis.url, channel);
    producer = new Redis(redis.url);
  });

  afterEach(async () => {
    for (const p of running.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    await recorder?.close();
    await producer?.quit();
  });

  const startWorker = async () => {
    const p = startPy(python!, ['--redis', redis.url, '--channel', channel, '--stop-timeout', '10']);
    running.push(p);
    await recorder.until(() => recorder.of('WorkerOnline').length === 1, `WorkerOnline from worker.py (${p.output.join('')})`);
    // Subscribed once the worker says so on stdout.
    await recorder.until(() => p.output.join('').includes('is waiting for JobCreated'), 'the subscribe loop');
    let subscribers = 0;
    await poll(async () => (subscribers = ((await producer.pubsub('NUMSUB', channel)) as [string, number])[1]) >= 1, 'the subscription');
    assert.equal(subscribers, 1);
    return p;
  };

  it('runs a burst of JobCreated events concurrently and reports them in valid StatusBatch messages', async () => {
    await startWorker();
    const jobs = Array.from({ length: 5 }, (_, i) => newJob({ jobId: `py-${i}`, durationMs: 500, seq: i, label: `py #${i}` }));
    for (const job of jobs) await producer.publish(channel, JSON.stringify(job));
    await recorder.until(() => recorder.of('TaskCompleted').length === 5, 'five TaskCompleted');
    assert.deepEqual(recorder.rejected, [], 'every StatusBatch passes our schema');
    const started = recorder.of('TaskStarted');
    const completed = recorder.of('TaskCompleted');
    assert.deepEqual(started.map((e) => e.jobId).sort(), jobs.map((j) => j.jobId).sort());
    assert.deepEqual(started.map((e) => e.seq).sort(), [0, 1, 2, 3, 4]);
    assert.equal(started[0]!.label, 'py #0');
    // Concurrency, not a stopwatch: every job had started before the first one completed.
    assert.ok(Math.max(...started.map((e) => e.at)) < Math.min(...completed.map((e) => e.at)), 'the five waits overlapped');
    assert.equal(new Set(started.map((e) => e.pid)).size, 1, 'one process');
  });

  it('skips malformed messages and keeps going; a failing job is reported as TaskFailed', async () => {
    const p = await startWorker();
    await producer.publish(channel, 'not json');
    await producer.publish(channel, JSON.stringify({ type: 'JobCreated', jobId: '', createdAt: 1 }));
    await producer.publish(channel, JSON.stringify({ type: 'JobCreated', jobId: 'f', createdAt: 1, durationMs: 10, kind: 'fail' }));
    await producer.publish(channel, JSON.stringify(newJob({ jobId: 'ok', durationMs: 10 })));
    await recorder.until(() => recorder.of('TaskFailed').length === 1 && recorder.of('TaskCompleted').length === 1, 'one failed and one completed task');
    assert.equal(recorder.of('TaskStarted').length, 2, 'the malformed messages made no task');
    assert.match(recorder.of('TaskFailed')[0]!.error, /failed on purpose/);
    assert.match(p.output.join(''), /skipped a message that is not JSON/);
    assert.deepEqual(recorder.rejected, []);
  });

  it('stops in two phases on SIGTERM: running tasks finish, then WorkerOffline', async () => {
    const p = await startWorker();
    for (const jobId of ['a', 'b']) await producer.publish(channel, JSON.stringify(newJob({ jobId, durationMs: 1500 })));
    await recorder.until(() => recorder.of('TaskStarted').length === 2, 'two running tasks');
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
    await recorder.until(() => recorder.of('WorkerOffline').length === 1, 'WorkerOffline');
    const order = recorder.events.map((e) => e.type).filter((t) => t === 'TaskCompleted' || t === 'WorkerOffline');
    assert.deepEqual(order, ['TaskCompleted', 'TaskCompleted', 'WorkerOffline']);
    assert.equal(recorder.of('WorkerOffline')[0]!.abandoned, 0);
    // Phase 1 ended the subscription: a job published now reaches nobody.
    assert.equal(await producer.publish(channel, JSON.stringify(newJob({ jobId: 'late' }))), 0);
    assert.deepEqual(recorder.rejected, []);
  });

  it('as a producer (--publish N) sends valid JobCreated events', async () => {
    const listener = new Redis(redis.url);
    const received: string[] = [];
    listener.on('message', (_c: string, raw: string) => received.push(raw));
    await listener.subscribe(channel);
    try {
      const p = startPy(python!, ['--redis', redis.url, '--channel', channel, '--publish', '3', '--duration-ms', '250', '--kind', 'cpu']);
      running.push(p);
      assert.equal(await p.exited, 0, p.output.join(''));
      await poll(() => received.length >= 3, 'three jobs');
      const jobs = received.map((raw) => decode(JobCreated, raw));
      assert.equal(jobs.length, 3);
      for (const [i, job] of jobs.entries()) {
        assert.ok(job.ok, job.ok ? '' : job.reason);
        assert.equal(job.value.seq, i);
        assert.equal(job.value.durationMs, 250);
        assert.equal(job.value.kind, 'cpu');
      }
    } finally {
      await listener.quit();
    }
  });
});
