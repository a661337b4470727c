// The sidebar's Tasks view: workers, each with its tasks. Refreshes are coalesced so that a
// 10,000-task burst costs at most ~10 refreshes a second, and long lists are cut with a summary row.
import * as vscode from 'vscode';
import type { TaskModel, TaskView, WorkerView } from '../shared/taskModel';
import type { RedisManager } from './redisManager';
import type { WorkerHost } from './workerHost';

type Node =
  | { readonly kind: 'worker'; readonly workerId: string }
  | { readonly kind: 'task'; readonly key: string; readonly workerId: string }
  | { readonly kind: 'more'; readonly workerId: string; readonly hidden: number };

const REFRESH_MS = 100;
/** While tasks run, their elapsed time is redrawn this often. */
const TICK_MS = 500;
/** Rows per worker; the rest is summarised (the timeline shows them all). */
const MAX_ROWS_PER_WORKER = 200;

export class TaskTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private lastRefresh = 0;
  /** Node objects are kept per key so that `reveal` and `getParent` see the same identities. */
  private readonly workerNodes = new Map<string, Node & { kind: 'worker' }>();
  private readonly taskNodes = new Map<string, Node & { kind: 'task' }>();
  /** Refreshes actually sent to VS Code, for tests and the benchmark. */
  refreshCount = 0;

  constructor(
    private readonly model: TaskModel,
    private readonly redis: RedisManager,
    private readonly workerHost: WorkerHost,
  ) {
    this.disposables.push(
      this._onDidChangeTreeData,
      model.onDidChange(() => this.scheduleRefresh()),
      redis.onDidChangeState(() => this.scheduleRefresh()),
      workerHost.onDidChangeState(() => this.scheduleRefresh()),
    );
  }

  /** At most one refresh per REFRESH_MS, however many changes arrive. */
  scheduleRefresh(): void {
    if (this.refreshTimer) return;
    const wait = Math.max(0, this.lastRefresh + REFRESH_MS - Date.now());
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.lastRefresh = Date.now();
      this.refreshCount++;
      this._onDidChangeTreeData.fire(undefined);
      this.updateTicker();
    }, wait);
  }

  private updateTicker(): void {
    const running = this.model.runningCount > 0;
    if (running && !this.tickTimer) {
      this.tickTimer = setInterval(() => this.scheduleRefresh(), TICK_MS);
    } else if (!running && this.tickTimer) {
      clearInterval(this.tickTimer);
      this.tickTimer = undefined;
    }
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      // No rows while Redis is missing or no worker was ever seen: the view shows its welcome content.
      if (this.redis.state !== 'connected') return [];
      return [...this.model.workers]
        .sort((a, b) => Number(b.state === 'online') - Number(a.state === 'online') || (b.onlineAt ?? 0) - (a.onlineAt ?? 0))
        .map((w) => this.workerNode(w.workerId));
    }
    if (node.kind !== 'worker') return [];
    const tasks = this.model.tasksOf(node.workerId);
    const rows: Node[] = tasks.slice(0, MAX_ROWS_PER_WORKER).map((t) => this.taskNode(t));
    if (tasks.length > MAX_ROWS_PER_WORKER) {
      rows.push({ kind: 'more', workerId: node.workerId, hidden: tasks.length - MAX_ROWS_PER_WORKER });
    }
    return rows;
  }

  getParent(node: Node): Node | undefined {
    return node.kind === 'worker' ? undefined : this.workerNode(node.workerId);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'worker': {
        const w = this.model.worker(node.workerId);
        return w ? this.workerItem(w) : new vscode.TreeItem(node.workerId);
      }
      case 'task': {
        const t = this.model.task(node.key);
        return t ? taskItem(t) : new vscode.TreeItem(node.key);
      }
      case 'more': {
        const item = new vscode.TreeItem(vscode.l10n.t('… and {0} more (see the timeline)', node.hidden));
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'concurrencyLab.openTimeline', title: vscode.l10n.t('Open Timeline') };
        return item;
      }
    }
  }

  /** The tree node of a task, for `TreeView.reveal`. */
  nodeForTask(key: string): Node | undefined {
    const t = this.model.task(key);
    return t ? this.taskNode(t) : undefined;
  }

  private workerNode(workerId: string): Node & { kind: 'worker' } {
    let n = this.workerNodes.get(workerId);
    if (!n) {
      n = { kind: 'worker', workerId };
      this.workerNodes.set(workerId, n);
    }
    return n;
  }

  private taskNode(t: TaskView): Node & { kind: 'task' } {
    let n = this.taskNodes.get(t.key);
    if (!n) {
      n = { kind: 'task', key: t.key, workerId: t.workerId };
      this.taskNodes.set(t.key, n);
      if (this.taskNodes.size > 4 * this.model.historyLimit + 20_000) this.pruneNodes();
    }
    return n;
  }

  private pruneNodes(): void {
    for (const key of this.taskNodes.keys()) {
      if (!this.model.task(key)) this.taskNodes.delete(key);
    }
  }

  private workerItem(w: WorkerView): vscode.TreeItem {
    const ours = w.workerId === this.workerHost.workerId;
    const item = new vscode.TreeItem(
      vscode.l10n.t('Worker {0} @ {1}', w.pid, w.hostname),
      w.running + w.queued > 0 || w.state === 'online' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = `worker:${w.workerId}`;
    const parts = [
      w.state === 'online' ? vscode.l10n.t('online') : vscode.l10n.t('offline'),
      vscode.l10n.t('{0} running', w.running),
    ];
    if (w.queued) parts.push(vscode.l10n.t('{0} queued', w.queued));
    parts.push(vscode.l10n.t('{0} done', w.completed));
    if (w.failed) parts.push(vscode.l10n.t('{0} failed', w.failed));
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon(w.state === 'online' ? 'server-process' : 'debug-disconnect');
    item.contextValue = `worker.${w.state}${ours ? '.bundled' : ''}`;
    const lines = [
      `${ours ? vscode.l10n.t('Bundled worker') : vscode.l10n.t('Worker')} ${w.workerId}`,
      vscode.l10n.t('Process {0} on {1}', w.pid, w.hostname),
    ];
    if (w.cpu !== null) lines.push(vscode.l10n.t('Last ran on CPU core {0}', w.cpu));
    if (w.loopDelay) lines.push(vscode.l10n.t('Event-loop delay: mean {0} ms, max {1} ms', w.loopDelay.meanMs, w.loopDelay.maxMs));
    if (w.maxConcurrency) lines.push(vscode.l10n.t('Concurrency limit: {0}', w.maxConcurrency));
    item.tooltip = lines.join('\n');
    return item;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    clearInterval(this.tickTimer);
    this.disposables.forEach((d) => d.dispose());
  }
}

