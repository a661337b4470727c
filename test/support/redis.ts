// Test helpers around a real redis-server: one server per test file, a unique channel per test,
// and clients that are closed after each test.
import Redis from 'ioredis';
import { RedisServer } from '../../src/node/redisServer';
import { decode, StatusBatch, statusChannelFor, type LifecycleEvent } from '../../src/shared/protocol';

let counter = 0;
/** A channel name no other test uses. */
export function uniqueChannel(prefix = 'test'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
}

/** Starts a redis-server for a mocha suite and stops it after; returns a getter for its URL. */
export function useRedisServer(): { readonly url: string; readonly server: RedisServer } {
  let server: RedisServer | undefined;
  before(async function () {
    this.timeout(20_000);
    server = await RedisServer.start();
  });
  after(async () => {
    await server?.stop();
  });
  return {
    get url() {
      if (!server) throw new Error('redis-server is not started');
      return server.url;
    },
    get server() {
      if (!server) throw new Error('redis-server is not started');
      return server;
    },
  };
}

/** Collects every lifecycle event published on a job channel's status channel. */
export class StatusRecorder {
  readonly events: LifecycleEvent[] = [];
  readonly rejected: string[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly client: Redis) {}

  static async start(url: string, jobChannel: string): Promise<StatusRecorder> {
    const client = new Redis(url);
    const recorder = new StatusRecorder(client);
    client.on('message', (_c: string, raw: string) => {
      const batch = decode(StatusBatch, raw, 4 * 1024 * 1024);
      if (!batch.ok) {
        recorder.rejected.push(batch.reason);
        return;
      }
      recorder.events.push(...batch.value.events);
      recorder.waiters.forEach((w) => w());
    });
    await client.subscribe(statusChannelFor(jobChannel));
    return recorder;
  }

  of<T extends LifecycleEvent['type']>(type: T): Array<Extract<LifecycleEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<LifecycleEvent, { type: T }> => e.type === type);
  }

  /** Resolves when `done()` holds; rejects with `what` after `timeoutMs` (a safety net, not a measurement). */
  until(done: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done()) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
