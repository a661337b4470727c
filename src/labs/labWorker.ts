// One worker process of a lab: the real dist/worker.js, forked with the options the experiment
// needs, the same way the extension's WorkerHost runs the bundled worker (ready handshake over IPC,
// stop request → SIGTERM → SIGKILL). A lab may also kill one outright, as a crash would.
import { fork, type ChildProcess } from 'node:child_process';
import { check, type Delivery } from '../shared/protocol';
import { ChildMessage, type ParentMessage } from '../shared/ipc';
import type { Logger } from '../shared/log';

export interface LabWorkerOptions {
  readonly delivery?: Delivery;
  /** 0 = no limit. */
  readonly maxConcurrency?: number;
  readonly heartbeatMs?: number;
  readonly batchMs?: number;
  readonly claimIdleMs?: number;
  readonly stopTimeoutMs?: number;
}

export interface LabWorkerTarget {
  readonly workerScript: string;
  readonly redisUrl: string;
  readonly password?: string;
  readonly channel: string;
  readonly log: Logger;
}

const READY_TIMEOUT_MS = 15_000;
const GRACE_MS = 2_000;

export class LabWorker {
  private readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    readonly workerId: string,
    readonly pid: number,
    readonly options: LabWorkerOptions,
    exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  ) {
    this.exit = exit;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  get exited(): Promise<number | string | null> {
    return this.exit.then(({ code, signal }) => signal ?? code);
  }

  /** Forks a worker and resolves after its ready handshake (it is then subscribed, or reading its stream). */
  static start(target: LabWorkerTarget, options: LabWorkerOptions = {}): Promise<LabWorker> {
    const args = [
      '--redis', target.redisUrl,
      '--channel', target.channel,
      '--delivery', options.delivery ?? 'pubsub',
      '--max-concurrency', String(options.maxConcurrency ?? 0),
      '--heartbeat', String(options.heartbeatMs ?? 1000),
      '--batch', String(options.batchMs ?? 50),
      '--stop-timeout', String(options.stopTimeoutMs ?? 5000),
    ];
    if (options.claimIdleMs !== undefined) args.push('--claim-idle', String(options.claimIdleMs));
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (target.password) env.REDIS_PASSWORD = target.password;
    else delete env.REDIS_PASSWORD;
    const child = fork(target.workerScript, args, { env, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
    const { log } = target;
    const tag = () => `[lab worker ${child.pid}]`;
    child.stdout?.on('data', (d: Buffer) => log.info(`${tag()} ${d.toString().trimEnd()}`));
    child.stderr?.on('data', (d: Buffer) => log.warn(`${tag()} ${d.toString().trimEnd()}`));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );

    return new Promise<LabWorker>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => fail(new Error(`the lab worker did not get ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        reject(error);
      };
      child.on('message', (raw: unknown) => {
        const message = check(ChildMessage, raw);
        if (!message.ok) {
          log.warn(`${tag()} ignored an IPC message: ${message.reason}`);
          return;
        }
        const m = message.value;
        if (m.type === 'log') {
          log[m.level](`${tag()} ${m.message}`);
        } else if (m.type === 'initFailed') {
          fail(new Error(m.error));
        } else if (!settled && child.pid !== undefined) {
          settled = true;
          clearTimeout(timer);
          resolve(new LabWorker(child, m.workerId, child.pid, options, exit));
        }
      });
      child.once('error', fail);
      void exit.then(({ code, signal }) => fail(new Error(`the lab worker exited before it was ready (${signal ?? code})`)));
    });
  }

  /** Two-phase stop: the worker takes no new job and waits up to `timeoutMs` for its tasks, then exits. */
  async stop(timeoutMs = 5000): Promise<number | string | null> {
    if (!this.running) return this.exited;
    const request: ParentMessage = { type: 'stop', timeoutMs };
    if (this.child.connected) this.child.send(request, (error) => error && this.child.kill('SIGTERM'));
    else this.child.kill('SIGTERM');
    const timers = [
      setTimeout(() => this.child.kill('SIGTERM'), timeoutMs + GRACE_MS),
      setTimeout(() => this.child.kill('SIGKILL'), timeoutMs + 2 * GRACE_MS),
    ];
    try {
      return await this.exited;
    } finally {
      timers.forEach(clearTimeout);
    }
  }

  /** Ends the process at once, as a crash would: no offline report, running tasks abandoned. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | string | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}
