// Everything one lab run holds: its Redis connections, the status recorder, the worker processes
// it started, the stream entries it wrote. `dispose()` gives all of it back, whatever happened.
import Redis from 'ioredis';
import { newJob, statusChannelFor, type Delivery, type JobCreated, type JobKind, type StatusBatch } from '../shared/protocol';
import { STREAM_GROUP, streamKeyFor } from '../shared/streamDelivery';
import { errorMessage } from '../shared/log';
import { publishJobs, type PublishedJobs } from '../node/jobPublish';
import { taskRuns, type TaskRun } from './analysis';
import { LabCancelledError, labSleep, throwIfAborted } from './errors';
import { LabWorker, type LabWorkerOptions } from './labWorker';
import { StatusRecorder } from './statusRecorder';
import type { Text } from './text';
import type { LabHost, LabProgress } from './types';

export interface JobSpec {
  readonly durationMs: number;
  readonly kind?: JobKind;
  /** Per-job durations (overrides `durationMs`), e.g. for the ordering lab. */
  readonly durations?: readonly number[];
  /** Label text; ` #n` is appended. */
  readonly label?: string;
}

/** How long a lab waits for an answer beyond what the jobs should take (a safety net, not a measure). */
export const WAIT_MARGIN_MS = 15_000;

export class LabSession {
  private publisher: Redis | undefined;
  private _recorder: StatusRecorder | undefined;
  private readonly workers: LabWorker[] = [];
  private readonly killed: LabWorker[] = [];
  private readonly streamIds: string[] = [];
  private jobCounter = 0;
  private readonly stamp = Date.now().toString(36);

  constructor(
    readonly host: LabHost,
    readonly labNumber: number,
    readonly signal: AbortSignal | undefined,
    private readonly onProgress?: (progress: LabProgress) => void,
  ) {}

  get channel(): string {
    return this.host.channel;
  }

  get recorder(): StatusRecorder {
    if (!this._recorder) throw new Error('the lab session is not open');
    return this._recorder;
  }

  /** The lab's producer connection (PUBLISH, XADD, and questions such as XLEN or XPENDING). */
  get redis(): Redis {
    if (!this.publisher) throw new Error('the lab session is not open');
    return this.publisher;
  }

  async open(): Promise<void> {
    this.publisher = await this.connect('lab:publisher');
    this._recorder = await StatusRecorder.start(await this.connect('lab:status'), this.channel, this.host.log);
  }

  progress(message: Text, fraction?: number): void {
    this.onProgress?.({ message, fraction });
  }

  checkCancelled(): void {
    throwIfAborted(this.signal);
  }

  sleep(ms: number): Promise<void> {
    return labSleep(ms, this.signal);
  }

  /** Forks a dist/worker.js on the lab's channel and waits until it is ready for jobs. */
  async startWorker(options: LabWorkerOptions = {}): Promise<LabWorker> {
    this.checkCancelled();
    const worker = await LabWorker.start(
      { workerScript: this.host.workerScript, redisUrl: this.host.redisUrl, password: this.host.password, channel: this.channel, log: this.host.log },
      { batchMs: 20, ...options },
    );
    this.workers.push(worker);
    if (this.signal?.aborted) throw new LabCancelledError();
    return worker;
  }

  startWorkers(n: number, options: LabWorkerOptions = {}): Promise<LabWorker[]> {
    return Promise.all(Array.from({ length: n }, () => this.startWorker(options)));
  }

  async stopWorkers(workers: readonly LabWorker[], timeoutMs = 5000): Promise<void> {
    await Promise.all(workers.map((w) => w.stop(timeoutMs)));
  }

  /**
   * Kills a worker as a crash would (SIGKILL: no offline report, tasks abandoned). The lab then
   * says so on the status channel in the worker's stead, so that the tree and the timeline stop
   * showing it online; the event's reason names the lab as its author.
   */
  async killWorker(worker: LabWorker, abandoned: number): Promise<void> {
    await worker.kill('SIGKILL');
    this.killed.push(worker);
    const batch: StatusBatch = {
      type: 'StatusBatch',
      workerId: worker.workerId,
      // The dead worker's own sequence cannot be known; a watcher sees a gap, which is the truth.
      seq: Number.MAX_SAFE_INTEGER,
      events: [
        {
          type: 'WorkerOffline',
          workerId: worker.workerId,
          pid: worker.pid,
          hostname: worker.workerId.split(':')[0] || 'unknown',
          at: Date.now(),
          reason: `killed with SIGKILL by lab ${this.labNumber} (reported by the lab, not by the worker)`,
          abandoned,
        },
      ],
    };
    await this.redis.publish(statusChannelFor(this.channel), JSON.stringify(batch));
  }

