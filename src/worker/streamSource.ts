// Work-queue delivery (`--delivery stream`): the jobs wait in a Redis Stream and a consumer group
// hands each entry to exactly one worker. An entry stays pending for its worker until the worker
// acknowledges it (XACK) after the task ends, so
//   - a job published while no worker runs is still there when one starts (Pub/Sub would drop it);
//   - a job whose worker died mid-task is taken over by another worker once it has been idle
//     longer than `claimIdleMs` (XAUTOCLAIM);
//   - a worker with a concurrency limit reads only as many entries as it has free slots, so the
//     rest wait in Redis for any worker rather than in this process's memory.
// A worker keeps its own running entries fresh (XCLAIM to itself) so that a long but healthy task
// is not taken over; a task that blocks the event loop longer than `claimIdleMs` can be, though.
import type Redis from 'ioredis';
import { errorMessage, type Logger } from '../shared/log';
import { STREAM_JOB_FIELD } from '../shared/streamDelivery';

export interface StreamSourceOptions {
  readonly stream: string;
  readonly group: string;
  /** This worker's name in the group (its workerId: unique per process). */
  readonly consumer: string;
  readonly claimIdleMs: number;
  /** How many more jobs the worker may take right now (Infinity without a limit). */
  readonly capacity: () => number;
  readonly log: Logger;
  /** Entries asked for per read. */
  readonly readCount?: number;
  /** How long one blocking read waits before it asks again. */
  readonly blockMs?: number;
}

/** Hands one entry's JobCreated text to the worker; `ack` must be called once its task has ended. */
export type DeliverEntry = (raw: string, ack: () => void) => void;

type Entry = readonly [id: string, raw: string | undefined];

const DEFAULT_READ_COUNT = 10;
const DEFAULT_BLOCK_MS = 2000;
const RETRY_MS = 500;

export class StreamSource {
  private running = false;
  private reading: Promise<void> = Promise.resolve();
  private readerClientId: string | undefined;
  /** Entries delivered to this worker whose task has not ended yet. */
  private readonly held = new Set<string>();
  private readonly acks = new Set<Promise<unknown>>();
  private claimTimer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private claiming = false;
  private wake: (() => void) | undefined;
  /** Entries this worker took over from an idle consumer, for the log and the tests. */
  claimed = 0;

  /**
   * @param reader a connection used only for the blocking reads (the Pub/Sub subscriber's twin)
   * @param writer a connection for everything else (acknowledgements, claims)
   */
  constructor(
    private readonly reader: Redis,
    private readonly writer: Redis,
    private readonly options: StreamSourceOptions,
  ) {}

  /** Creates the stream and the group if they do not exist yet. */
  async prepare(): Promise<void> {
    await this.createGroup();
    this.readerClientId = String(await this.reader.call('CLIENT', 'ID'));
  }

  /** Starts reading: first entries left behind by dead workers, then new ones as they arrive. */
  run(deliver: DeliverEntry): void {
    if (this.running) return;
    this.running = true;
    const { claimIdleMs } = this.options;
    this.claimTimer = setInterval(() => void this.claimIdle(deliver), Math.max(50, Math.floor(claimIdleMs / 2)));
    this.leaseTimer = setInterval(() => void this.renewLeases(), Math.max(50, Math.floor(claimIdleMs / 3)));
    void this.claimIdle(deliver);
    this.reading = this.readLoop(deliver);
  }

