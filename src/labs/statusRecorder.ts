// Hears the status channel for a lab: every validated lifecycle event, in arrival order. A lab's
// conclusions come only from these events (what the workers reported), never from the lab's guesses.
import type Redis from 'ioredis';
import { decode, StatusBatch, statusChannelFor, type LifecycleEvent } from '../shared/protocol';
import { preview, type Logger } from '../shared/log';
import { LabCancelledError, LabTimeoutError } from './errors';

/** A full batch of 500 events stays well under this. */
const MAX_BATCH_BYTES = 2 * 1024 * 1024;

export class StatusRecorder {
  readonly events: LifecycleEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private closed = false;

  private constructor(
    private readonly subscriber: Redis,
    private readonly log: Logger,
  ) {}

  /** Subscribes to `<channel>:status` on a connection it owns from now on. */
  static async start(subscriber: Redis, jobChannel: string, log: Logger): Promise<StatusRecorder> {
    const recorder = new StatusRecorder(subscriber, log);
    subscriber.on('message', (_channel: string, raw: string) => recorder.onMessage(raw));
    await subscriber.subscribe(statusChannelFor(jobChannel));
    return recorder;
  }

  /** The position of the next event: pass it to `since()` to see only what came after. */
  mark(): number {
    return this.events.length;
  }

  since(mark: number): LifecycleEvent[] {
    return this.events.slice(mark);
  }

  /**
   * Resolves once `done()` holds, checked after every batch. Rejects with LabTimeoutError after
   * `timeoutMs` (a safety net for a worker that never answers), or LabCancelledError on abort.
   */
  waitFor(done: () => boolean, what: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (done()) finish();
      };
      const onAbort = () => finish(new LabCancelledError());
      const timer = setTimeout(() => finish(new LabTimeoutError(what, timeoutMs)), timeoutMs);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiters.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private onMessage(raw: string): void {
    const batch = decode(StatusBatch, raw, MAX_BATCH_BYTES);
    if (!batch.ok) {
      this.log.warn(`lab: skipped a status message: ${batch.reason} — ${preview(raw)}`);
      return;
    }
    this.events.push(...batch.value.events);
    for (const check of [...this.waiters]) check();
  }
}
