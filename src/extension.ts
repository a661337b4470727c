// The composition root: builds the parts, registers them with `context.subscriptions`, and
// nothing else. `deactivate()` returns the promise that stops the worker and the private Redis.
import * as vscode from 'vscode';
import { TaskModel } from './shared/taskModel';
import { errorMessage } from './shared/log';
import { Settings } from './extension/settings';
import { RedisManager } from './extension/redisManager';
import { JobPublisher } from './extension/jobPublisher';
import { WorkerHost } from './extension/workerHost';
import { StatusWatcher } from './extension/statusWatcher';
import { TaskTreeProvider } from './extension/taskTree';
import { WorkerStatusBar } from './extension/statusBar';
import { registerCommands } from './extension/commands';
import { registerLabs } from './extension/labs';
import type { Services } from './extension/services';
import { registerTimeline } from './extension/timeline';
import { registerWalkthrough } from './extension/walkthrough';

/** What `activate` returns: the tests reach the live parts through it. */
export interface ConcurrencyLabApi {
  readonly services: Services;
  readonly tree: TaskTreeProvider;
}

let stopAll: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): ConcurrencyLabApi {
  const log = vscode.window.createOutputChannel('Concurrency Lab', { log: true });
  const settings = new Settings();
  const model = new TaskModel(settings.current.historyLimit);
  const redis = new RedisManager(settings, context.secrets, log);
  const publisher = new JobPublisher(redis, settings, log);
  const workerHost = new WorkerHost(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath, redis, settings, log);
  const services: Services = { context, log, model, redis, publisher, workerHost, settings };

  const tree = new TaskTreeProvider(model, redis, workerHost);
  const treeView = vscode.window.createTreeView('concurrencyLab.tasks', { treeDataProvider: tree, showCollapseAll: true });

  // The log and the private Redis are not in `context.subscriptions`: VS Code disposes those right
  // after calling deactivate() without waiting for it, and the worker still needs both while it drains.
  context.subscriptions.push(
    settings,
    { dispose: () => model.dispose() },
    publisher,
    new StatusWatcher(redis, settings, model, log),
    tree,
    treeView,
    new WorkerStatusBar(model, redis, workerHost),
    registerCommands(services),
    vscode.commands.registerCommand('concurrencyLab.revealTask', async (key: unknown) => {
      const node = typeof key === 'string' ? tree.nodeForTask(key) : undefined;
      if (node) await treeView.reveal(node, { select: true, focus: false, expand: true });
      else void vscode.window.showInformationMessage(vscode.l10n.t('That task is no longer in the tree: it keeps the last {0} finished tasks.', settings.current.historyLimit));
    }),
    settings.onDidChange((keys) => void applySettings(keys, services)),
    // ── features ──
    registerLabs(services),
    registerTimeline(services),
    registerWalkthrough(services),
  );

  let stopping: Promise<void> | undefined;
  stopAll = () =>
    (stopping ??= (async () => {
      await workerHost.dispose();
      await redis.stop();
      redis.dispose();
      log.dispose();
    })());

  void startUp(services);
  return { services, tree };
}

export function deactivate(): Promise<void> | undefined {
  return stopAll?.();
}

async function startUp({ redis, workerHost, settings, log }: Services): Promise<void> {
  if (!(await redis.ensureStarted())) {
    const action = await vscode.window.showWarningMessage(
      vscode.l10n.t('Concurrency Lab has no Redis: {0}', redis.problem ?? ''),
      vscode.l10n.t('Set Redis URL'),
      vscode.l10n.t('Show Log'),
    );
    if (action === vscode.l10n.t('Set Redis URL')) void vscode.commands.executeCommand('concurrencyLab.setRedisUrl');
    else if (action) log.show();
    return;
  }
  if (settings.current.autoStartWorker) {
    await workerHost.start().catch((error: unknown) => {
      void vscode.window.showErrorMessage(vscode.l10n.t('The worker did not start: {0}', errorMessage(error)));
    });
  }
}

/** A changed Redis means a new Redis and a new worker; a changed worker setting means a new worker. */
async function applySettings(keys: ReadonlySet<string>, { redis, workerHost, model, settings, log }: Services): Promise<void> {
  try {
    if (keys.has('historyLimit')) model.historyLimit = settings.current.historyLimit;
    const redisChanged = keys.has('redisUrl') || keys.has('redisServerPath');
    const workerChanged = ['channel', 'maxConcurrency', 'delivery', 'stopTimeoutMs'].some((k) => keys.has(k));
    if (!redisChanged && !workerChanged) return;
    const wasRunning = workerHost.state === 'running' || workerHost.state === 'starting';
    if (redisChanged) {
      await workerHost.stop();
      if (!(await redis.restart())) return;
    }
    if (wasRunning || (redisChanged && settings.current.autoStartWorker)) {
      log.info(`settings changed (${[...keys].join(', ')}): restarting the worker`);
      await workerHost.restart();
    }
  } catch (error) {
    log.error(`applying settings: ${errorMessage(error)}`);
  }
}
