// `npm run bench`: figures, not assertions. Starts a private redis-server and the real
// dist/worker.js, then measures (1) the makespan of a burst of N one-second jobs against the ideal
// 1.0 s, (2) publish→start latency at a steady rate, (3) heap per in-flight task.
// Usage: node dist/bench.js [--jobs 10000] [--rate 500] [--seconds 4]
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { RedisServer } from '../node/redisServer';
import { decode, newJob, statusChannelFor, StatusBatch, type LifecycleEvent, type JobCreated } from '../shared/protocol';
import { ChildMessage } from '../shared/ipc';
import { check } from '../shared/protocol';
import { benchTimelineFrames } from './timelineFrames';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '10000' }, rate: { type: 'string', default: '500' }, seconds: { type: 'string', default: '4' } },
});
const N = Number(values.jobs);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const CHANNEL = 'bench';

async function main(): Promise<void> {
  const server = await RedisServer.start();
  const pub = new Redis(server.url);
  const sub = new Redis(server.url);
  const events: LifecycleEvent[] = [];
  let listeners: Array<() => void> = [];
  sub.on('message', (_c: string, raw: string) => {
    const batch = decode(StatusBatch, raw, 4 * 1024 * 1024);
    if (batch.ok) {
      events.push(...batch.value.events);
      listeners.forEach((l) => l());
    }
  });
  await sub.subscribe(statusChannelFor(CHANNEL));
  const worker = await startWorker(server.url);
  const waitFor = (done: () => boolean, timeoutMs = 120_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('benchmark timed out')), timeoutMs);
      const check = () => {
        if (done()) {
          clearTimeout(timer);
          listeners = listeners.filter((l) => l !== check);
          resolve();
        }
      };
      listeners.push(check);
      check();
    });
  const count = (type: LifecycleEvent['type'], ids: Set<string>) => events.filter((e) => e.type === type && 'jobId' in e && ids.has(e.jobId)).length;
  const publishAll = async (jobs: JobCreated[]) => {
    for (let i = 0; i < jobs.length; i += 1000) {
      const p = pub.pipeline();
      for (const job of jobs.slice(i, i + 1000)) p.publish(CHANNEL, JSON.stringify(job));
      await p.exec();
    }
  };

  try {
    console.log(`Concurrency Lab benchmark — one worker process (pid ${worker.pid}), Node ${process.version}\n`);

    // 1. Makespan of a burst.
    const burst = Array.from({ length: N }, (_, i) => newJob({ jobId: `burst-${i}`, durationMs: 1000, seq: i }));
    const ids = new Set(burst.map((j) => j.jobId));
    const t0 = Date.now();
    await publishAll(burst);
    const published = Date.now();
    await waitFor(() => count('TaskCompleted', ids) === N);
    const done = events.filter((e) => e.type === 'TaskCompleted' && ids.has(e.jobId)) as Array<Extract<LifecycleEvent, { type: 'TaskCompleted' }>>;
    const lastEnd = Math.max(...done.map((e) => e.at));
    const makespan = (lastEnd - t0) / 1000;
    console.log(`makespan: ${N} jobs of 1 s → ${makespan.toFixed(2)} s (ideal 1.00 s, ${(makespan / 1).toFixed(2)}× ideal; serial would be ${N} s)`);
    console.log(`  publishing took ${((published - t0) / 1000).toFixed(2)} s`);

    // 2. Latency at a steady rate.
    const steady: JobCreated[] = [];
    const total = RATE * SECONDS;
    const interval = 1000 / RATE;
    const start = Date.now();
    for (let i = 0; i < total; i++) {
      const due = start + i * interval;
      const wait = due - Date.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const job = newJob({ jobId: `steady-${i}`, durationMs: 50 });
      steady.push(job);
      void pub.publish(CHANNEL, JSON.stringify(job));
    }
    const steadyIds = new Set(steady.map((j) => j.jobId));
    await waitFor(() => count('TaskCompleted', steadyIds) === total);
    const latencies = (events.filter((e) => e.type === 'TaskStarted' && steadyIds.has(e.jobId)) as Array<Extract<LifecycleEvent, { type: 'TaskStarted' }>>)
      .map((e) => e.at - e.createdAt)
      .sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
    console.log(`publish→start latency at ${RATE} jobs/s for ${SECONDS} s: p50 ${q(50)} ms, p99 ${q(99)} ms, max ${latencies[latencies.length - 1]} ms`);

    // 3. Heap per in-flight task: heartbeats (every 100 ms) while N 3-second jobs are in flight.
    const beats = () => events.filter((e) => e.type === 'WorkerHeartbeat') as Array<Extract<LifecycleEvent, { type: 'WorkerHeartbeat' }>>;
    await new Promise((r) => setTimeout(r, 500));
    const idle = beats().slice(-3);
    const baseline = Math.min(...idle.map((b) => b.heapUsedBytes));
    const seen = beats().length;
    const held = Array.from({ length: N }, (_, i) => newJob({ jobId: `held-${i}`, durationMs: 3000 }));
    const heldIds = new Set(held.map((j) => j.jobId));
    await publishAll(held);
    await waitFor(() => count('TaskCompleted', heldIds) === N);
    const during = beats().slice(seen).filter((b) => b.inFlight >= N * 0.99);
    if (during.length) {
      const peak = Math.max(...during.map((b) => b.heapUsedBytes));
      const rss = Math.max(...during.map((b) => b.rssBytes));
      console.log(`heap per in-flight task: ${((peak - baseline) / N).toFixed(0)} bytes (heap ${(baseline / 1e6).toFixed(1)} MB idle → ${(peak / 1e6).toFixed(1)} MB with ${N} in flight; RSS ${(rss / 1e6).toFixed(1)} MB)`);
    } else {
      console.log('heap per in-flight task: no heartbeat arrived while all tasks were in flight');
    }
    const maxDelay = Math.max(...beats().map((b) => b.loopDelay.maxMs));
    console.log(`worst event-loop delay seen in heartbeats: ${maxDelay} ms`);

  } finally {
    await stopWorker(worker);
    pub.disconnect();
    sub.disconnect();
    await server.stop();
  }

  // 4. The timeline page drawing 10,000 tasks in Chromium.
  console.log('');
  await benchTimelineFrames();
}

function startWorker(url: string): Promise<ChildProcess> {
  const child = fork(join(__dirname, 'worker.js'), ['--redis', url, '--channel', CHANNEL, '--heartbeat', '100'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.on('message', (raw) => {
      const m = check(ChildMessage, raw);
      if (m.ok && m.value.type === 'ready') resolve(child);
      if (m.ok && m.value.type === 'initFailed') reject(new Error(m.value.error));
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

function stopWorker(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.send({ type: 'stop', timeoutMs: 5000 });
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
