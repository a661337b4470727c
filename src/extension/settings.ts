// Typed access to the `concurrencyLab.*` settings, and one event for changes that matter.
import * as vscode from 'vscode';
import { DEFAULT_JOB_CHANNEL, type Delivery } from '../shared/protocol';
import { Emitter } from '../shared/emitter';

const SECTION = 'concurrencyLab';

export interface SettingsSnapshot {
  readonly redisUrl: string;
  readonly redisServerPath: string;
  readonly channel: string;
  readonly maxConcurrency: number;
  readonly delivery: Delivery;
  readonly autoStartWorker: boolean;
  readonly stopTimeoutMs: number;
  readonly historyLimit: number;
}

export type SettingKey = keyof SettingsSnapshot;

export class Settings implements vscode.Disposable {
  private readonly _onDidChange = new Emitter<ReadonlySet<SettingKey>>();
  /** Fires with the keys that changed. */
  readonly onDidChange = this._onDidChange.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      const keys = new Set<SettingKey>();
      for (const key of KEYS) {
        if (e.affectsConfiguration(`${SECTION}.${key}`)) keys.add(key);
      }
      if (keys.size) this._onDidChange.fire(keys);
    });
  }

  get current(): SettingsSnapshot {
    const c = vscode.workspace.getConfiguration(SECTION);
    const channel = c.get<string>('channel', DEFAULT_JOB_CHANNEL).trim();
    return {
      redisUrl: c.get<string>('redisUrl', '').trim(),
      redisServerPath: c.get<string>('redisServerPath', 'redis-server').trim() || 'redis-server',
      channel: /^\S{1,200}$/.test(channel) ? channel : DEFAULT_JOB_CHANNEL,
      maxConcurrency: nonNegativeInt(c.get<number>('maxConcurrency', 0), 0),
      delivery: c.get<string>('delivery', 'pubsub') === 'stream' ? 'stream' : 'pubsub',
      autoStartWorker: c.get<boolean>('autoStartWorker', true),
      stopTimeoutMs: nonNegativeInt(c.get<number>('stopTimeoutMs', 10_000), 10_000),
      historyLimit: Math.max(10, nonNegativeInt(c.get<number>('historyLimit', 1000), 1000)),
    };
  }

  async update<K extends SettingKey>(key: K, value: SettingsSnapshot[K] | undefined): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChange.dispose();
  }
}

const KEYS: readonly SettingKey[] = [
  'redisUrl', 'redisServerPath', 'channel', 'maxConcurrency', 'delivery', 'autoStartWorker', 'stopTimeoutMs', 'historyLimit',
];

function nonNegativeInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}