function taskItem(t: TaskView): vscode.TreeItem {
  // Job text is set as a plain label and a plain-string tooltip: never rendered as markup.
  const item = new vscode.TreeItem(t.label || t.jobId);
  item.id = `task:${t.key}`;
  item.description = describeTask(t);
  item.iconPath = taskIcon(t);
  item.contextValue = `task.${t.state}`;
  const lines = [`${t.jobId} — ${stateText(t)}`];
  if (t.kind) lines.push(vscode.l10n.t('Kind: {0}, {1} ms', t.kind, t.durationMs ?? 0));
  if (t.startedAt) lines.push(vscode.l10n.t('Started {0}', new Date(t.startedAt).toLocaleTimeString()));
  if (t.error) lines.push(t.error);
  item.tooltip = lines.join('\n');
  return item;
}

export function describeTask(t: TaskView, now = Date.now()): string {
  switch (t.state) {
    case 'queued':
      return vscode.l10n.t('queued');
    case 'running':
      return vscode.l10n.t('running {0}', seconds(now - (t.startedAt ?? now)));
    case 'completed':
      return vscode.l10n.t('completed in {0}', seconds((t.finishedAt ?? now) - (t.startedAt ?? now)));
    case 'failed':
      return vscode.l10n.t('failed after {0}', seconds((t.finishedAt ?? now) - (t.startedAt ?? now)));
  }
}

function stateText(t: TaskView): string {
  switch (t.state) {
    case 'queued': return vscode.l10n.t('queued');
    case 'running': return vscode.l10n.t('running');
    case 'completed': return vscode.l10n.t('completed');
    case 'failed': return vscode.l10n.t('failed');
  }
}

function taskIcon(t: TaskView): vscode.ThemeIcon {
  switch (t.state) {
    case 'queued': return new vscode.ThemeIcon('clock');
    case 'running': return new vscode.ThemeIcon('loading~spin');
    case 'completed': return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed': return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  }
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
