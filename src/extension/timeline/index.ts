// The live timeline: command `concurrencyLab.openTimeline` opens a panel beside the editor that
// draws every task as a bar and every worker's in-flight count and event-loop delay. The store is
// fed from the task model from activation on, so a burst that ran before the panel opened is there.
import * as vscode from 'vscode';
import { TimelineStore } from '../../shared/timelineModel';
import { TIMELINE_HISTORY_LIMIT } from '../../shared/timelineProtocol';
import type { Services } from '../services';
import { TimelinePanel } from './timelinePanel';

export function registerTimeline(services: Services): vscode.Disposable {
  const { model, settings } = services;
  const store = new TimelineStore(Math.max(TIMELINE_HISTORY_LIMIT, settings.current.historyLimit));
  store.seed(model.workers, [...model.finishedTasks, ...model.activeTasks]);
  let panel: TimelinePanel | undefined;

  const subscription = model.onDidChange(({ events }) => {
    // The model fires with no events only when its history was cleared.
    if (events.length === 0) {
      store.clear();
      panel?.channel.storeReset();
      return;
    }
    store.apply(events);
    panel?.channel.storeChanged();
  });

  const open = vscode.commands.registerCommand('concurrencyLab.openTimeline', () => {
    if (panel) {
      panel.reveal();
      return;
    }
    panel = new TimelinePanel(services, store, () => {
      panel = undefined;
    });
  });

  return vscode.Disposable.from(subscription, open, { dispose: () => panel?.dispose() });
}
