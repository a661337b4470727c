// The status bar item: worker state and how many tasks are running right now.
import * as vscode from 'vscode';
import type { TaskModel } from '../shared/taskModel';
import type { RedisManager } from './redisManager';
import type { WorkerHost } from './workerHost';

const REFRESH_MS = 100;

export class WorkerStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('concurrencyLab.status', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly model: TaskModel,
    private readonly redis: RedisManager,
    private readonly workerHost: WorkerHost,
  ) {
    this.item.name = vscode.l10n.t('Concurrency Lab Worker');
    this.item.command = 'workbench.view.extension.concurrencyLab';
    const schedule = () => {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.update();
      }, REFRESH_MS);
    };
    this.disposables.push(model.onDidChange(schedule), redis.onDidChangeState(schedule), workerHost.onDidChangeState(schedule));
    this.update();
    this.item.show();
  }

  private update(): void {
    const running = this.model.runningCount;
    this.item.backgroundColor = undefined;
    if (this.redis.state === 'unavailable') {
      this.item.text = `$(warning) ${vscode.l10n.t('Lab: no Redis')}`;
      this.item.tooltip = this.redis.problem;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      return;
    }
    switch (this.workerHost.state) {
      case 'running':
        this.item.text = `$(server-process) ${vscode.l10n.t('Worker: running · {0} tasks', running)}`;
        break;
      case 'starting':
        this.item.text = `$(loading~spin) ${vscode.l10n.t('Worker: starting')}`;
        break;
      case 'stopping':
        this.item.text = `$(loading~spin) ${vscode.l10n.t('Worker: stopping · {0} tasks', running)}`;
        break;
      case 'stopped':
        this.item.text = `$(debug-stop) ${vscode.l10n.t('Worker: stopped')}`;
        break;
    }
    this.item.tooltip = vscode.l10n.t('Concurrency Lab: {0} task(s) running on all workers. Click to show the tasks.', running);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }
}
