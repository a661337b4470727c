// Runs the bundled worker (dist/worker.js) as a child process: fork, wait for its ready handshake,
// forward its log, stop it in two phases (stop request → SIGTERM → SIGKILL) and never leave it behind.
import * as vscode from 'vscode';
import { fork, type ChildProcess } from 'node:child_process';
import { check } from '../shared/protocol';
import { ChildMessage, type ParentMessage } from '../shared/ipc';
import { Emitter } from '../shared/emitter';
import { errorMessage } from '../shared/log';
import type { RedisManager } from './redisManager';
import type { Settings } from './settings';

export type WorkerHostState = 'stopped' | 'starting' | 'running' | 'stopping';

const READY_TIMEOUT_MS = 15_000;
/** After the worker's own stop timeout, how long to wait before SIGTERM, then before SIGKILL. */
const GRACE_MS = 3_000;

export class WorkerHost implements vscode.Disposable {
  private child: ChildProcess | undefined;
  private _state: WorkerHostState = 'stopped';
  private _workerId: string | undefined;
  private transition: Promise<unknown> = Promise.resolve();
  private readonly _onDidChangeState = new Emitter<WorkerHostState>();
  readonly onDidChangeState = this._onDidChangeState.event;

  constructor(
    private readonly workerScript: string,
    private readonly redis: RedisManager,
    private readonly settings: Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    void vscode.commands.executeCommand('setContext', 'concurrencyLab.workerState', this._state);
  }

  get state(): WorkerHostState {
    return this._state;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The id the running worker reports in its lifecycle events. */
  get workerId(): string | undefined {
    return this._workerId;
  }

  /** Starts the worker unless it runs already. Rejects with a reason the user can act on. */
  start(): Promise<void> {
    return this.serialize(() => this.doStart());
  }

  /** Stops the worker in two phases. Safe to call when it is not running. */
  stop(): Promise<void> {
    return this.serialize(() => this.doStop());
  }

  restart(): Promise<void> {
    return this.serialize(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  /** Start/stop/restart run one after another, never interleaved. */
  private serialize<T>(step: () => Promise<T>): Promise<T> {
    const next = this.transition.then(step, step);
    this.transition = next.catch(() => undefined);
    return next;
  }

  private async doStart(): Promise<void> {
    if (this.child) return;
    if (!(await this.redis.ensureStarted()) || !this.redis.url) {
      throw new Error(this.redis.problem ?? vscode.l10n.t('Redis is not connected.'));
    }
    const { channel, maxConcurrency, delivery, stopTimeoutMs } = this.settings.current;
    const password = await this.redis.password();
    this.setState('starting');
    const args = [
      '--redis', this.redis.url,
      '--channel', channel,
      '--delivery', delivery,
      '--max-concurrency', String(maxConcurrency),
      '--stop-timeout', String(stopTimeoutMs),
    ];
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (password) env.REDIS_PASSWORD = password;
    else delete env.REDIS_PASSWORD;
    const child = fork(this.workerScript, args, { env, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
    this.child = child;
    this.log.info(`forked the worker (pid ${child.pid}) on channel "${channel}", delivery ${delivery}, max concurrency ${maxConcurrency || 'unlimited'}`);
    child.stdout?.on('data', (d: Buffer) => this.log.info(`[worker ${child.pid}] ${d.toString().trimEnd()}`));
    child.stderr?.on('data', (d: Buffer) => this.log.warn(`[worker ${child.pid}] ${d.toString().trimEnd()}`));

    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(vscode.l10n.t('The worker did not get ready within {0} s.', READY_TIMEOUT_MS / 1000))), READY_TIMEOUT_MS);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      child.on('message', (raw: unknown) => {
        const message = check(ChildMessage, raw);
        if (!message.ok) {
          this.log.warn(`[worker ${child.pid}] ignored an IPC message: ${message.reason}`);
          return;
        }
        const m = message.value;
        switch (m.type) {
          case 'log':
            this.log[m.level](`[worker ${child.pid}] ${m.message}`);
            return;
          case 'ready':
            this._workerId = m.workerId;
            settle();
            return;
          case 'initFailed':
            settle(new Error(m.error));
            return;
        }
      });
      child.once('exit', (code, signal) => {
        settle(new Error(vscode.l10n.t('The worker exited before it was ready (code {0}).', String(code ?? signal))));
      });
      child.once('error', (error) => settle(error));
    });
    child.once('exit', (code, signal) => this.onExit(child, code, signal));

    try {
      await ready;
    } catch (error) {
      this.log.error(`the worker did not start: ${errorMessage(error)}`);
      await this.terminate(child);
      throw error;
    }
    this.setState('running');
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    const expected = this._state === 'stopping';
    this.child = undefined;
    this._workerId = undefined;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (expected) this.log.info(`the worker (pid ${child.pid}) exited with ${how}`);
    else this.log.error(`the worker (pid ${child.pid}) exited unexpectedly with ${how}`);
    this.setState('stopped');
  }

  private async doStop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.setState('stopping');
    await this.terminate(child);
  }

  /** Stop request (the worker drains its tasks), then SIGTERM, then SIGKILL; resolves once it exited. */
  private terminate(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) {
      if (this.child === child) this.child = undefined;
      return Promise.resolve();
    }
    const { stopTimeoutMs } = this.settings.current;
    return new Promise<void>((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      child.once('exit', () => {
        timers.forEach(clearTimeout);
        resolve();
      });
      const request: ParentMessage = { type: 'stop', timeoutMs: stopTimeoutMs };
      if (child.connected) child.send(request, (error) => error && child.kill('SIGTERM'));
      else child.kill('SIGTERM');
      timers.push(setTimeout(() => child.kill('SIGTERM'), stopTimeoutMs + GRACE_MS));
      timers.push(setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs + 2 * GRACE_MS));
    });
  }

  private setState(state: WorkerHostState): void {
    if (this._state === state) return;
    this._state = state;
    void vscode.commands.executeCommand('setContext', 'concurrencyLab.workerState', state);
    this._onDidChangeState.fire(state);
  }

  /** Stops the worker; `deactivate()` awaits this so that no process outlives the extension. */
  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
    this._onDidChangeState.dispose();
  }
}
