// The parts that `extension.ts` builds once and hands to every feature (tree, timeline,
// walkthrough, labs). Features take what they need from here and never build their own.
import type * as vscode from 'vscode';
import type { TaskModel } from '../shared/taskModel';
import type { RedisManager } from './redisManager';
import type { JobPublisher } from './jobPublisher';
import type { WorkerHost } from './workerHost';
import type { Settings } from './settings';

export interface Services {
  readonly context: vscode.ExtensionContext;
  /** The "Concurrency Lab" LogOutputChannel: extension and worker log lines. */
  readonly log: vscode.LogOutputChannel;
  /** Workers and tasks, fed by every validated StatusBatch on the status channel. */
  readonly model: TaskModel;
  /** The Redis in use (configured URL or the private redis-server) and its state. */
  readonly redis: RedisManager;
  /** The producer: publishes JobCreated events. */
  readonly publisher: JobPublisher;
  /** The bundled worker process (dist/worker.js) forked by the extension. */
  readonly workerHost: WorkerHost;
  readonly settings: Settings;
}