  /** Builds jobs with ids unique to this run, numbered labels and their publish order in `seq`. */
  makeJobs(count: number, spec: JobSpec): JobCreated[] {
    const label = spec.label ?? `Lab ${this.labNumber}`;
    return Array.from({ length: count }, (_, i) => {
      const n = ++this.jobCounter;
      return newJob({
        jobId: `lab${this.labNumber}-${this.stamp}-${n}`,
        durationMs: spec.durations?.[i] ?? spec.durationMs,
        kind: spec.kind ?? 'sleep',
        label: `${label} #${i + 1}`,
        seq: i,
      });
    });
  }

  async publish(jobs: readonly JobCreated[], delivery: Delivery, onProgress?: (done: number, total: number) => void): Promise<PublishedJobs> {
    this.checkCancelled();
    const result = await publishJobs(this.redis, this.channel, delivery, jobs, { signal: this.signal, onProgress });
    this.streamIds.push(...result.ids);
    this.checkCancelled();
    return result;
  }

  /** The runs of these jobs, from every event heard so far. */
  runsOf(jobs: readonly JobCreated[] | ReadonlySet<string>): TaskRun[] {
    const ids = jobs instanceof Set ? jobs : new Set((jobs as readonly JobCreated[]).map((j) => j.jobId));
    return taskRuns(this.recorder.events, ids);
  }

  /** Waits until `runs` finished runs of these jobs were reported (each job once by default). */
  async waitForFinished(jobs: readonly JobCreated[], what: string, timeoutMs: number, perJob = 1): Promise<TaskRun[]> {
    const ids = new Set(jobs.map((j) => j.jobId));
    const wanted = jobs.length * perJob;
    await this.recorder.waitFor(() => this.runsOf(ids).filter((r) => r.finishedAt !== undefined).length >= wanted, what, timeoutMs, this.signal);
    return this.runsOf(ids);
  }

  waitFor(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    return this.recorder.waitFor(done, what, timeoutMs, this.signal);
  }

  /** Stops every worker the lab started, removes its stream entries, closes its connections. */
  async dispose(): Promise<void> {
    const log = this.host.log;
    // After a cancel nobody waits for the lab's tasks: stop at once (they are reported abandoned).
    const timeoutMs = this.signal?.aborted ? 0 : 3000;
    await Promise.all(this.workers.map((w) => w.stop(timeoutMs).catch((e: unknown) => log.warn(`lab: stopping worker ${w.pid}: ${errorMessage(e)}`))));
    if (this.publisher) {
      await this.cleanStream().catch((e: unknown) => log.warn(`lab: cleaning the stream: ${errorMessage(e)}`));
    }
    await this._recorder?.close();
    await this.publisher?.quit().catch(() => this.publisher?.disconnect());
  }

  /** The lab's entries must not reach the normal worker later; a killed worker's empty consumer goes too. */
  private async cleanStream(): Promise<void> {
    const redis = this.redis;
    const stream = streamKeyFor(this.channel);
    for (let i = 0; i < this.streamIds.length; i += 1000) {
      const ids = this.streamIds.slice(i, i + 1000);
      await redis.call('XACK', stream, STREAM_GROUP, ...ids).catch(() => undefined); // no group: nothing pending
      await redis.xdel(stream, ...ids);
    }
    for (const worker of this.killed) {
      const pending = await redis.call('XPENDING', stream, STREAM_GROUP, '-', '+', '1', worker.workerId).catch(() => undefined);
      if (Array.isArray(pending) && pending.length === 0) {
        await redis.call('XGROUP', 'DELCONSUMER', stream, STREAM_GROUP, worker.workerId);
      }
    }
  }

  private async connect(name: string): Promise<Redis> {
    const client = new Redis(this.host.redisUrl, {
      password: this.host.password || undefined,
      connectionName: `concurrency-lab:${name}`,
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      retryStrategy: (times) => (times > 5 ? null : times * 200),
    });
    client.on('error', (error: Error) => this.host.log.warn(`[redis:${name}] ${error.message}`));
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw error;
    }
    return client;
  }
}
