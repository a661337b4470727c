// Listens on the status channel and feeds every valid StatusBatch into the task model. It hears
// every worker on the channel: the bundled one and any started by hand, on this host or another.
import type * as vscode from 'vscode';
import type Redis from 'ioredis';
import { decode, statusChannelFor, StatusBatch } from '../shared/protocol';
import { errorMessage, preview } from '../shared/log';
import type { TaskModel } from '../shared/taskModel';
import type { RedisManager } from './redisManager';
import type { Settings } from './settings';

/** A full batch of 500 events stays well under this; anything larger is not ours. */
const MAX_BATCH_BYTES = 2 * 1024 * 1024;

export class StatusWatcher implements vscode.Disposable {
  private subscriber: Redis | undefined;
  private subscribedTo: string | undefined;
  private readonly disposables: { dispose(): void }[] = [];
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: RedisManager,
    private readonly settings: Settings,
    private readonly model: TaskModel,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      redis.onDidChangeState(() => this.sync()),
      settings.onDidChange((keys) => keys.has('channel') && this.sync()),
    );
    this.sync();
  }

  /** Brings the subscription in line with the current Redis and channel. */
  private sync(): void {
    this.syncing = this.syncing.then(() => this.doSync()).catch((error: unknown) => this.log.error(`status watcher: ${errorMessage(error)}`));
  }

  private async doSync(): Promise<void> {
    const wanted = this.redis.state === 'connected' ? statusChannelFor(this.settings.current.channel) : undefined;
    if (this.subscriber && (wanted === undefined || this.redis.state !== 'connected')) {
      await this.close();
    }
    if (!wanted) return;
    if (!this.subscriber) {
      this.subscriber = await this.redis.createClient('status');
      this.subscriber.on('message', (_channel: string, raw: string) => this.onMessage(raw));
    }
    if (this.subscribedTo !== wanted) {
      if (this.subscribedTo) await this.subscriber.unsubscribe(this.subscribedTo);
      await this.subscriber.subscribe(wanted);
      this.subscribedTo = wanted;
      this.log.info(`watching lifecycle events on "${wanted}"`);
    }
  }

  private onMessage(raw: string): void {
    const batch = decode(StatusBatch, raw, MAX_BATCH_BYTES);
    if (!batch.ok) {
      this.log.warn(`skipped a status message: ${batch.reason} — ${preview(raw)}`);
      return;
    }
    this.model.applyBatch(batch.value);
  }

  private async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.subscribedTo = undefined;
    await subscriber?.quit().catch(() => subscriber.disconnect());
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    void this.close();
  }
}
