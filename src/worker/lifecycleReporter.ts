// Collects the worker's lifecycle events and publishes them in batches on the status channel:
// a burst of 10,000 tasks becomes a few dozen messages per flush interval, not 20,000 publishes.
// Also sends the heartbeat (in-flight count, event-loop delay, CPU core, memory).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type Redis from 'ioredis';
import { MAX_EVENTS_PER_BATCH, type LifecycleEvent, type StatusBatch } from '../shared/protocol';
import { errorMessage, type Logger } from '../shared/log';
import { currentCpuCore } from './cpuCore';

/** The sampling timer of the loop-delay histogram; each sample includes this interval. */
const LOOP_RESOLUTION_MS = 10;

export interface ReporterOptions {
  readonly workerId: string;
  readonly pid: number;
  readonly hostname: string;
  readonly statusChannel: string;
  readonly batchMs: number;
  readonly heartbeatMs: number;
  /** Read at every heartbeat. */
  readonly load: () => { inFlight: number; queued: number };
}

export class LifecycleReporter {
  private pending: LifecycleEvent[] = [];
  private seq = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  private flushing: Promise<void> = Promise.resolve();
  private lastHeartbeatAt = 0;
  /** Publishes that reached Redis, for the benchmark and the tests. */
  batchesPublished = 0;

  constructor(
    private readonly publisher: Redis,
    private readonly options: ReporterOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.loopDelay.enable();
    this.flushTimer = setInterval(() => void this.flush(), this.options.batchMs);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.options.heartbeatMs);
  }

  /** Queues one event; it leaves with the next flush. */
  report(event: LifecycleEvent): void {
    this.pending.push(event);
  }

  heartbeat(): void {
    const { inFlight, queued } = this.options.load();
    const histogram = this.loopDelay;
    // The histogram counts in nanoseconds and each sample includes the sampling interval itself;
    // before its first sample its mean is NaN.
    const ms = (ns: number) =>
      Number.isFinite(ns) ? Math.max(0, Math.round((ns / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100) : 0;
    // The histogram's own timer may fire after this one when the loop was stuck, and the reset
    // below would then drop the stall; the heartbeat's own lateness catches it.
    const now = Date.now();
    const late = this.lastHeartbeatAt ? Math.max(0, now - this.lastHeartbeatAt - this.options.heartbeatMs) : 0;
    this.lastHeartbeatAt = now;
    const memory = process.memoryUsage();
    this.report({
      type: 'WorkerHeartbeat',
      workerId: this.options.workerId,
      pid: this.options.pid,
      hostname: this.options.hostname,
      at: now,
      cpu: currentCpuCore(),
      loopDelay: { meanMs: ms(histogram.mean), p99Ms: ms(histogram.percentile(99)), maxMs: Math.max(ms(histogram.max), late) },
      inFlight,
      queued,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
    });
    histogram.reset();
  }

  /** Publishes everything queued so far, in order. Flushes never overlap. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.publishPending());
    return this.flushing;
  }

  /** Stops the timers and publishes what is left. Safe to call twice. */
  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.heartbeatTimer);
    this.flushTimer = this.heartbeatTimer = undefined;
    this.loopDelay.disable();
    await this.flush();
  }

  private async publishPending(): Promise<void> {
    if (this.pending.length === 0) {
      return;
    }
    const events = this.pending;
    this.pending = [];
    for (let i = 0; i < events.length; i += MAX_EVENTS_PER_BATCH) {
      const batch: StatusBatch = {
        type: 'StatusBatch',
        workerId: this.options.workerId,
        seq: this.seq++,
        events: events.slice(i, i + MAX_EVENTS_PER_BATCH),
      };
      try {
        await this.publisher.publish(this.options.statusChannel, JSON.stringify(batch));
        this.batchesPublished++;
      } catch (error) {
        this.log.warn(`could not publish ${batch.events.length} lifecycle events: ${errorMessage(error)}`);
      }
    }
  }
}
