// The job worker: the Node twin of the chapter's asyncio worker (worker.py).
// The guided walkthrough shows this file to the learner and anchors its steps on the
// `lesson:` markers below, so keep each marker on the line it names.
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import Redis from 'ioredis';
import { decode, JobCreated, statusChannelFor, type Delivery } from '../shared/protocol';
import { errorMessage, preview, redactUrl, type Logger } from '../shared/log';
import { DEFAULT_CLAIM_IDLE_MS, STREAM_GROUP, streamKeyFor } from '../shared/streamDelivery';
import { LifecycleReporter } from './lifecycleReporter';
import { Semaphore } from './semaphore';
import { StreamSource } from './streamSource';

export interface WorkerOptions {
  readonly redisUrl: string;
  readonly password?: string;
  /** The job channel; lifecycle events go to `<channel>:status`. */
  readonly channel: string;
  readonly delivery: Delivery;
  /** 0 = no limit, as in the chapter. */
  readonly maxConcurrency: number;
  readonly heartbeatMs: number;
  readonly batchMs: number;
  /** Stream delivery: a pending job idle this long at another worker is taken over. */
  readonly claimIdleMs?: number;
  readonly log: Logger;
}

export interface StopResult {
  readonly completed: boolean;
  readonly abandoned: number;
}

export class JobWorker {
  readonly workerId: string;
  readonly pid = process.pid;
  readonly hostname = hostname();

  // One connection only waits for messages; a connection in subscriber mode cannot publish,
  // so lifecycle reports go through a second one.
  private readonly subscriber: Redis;
  private readonly publisher: Redis;
  private readonly reporter: LifecycleReporter;
  // Strong references to every running task (the twin of keeping asyncio tasks in a set).
  private readonly inFlight = new Set<Promise<void>>();
  private readonly limiter: Semaphore | undefined;
  // Only with `delivery: stream` (see streamSource.ts); the chapter's worker uses Pub/Sub.
  private readonly stream: StreamSource | undefined;
  private accepting = false;
  private stopping: Promise<StopResult> | undefined;

