// Starts a private, throw-away redis-server on a free loopback port: the extension's embedded
// default (when `concurrencyLab.redisUrl` is empty), and the Redis of every test and benchmark.
// Nothing is written to disk (no RDB, no AOF) and the server dies with its parent's stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export class RedisServerNotFoundError extends Error {
  constructor(readonly binary: string) {
    super(`redis-server was not found ("${binary}")`);
  }
}

export interface RedisServerOptions {
  /** A path or a command name looked up on PATH. Default: redis-server. */
  readonly binary?: string;
  readonly startTimeoutMs?: number;
  /** Lines the server prints, for a log. */
  readonly onOutput?: (line: string) => void;
}

export class RedisServer {
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const binary = resolveBinary(options.binary ?? 'redis-server');
    // A free port can be taken by someone else between our probe and redis binding it: retry.
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      try {
        return await RedisServer.startOn(binary, port, options);
      } catch (error) {
        lastError = error;
        if (error instanceof RedisServerNotFoundError) throw error;
      }
    }
    throw lastError;
  }

  private static startOn(binary: string, port: number, options: RedisServerOptions): Promise<RedisServer> {
    const args = [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'no',
      '--protected-mode', 'yes',
      '--daemonize', 'no',
      '--loglevel', 'warning',
      // Status batches of a large burst are big; let a slow subscriber fall behind rather than be cut.
      '--client-output-buffer-limit', 'pubsub 256mb 128mb 60',
    ];
    // On Linux, `setpriv --pdeathsig` makes the kernel stop redis-server if its parent dies without
    // cleaning up (an extension host that is killed), so no Redis outlives its window.
    const guard = deathSignalWrapper();
    const child = guard
      ? spawn(guard, ['--pdeathsig', 'SIGTERM', '--', binary, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new RedisServer(child, port);
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim()) options.onOutput?.(line);
      }
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    return new Promise<RedisServer>((resolve, reject) => {
      const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
      const fail = (error: Error) => {
        child.kill('SIGKILL');
        reject(error);
      };
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new RedisServerNotFoundError(binary) : error),
      );
      child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code} before it was ready`)));
      const probe = () => {
        if (!server.running) return;
        ping(port).then(
          (ok) => {
            if (ok) resolve(server);
            else if (Date.now() > deadline) fail(new Error(`redis-server did not answer on port ${port}`));
            else setTimeout(probe, 25);
          },
          fail,
        );
      };
      probe();
    });
  }

  /** Shuts the server down (SIGTERM, then SIGKILL after 3 s). Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      if (!this.running) {
        resolve();
        return;
      }
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
    return this.stopping;
  }
}

function resolveBinary(binary: string): string {
  if (binary.includes('/') || binary.includes('\\')) {
    if (!existsSync(binary)) throw new RedisServerNotFoundError(binary);
    return binary;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  // Debian puts redis-server in /usr/bin, but an extension host may run with a short PATH.
  for (const dir of ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin', '/usr/sbin']) {
    const candidate = join(dir, binary);
    if (existsSync(candidate)) return candidate;
  }
  throw new RedisServerNotFoundError(binary);
}

let setprivPath: string | null | undefined;
function deathSignalWrapper(): string | null {
  if (setprivPath === undefined) {
    setprivPath = process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null : null;
  }
  return setprivPath;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends an inline PING and waits for +PONG, without a client library. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}
