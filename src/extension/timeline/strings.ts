// Every string the timeline page shows, in English, each passed through the translator the caller
// gives: the host passes `vscode.l10n.t` (Japanese comes from l10n/bundle.l10n.ja.json, keyed by
// the English text); the page tests pass the identity. Placeholders stay for the page to fill.
import type { TimelineStrings } from '../../shared/timelineProtocol';

export type Translate = (message: string, ...args: string[]) => string;

export function timelineStrings(t: Translate): TimelineStrings {
  return {
    title: t('Concurrency Lab: Timeline'),
    followLive: t('Follow live'),
    paused: t('Paused'),
    zoomIn: t('Zoom in (Ctrl+wheel)'),
    zoomOut: t('Zoom out (Ctrl+wheel)'),
    fitAll: t('Show all tasks'),
    clearHistory: t('Clear history'),
    emptyTitle: t('No tasks yet'),
    emptyHint: t('Run "Concurrency Lab: Publish Job" to send a job to the worker. Each task appears here as a bar that grows while it runs.'),
    publishJob: t('Publish Job'),
    inFlight: t('In flight'),
    loopDelay: t('Event-loop delay (max)'),
    summary: t('{0} running · {1} finished · {2} failed', '{0}', '{1}', '{2}'),
    workerLabel: t('Worker pid {0} on {1} · {2} tasks', '{0}', '{1}', '{2}'),
    stateQueued: t('Waiting'),
    stateRunning: t('Running'),
    stateCompleted: t('Completed'),
    stateFailed: t('Failed'),
    online: t('online'),
    offline: t('offline'),
    tipId: t('Job ID'),
    tipWorker: t('Worker'),
    tipState: t('State'),
    tipCreated: t('Created'),
    tipStarted: t('Started'),
    tipFinished: t('Finished'),
    tipDuration: t('Duration'),
    tipWaited: t('Waited for a slot'),
    tipError: t('Error'),
    tipClick: t('Click to show it in the Tasks view'),
    canvasLabel: t('Timeline of tasks, one lane per task, grouped by worker.'),
  };
}