  constructor(private readonly options: WorkerOptions) {
    this.workerId = `${this.hostname}:${this.pid}:${Date.now().toString(36)}`;
    const connect = { password: options.password, lazyConnect: true, retryStrategy: (times: number) => Math.min(times * 200, 2000) };
    this.subscriber = new Redis(options.redisUrl, { ...connect, connectionName: 'concurrency-lab:worker:sub' });
    this.publisher = new Redis(options.redisUrl, { ...connect, connectionName: 'concurrency-lab:worker:pub' });
    for (const connection of [this.subscriber, this.publisher]) {
      connection.on('error', (error: Error) => options.log.warn(`redis: ${error.message}`));
    }
    this.limiter = options.maxConcurrency > 0 ? new Semaphore(options.maxConcurrency) : undefined;
    if (options.delivery === 'stream') {
      this.stream = new StreamSource(this.subscriber, this.publisher, {
        stream: streamKeyFor(options.channel),
        group: STREAM_GROUP,
        consumer: this.workerId,
        claimIdleMs: options.claimIdleMs ?? DEFAULT_CLAIM_IDLE_MS,
        // With a limit, take only what can start now; the rest waits in Redis for any worker.
        capacity: () => (options.maxConcurrency > 0 ? options.maxConcurrency - this.inFlight.size : Infinity),
        log: options.log,
      });
    }
    this.reporter = new LifecycleReporter(
      this.publisher,
      {
        workerId: this.workerId,
        pid: this.pid,
        hostname: this.hostname,
        statusChannel: statusChannelFor(options.channel),
        batchMs: options.batchMs,
        heartbeatMs: options.heartbeatMs,
        load: () => ({ inFlight: this.inFlight.size, queued: this.limiter?.waiting ?? 0 }),
      },
      options.log,
    );
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Connects, subscribes and reports the worker online. Rejects if Redis cannot be reached. */
  async start(): Promise<void> {
    const { channel, log } = this.options;
    try {
      await Promise.all([this.subscriber.connect(), this.publisher.connect()]);
    } catch (error) {
      this.subscriber.disconnect();
      this.publisher.disconnect();
      throw new Error(`cannot connect to Redis at ${redactUrl(this.options.redisUrl)}: ${errorMessage(error)}`);
    }
    this.reporter.report({
      type: 'WorkerOnline',
      workerId: this.workerId,
      pid: this.pid,
      hostname: this.hostname,
      at: Date.now(),
      channel,
      delivery: this.options.delivery,
      maxConcurrency: this.options.maxConcurrency,
    });
    this.reporter.start();
    this.reporter.heartbeat();

    if (this.stream) {
      await this.stream.prepare();
      this.accepting = true;
      this.stream.run((raw, ack) => this.onMessage(raw, ack));
      log.info(`worker ${this.workerId} is waiting for JobCreated in stream "${streamKeyFor(channel)}" (group "${STREAM_GROUP}")`);
      return;
    }
    // lesson:subscribe — wait for work: nothing runs here until a message arrives
    this.subscriber.on('message', (_channel: string, raw: string) => this.onMessage(raw));
    await this.subscriber.subscribe(channel);
    this.accepting = true;
    log.info(`worker ${this.workerId} is waiting for JobCreated on "${channel}"`);
  }

  // lesson:receive — one message from the channel: check it, then hand it to its own task
  private onMessage(raw: string, ack: () => void = noAck): void {
    if (!this.accepting) {
      return;
    }
    const receivedAt = Date.now();
    const decoded = decode(JobCreated, raw);
    if (!decoded.ok) {
      this.options.log.warn(`skipped a message: ${decoded.reason} — ${preview(raw)}`);
      ack();
      return;
    }
    // lesson:create-task — schedule handleEvent and do not await it (asyncio.create_task)
    const task = createTask(() => this.handleEvent(decoded.value, receivedAt));
    this.inFlight.add(task);
    void task.finally(() => {
      this.inFlight.delete(task);
      ack();
    });
  }

  // lesson:handle-event — one job's whole life; it never rejects, so no failure can kill the process
  private async handleEvent(job: JobCreated, receivedAt: number): Promise<void> {
    const { jobId } = job;
    const task = { jobId, workerId: this.workerId, pid: this.pid };
    try {
      if (this.limiter) {
        if (this.limiter.full) {
          this.reporter.report({ type: 'TaskQueued', ...task, at: Date.now(), createdAt: job.createdAt });
        }
        await this.limiter.acquire();
      }
      const startedAt = Date.now();
      this.reporter.report({
        type: 'TaskStarted',
        ...task,
        createdAt: job.createdAt,
        receivedAt,
        at: startedAt,
        kind: job.kind,
        durationMs: job.durationMs,
        label: job.label,
        seq: job.seq,
        threadId,
      });
      try {
        await this.executeJob(job);
        this.reporter.report({ type: 'TaskCompleted', ...task, startedAt, at: Date.now() });
      } catch (error) {
        this.reporter.report({ type: 'TaskFailed', ...task, startedAt, at: Date.now(), error: errorMessage(error).slice(0, 1000) });
      } finally {
        this.limiter?.release();
      }
    } catch (error) {
      this.options.log.error(`task ${jobId} broke outside its job: ${errorMessage(error)}`);
    }
  }

  // lesson:execute-job — the job itself
  private async executeJob(job: JobCreated): Promise<void> {
    switch (job.kind) {
      case 'sleep':
        // lesson:await-sleep — control goes back to the event loop until the timer fires
        await sleep(job.durationMs);
        return;
      case 'cpu':
        // lesson:block — busy work with no await: the event loop is stuck until it ends
        blockFor(job.durationMs);
        return;
      case 'fail':
        await sleep(job.durationMs);
        throw new Error(`job ${job.jobId} failed on purpose`);
    }
  }

  // lesson:two-phase-termination — stop taking work first, then let running tasks finish
  stop(timeoutMs: number, reason = 'stop requested'): Promise<StopResult> {
    this.stopping ??= this.twoPhaseStop(timeoutMs, reason);
    return this.stopping;
  }

  private async twoPhaseStop(timeoutMs: number, reason: string): Promise<StopResult> {
    const { log } = this.options;
    // Phase 1: accept no new job.
    this.accepting = false;
    if (this.stream) {
      await this.stream.stop();
    } else {
      await this.subscriber.unsubscribe().catch((error: unknown) => log.warn(`unsubscribe failed: ${errorMessage(error)}`));
    }
    log.info(`stopping (${reason}): no new jobs; waiting for ${this.inFlight.size} running task(s), up to ${timeoutMs} ms`);

    // Phase 2: wait for the tasks in flight, up to the timeout.
    let timer: NodeJS.Timeout | undefined;
    const completed = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    const abandoned = this.inFlight.size;
    if (!completed) {
      log.warn(`stop timeout: abandoning ${abandoned} running task(s)`);
    }
    await this.stream?.close();
    this.reporter.report({
      type: 'WorkerOffline',
      workerId: this.workerId,
      pid: this.pid,
      hostname: this.hostname,
      at: Date.now(),
      reason,
      abandoned,
    });
    await this.reporter.stop();
    await Promise.allSettled([this.subscriber.quit(), this.publisher.quit()]);
    log.info(`worker ${this.workerId} is offline`);
    return { completed, abandoned };
  }
}

/** Pub/Sub has nothing to acknowledge; a stream entry stays pending until its task has ended. */
function noAck(): void {}

/**
 * The twin of `asyncio.create_task`: the task starts on a later turn of the event loop, not inside
 * the caller. So a burst of messages first becomes a row of scheduled tasks, and a task that blocks
 * finishes (and reports it) before the next one begins.
 */
function createTask(run: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => setImmediate(() => resolve(run())));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function blockFor(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spin: nothing else on this thread can run meanwhile
  }
}