  /** A task ended: there may be room for more entries. */
  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Phase 1 of a stop: read no more. Entries already delivered stay this worker's until acknowledged. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.claimTimer);
    this.notify();
    // End the blocking read now rather than after its timeout.
    if (this.readerClientId) {
      await this.writer.call('CLIENT', 'UNBLOCK', this.readerClientId).catch(() => undefined);
    }
    await this.reading;
  }

  /** After the tasks ended: sends the last acknowledgements and leaves the group if nothing is pending here. */
  async close(): Promise<void> {
    await this.stop();
    clearInterval(this.leaseTimer);
    await Promise.allSettled([...this.acks]);
    const { stream, group, consumer, log } = this.options;
    try {
      // Deleting a consumer drops its pending entries for good, so only an empty one goes.
      const pending = await this.writer.call('XPENDING', stream, group, '-', '+', '1', consumer);
      if (Array.isArray(pending) && pending.length === 0) {
        await this.writer.call('XGROUP', 'DELCONSUMER', stream, group, consumer);
      } else {
        log.warn(`leaving entries pending in "${stream}" for another worker to claim after ${this.options.claimIdleMs} ms`);
      }
    } catch (error) {
      log.warn(`stream clean-up: ${errorMessage(error)}`);
    }
  }

  private async createGroup(): Promise<void> {
    const { stream, group } = this.options;
    try {
      // From the stream's beginning ("0"), so that jobs published before any worker existed are kept.
      await this.writer.call('XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM');
    } catch (error) {
      if (!errorMessage(error).startsWith('BUSYGROUP')) throw error;
    }
  }

  private async readLoop(deliver: DeliverEntry): Promise<void> {
    const readCount = this.options.readCount ?? DEFAULT_READ_COUNT;
    while (this.running) {
      const room = Math.min(readCount, this.options.capacity());
      if (room <= 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      // lesson:stream-read — ask the group for new entries: each one is handed to this worker only
      const reply = await this.readNew(room);
      for (const entry of readReplyEntries(reply)) {
        this.dispatch(entry, deliver);
      }
    }
  }

  /** One blocking XREADGROUP for entries no worker of the group has had yet (`>`); undefined on an error. */
  private async readNew(count: number): Promise<unknown> {
    const { stream, group, consumer, log } = this.options;
    try {
      return await this.reader.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', String(count), 'BLOCK', String(this.options.blockMs ?? DEFAULT_BLOCK_MS), 'STREAMS', stream, '>');
    } catch (error) {
      if (!this.running) return undefined;
      const message = errorMessage(error);
      log.warn(`reading "${stream}": ${message}`);
      // The stream or the group was deleted (FLUSHALL, DEL): make them again.
      if (message.startsWith('NOGROUP')) await this.createGroup().catch(() => undefined);
      await sleep(RETRY_MS);
      return undefined;
    }
  }

  /** Takes over entries pending longer than `claimIdleMs` at other (presumed dead) consumers. */
  private async claimIdle(deliver: DeliverEntry): Promise<void> {
    if (this.claiming || !this.running) return;
    this.claiming = true;
    const { stream, group, consumer, claimIdleMs, log } = this.options;
    try {
      let cursor = '0-0';
      do {
        const room = Math.min(this.options.readCount ?? DEFAULT_READ_COUNT, this.options.capacity());
        if (room <= 0) break;
        const reply = await this.writer.call('XAUTOCLAIM', stream, group, consumer, String(claimIdleMs), cursor, 'COUNT', String(room));
        const parsed = autoclaimReply(reply);
        cursor = parsed.cursor;
        for (const entry of parsed.entries) {
          // Our own entry looks idle when a blocking task kept us from renewing it: it runs already.
          if (this.held.has(entry[0])) continue;
          this.claimed++;
          log.info(`claimed stream entry ${entry[0]}: pending at another worker for more than ${claimIdleMs} ms`);
          this.dispatch(entry, deliver);
        }
      } while (cursor !== '0-0' && this.running);
    } catch (error) {
      if (this.running) log.warn(`claiming idle entries of "${stream}": ${errorMessage(error)}`);
    } finally {
      this.claiming = false;
    }
  }

  /** Resets the idle time of the entries this worker still runs, so nobody takes them over. */
  private async renewLeases(): Promise<void> {
    if (this.held.size === 0) return;
    const { stream, group, consumer, log } = this.options;
    try {
      // Only entries still pending here: one another worker claimed meanwhile stays with it.
      const pending = await this.writer.call('XPENDING', stream, group, '-', '+', String(this.held.size), consumer);
      const ids = Array.isArray(pending)
        ? pending.map((row: unknown) => (Array.isArray(row) ? String(row[0]) : '')).filter((id) => this.held.has(id))
        : [];
      if (ids.length) await this.writer.call('XCLAIM', stream, group, consumer, '0', ...ids, 'JUSTID');
    } catch (error) {
      log.warn(`renewing pending entries of "${stream}": ${errorMessage(error)}`);
    }
  }

  private dispatch([id, raw]: Entry, deliver: DeliverEntry): void {
    if (!this.running) {
      return; // read after a stop began: it stays pending and another worker claims it
    }
    this.held.add(id);
    let done = false;
    const ack = () => {
      if (done) return;
      done = true;
      this.acknowledge(id);
    };
    if (raw === undefined) {
      this.options.log.warn(`stream entry ${id} has no "${STREAM_JOB_FIELD}" field: acknowledged and skipped`);
      ack();
      return;
    }
    deliver(raw, ack);
  }

  private acknowledge(id: string): void {
    const { stream, group, log } = this.options;
    this.held.delete(id);
    const ack = this.writer
      .call('XACK', stream, group, id)
      .catch((error: unknown) => log.warn(`XACK ${id}: ${errorMessage(error)}`))
      .finally(() => this.acks.delete(ack));
    this.acks.add(ack);
    this.notify();
  }
}

/** `[[key, [[id, [field, value, ...]], ...]]]` or null → the entries with their job text. */
export function readReplyEntries(reply: unknown): Entry[] {
  const entries: Entry[] = [];
  if (!Array.isArray(reply)) return entries;
  for (const streamReply of reply) {
    if (Array.isArray(streamReply) && Array.isArray(streamReply[1])) {
      for (const entry of streamReply[1] as unknown[]) {
        const parsed = parseEntry(entry);
        if (parsed) entries.push(parsed);
      }
    }
  }
  return entries;
}

/** `[cursor, [[id, fields], ...], [deleted ids]]` (Redis 7) or `[cursor, entries]` (6.2). */
export function autoclaimReply(reply: unknown): { cursor: string; entries: Entry[] } {
  if (!Array.isArray(reply) || reply.length < 2 || !Array.isArray(reply[1])) {
    return { cursor: '0-0', entries: [] };
  }
  const entries = (reply[1] as unknown[]).map(parseEntry).filter((e): e is Entry => e !== undefined);
  return { cursor: String(reply[0]), entries };
}

function parseEntry(entry: unknown): Entry | undefined {
  if (!Array.isArray(entry) || entry.length < 2) return undefined;
  const id = String(entry[0]);
  const fields: unknown = entry[1];
  if (!Array.isArray(fields)) {
    return [id, undefined];
  }
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (String(fields[i]) === STREAM_JOB_FIELD) return [id, String(fields[i + 1])];
  }
  return [id, undefined];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
