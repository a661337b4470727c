// The producer: publishes JobCreated events on the job channel, one or a burst at a time.
import * as vscode from 'vscode';
import type Redis from 'ioredis';
import { newJob, type JobCreated, type JobKind } from '../shared/protocol';
import { errorMessage } from '../shared/log';
import { publishJobs } from '../node/jobPublish';
import type { RedisManager } from './redisManager';
import type { Settings } from './settings';

export interface BurstOptions {
  readonly count: number;
  readonly durationMs: number;
  readonly kind?: JobKind;
  /** Label text; `#n` is appended per job. Default "Job". */
  readonly label?: string;
}

export interface PublishResult {
  readonly jobs: readonly JobCreated[];
  /** For Pub/Sub: how many subscribers received each job (0 = nobody was listening). Empty for Streams. */
  readonly receivers: readonly number[];
  /** For Streams: the entry id of each job (XADD's answer). Empty for Pub/Sub. */
  readonly ids: readonly string[];
}

/** Jobs are sent in pipelined chunks of this size, so progress can be shown for large bursts. */
const CHUNK = 500;

export class JobPublisher implements vscode.Disposable {
  private client: Promise<Redis> | undefined;
  private counter = 0;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly redis: RedisManager,
    private readonly settings: Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // A new Redis (other URL, restarted private server) needs a new connection.
    this.subscription = redis.onDidChangeState(() => this.dropClient());
  }

  /** Builds `count` jobs with fresh ids, numbered labels and their publish order in `seq`. */
  makeJobs(options: BurstOptions): JobCreated[] {
    const jobs: JobCreated[] = [];
    const stamp = Date.now().toString(36);
    for (let i = 0; i < options.count; i++) {
      const n = ++this.counter;
      jobs.push(
        newJob({
          jobId: `${stamp}-${n}`,
          durationMs: options.durationMs,
          kind: options.kind ?? 'sleep',
          label: `${options.label ?? 'Job'} #${n}`,
          seq: i,
        }),
      );
    }
    return jobs;
  }

  publishBurst(options: BurstOptions, onProgress?: (done: number, total: number) => void, token?: vscode.CancellationToken): Promise<PublishResult> {
    return this.publish(this.makeJobs(options), onProgress, token);
  }

  /** Publishes jobs in order; stops early (publishing what it has) when cancelled. */
  async publish(jobs: readonly JobCreated[], onProgress?: (done: number, total: number) => void, token?: vscode.CancellationToken): Promise<PublishResult> {
    if (!(await this.redis.ensureStarted())) {
      throw new Error(this.redis.problem ?? vscode.l10n.t('Redis is not connected.'));
    }
    const client = await this.connection();
    const { channel, delivery } = this.settings.current;
    // The delivery mode decides the command: PUBLISH (Pub/Sub) or XADD to <channel>:stream (Streams).
    const abort = new AbortController();
    const cancelled = token?.onCancellationRequested(() => abort.abort());
    if (token?.isCancellationRequested) abort.abort();
    try {
      const { jobs: sent, receivers, ids } = await publishJobs(client, channel, delivery, jobs, { chunkSize: CHUNK, onProgress, signal: abort.signal });
      this.log.info(
        delivery === 'stream'
          ? `added ${sent.length} JobCreated to the stream of "${channel}"`
          : `published ${sent.length} JobCreated on "${channel}" (received by ${receivers[0] ?? 0} subscriber(s))`,
      );
      return { jobs: sent, receivers, ids };
    } finally {
      cancelled?.dispose();
    }
  }

  private connection(): Promise<Redis> {
    this.client ??= this.redis.createClient('publisher').catch((error: unknown) => {
      this.client = undefined;
      throw new Error(`cannot connect the publisher: ${errorMessage(error)}`);
    });
    return this.client;
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    void client?.then((c) => c.quit()).catch(() => undefined);
  }

  dispose(): void {
    this.subscription.dispose();
    this.dropClient();
  }
}
