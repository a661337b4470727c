// Finds the Redis to use — the configured URL, or a private redis-server started for this window —
// checks that it answers, and hands out connections. Its state drives the welcome content.
import * as vscode from 'vscode';
import Redis from 'ioredis';
import { RedisServer, RedisServerNotFoundError } from '../node/redisServer';
import { Emitter } from '../shared/emitter';
import { errorMessage, redactUrl } from '../shared/log';
import type { Settings } from './settings';

export type RedisState = 'idle' | 'connecting' | 'connected' | 'unavailable';

const PASSWORD_KEY = 'concurrencyLab.redisPassword';

export class RedisManager implements vscode.Disposable {
  private _state: RedisState = 'idle';
  private _url: string | undefined;
  private _problem: string | undefined;
  private server: RedisServer | undefined;
  private starting: Promise<boolean> | undefined;
  private readonly _onDidChangeState = new Emitter<RedisState>();
  readonly onDidChangeState = this._onDidChangeState.event;

  constructor(
    private readonly settings: Settings,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {
    void vscode.commands.executeCommand('setContext', 'concurrencyLab.redisState', 'connecting');
  }

  get state(): RedisState {
    return this._state;
  }

  /** The URL of the Redis in use (no password in it unless the user put one in the setting). */
  get url(): string | undefined {
    return this._url;
  }

  /** Why Redis is unavailable, in words for the user. */
  get problem(): string | undefined {
    return this._problem;
  }

  /** True when the Redis in use is the private redis-server this window started. */
  get embedded(): boolean {
    return this.server !== undefined;
  }

  password(): Thenable<string | undefined> {
    return this.secrets.get(PASSWORD_KEY);
  }

  async setPassword(value: string | undefined): Promise<void> {
    if (value) await this.secrets.store(PASSWORD_KEY, value);
    else await this.secrets.delete(PASSWORD_KEY);
  }

  /** Resolves true once Redis answers; false when it cannot be had (the reason is in `problem`). */
  ensureStarted(): Promise<boolean> {
    if (this._state === 'connected') return Promise.resolve(true);
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Drops the current Redis (stopping a private server) and finds it again, e.g. after a settings change. */
  async restart(): Promise<boolean> {
    await this.starting?.catch(() => undefined);
    await this.stopServer();
    this.setState('idle');
    return this.ensureStarted();
  }

  /** A new connection to the Redis in use; the caller owns it and must `quit()` it. */
  async createClient(name: string): Promise<Redis> {
    if (!this._url) throw new Error('Redis is not connected');
    const client = new Redis(this._url, {
      password: (await this.password()) || undefined,
      connectionName: `concurrency-lab:${name}`,
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    client.on('error', (error: Error) => this.log.warn(`[redis:${name}] ${error.message}`));
    await client.connect();
    return client;
  }

  private async start(): Promise<boolean> {
    this.setState('connecting');
    const { redisUrl, redisServerPath } = this.settings.current;
    let url = redisUrl;
    if (!url) {
      try {
        this.server = await RedisServer.start({
          binary: redisServerPath,
          onOutput: (line) => this.log.debug(`[redis-server] ${line}`),
        });
        url = this.server.url;
        this.log.info(`started a private redis-server (pid ${this.server.pid}) at ${url}`);
      } catch (error) {
        const reason =
          error instanceof RedisServerNotFoundError
            ? vscode.l10n.t('redis-server was not found ("{0}"). Install Redis or set concurrencyLab.redisUrl.', redisServerPath)
            : vscode.l10n.t('The private redis-server did not start: {0}', errorMessage(error));
        return this.fail(reason);
      }
    }
    try {
      const probe = new Redis(url, {
        password: (await this.password()) || undefined,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: 5000,
      });
      probe.on('error', () => undefined); // reported through the rejected connect below
      try {
        await probe.connect();
        await probe.ping();
      } finally {
        probe.disconnect();
      }
    } catch (error) {
      await this.stopServer();
      return this.fail(vscode.l10n.t('Redis at {0} does not answer: {1}', redactUrl(url), errorMessage(error)));
    }
    this._url = url;
    this._problem = undefined;
    this.log.info(`Redis is connected: ${redactUrl(url)}`);
    this.setState('connected');
    return true;
  }

  private fail(reason: string): false {
    this._url = undefined;
    this._problem = reason;
    this.log.error(reason);
    this.setState('unavailable');
    return false;
  }

  private async stopServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this._url = undefined;
    if (server) {
      await server.stop();
      this.log.info(`stopped the private redis-server (pid ${server.pid})`);
    }
  }

  private setState(state: RedisState): void {
    if (this._state === state) return;
    this._state = state;
    void vscode.commands.executeCommand('setContext', 'concurrencyLab.redisState', state === 'idle' ? 'connecting' : state);
    this._onDidChangeState.fire(state);
  }

  /** Stops the private redis-server, if any. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.stopServer();
    this.setState('idle');
  }

  dispose(): void {
    void this.stop();
    this._onDidChangeState.dispose();
  }
}
