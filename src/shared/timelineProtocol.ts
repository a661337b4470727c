// The messages between the timeline panel's host (extension side) and its page (webview side).
// Declared once here, one zod schema per message, and checked on arrival on both sides: the page
// never trusts what it is posted, and the host never trusts what the page posts back.
// No `vscode`, no DOM, no Node-only modules: both bundles import this file.
import { z } from 'zod';
import { JobKind, LoopDelay } from './protocol';

/** Finished tasks the timeline keeps (the running and queued ones are always kept). */
export const TIMELINE_HISTORY_LIMIT = 20_000;
/** Heartbeat points kept per worker (about ten minutes at one heartbeat a second). */
export const HEARTBEAT_HISTORY_LIMIT = 600;
/** Workers the timeline shows; more than this on one channel is not a lesson any more. */
export const MAX_TIMELINE_WORKERS = 256;
/** A sanity bound on the tasks one message may carry (history plus everything in flight). */
export const MAX_TASKS_PER_MESSAGE = 200_000;

const epochMs = z.number().int().nonnegative();
const count = z.number().int().nonnegative();
const taskKey = z.string().min(1).max(400);
const workerId = z.string().min(1).max(256);

export const TimelineTaskState = z.enum(['queued', 'running', 'completed', 'failed']);
export type TimelineTaskState = z.infer<typeof TimelineTaskState>;

/** One task as the timeline draws it: a lane, a bar from `startedAt` to `finishedAt` (or now). */
export const TimelineTask = z.object({
  /** `workerId/jobId`, the same key as the task tree's (see TaskModel). */
  key: taskKey,
  jobId: z.string().min(1).max(128),
  workerId,
  state: TimelineTaskState,
  kind: JobKind.optional(),
  label: z.string().max(200).optional(),
  seq: count.optional(),
  durationMs: count.optional(),
  createdAt: epochMs.optional(),
  /** When the worker received the job (the start of its wait, if it had to queue). */
  receivedAt: epochMs.optional(),
  queuedAt: epochMs.optional(),
  startedAt: epochMs.optional(),
  finishedAt: epochMs.optional(),
  error: z.string().max(1000).optional(),
});
export type TimelineTask = z.infer<typeof TimelineTask>;

export const TimelineWorker = z.object({
  workerId,
  pid: z.number().int().positive(),
  hostname: z.string().min(1).max(255),
  state: z.enum(['online', 'offline']),
  onlineAt: epochMs.optional(),
  offlineAt: epochMs.optional(),
  /** 0 means no limit. */
  maxConcurrency: count.optional(),
});
export type TimelineWorker = z.infer<typeof TimelineWorker>;

/**
 * The event-loop delay one heartbeat reported. (The in-flight series is not taken from heartbeats:
 * the page counts it from the task bars themselves, which is exact and as fresh as the bars.)
 */
export const HeartbeatPoint = z.object({
  workerId,
  at: epochMs,
  loopDelay: LoopDelay,
});
export type HeartbeatPoint = z.infer<typeof HeartbeatPoint>;

/** Every string the page shows. The host fills them with `vscode.l10n.t`, so the page needs no bundle of its own. */
export const TimelineStrings = z.object({
  title: z.string().max(200),
  followLive: z.string().max(200),
  paused: z.string().max(200),
  zoomIn: z.string().max(200),
  zoomOut: z.string().max(200),
  fitAll: z.string().max(200),
  clearHistory: z.string().max(200),
  emptyTitle: z.string().max(200),
  emptyHint: z.string().max(400),
  publishJob: z.string().max(200),
  inFlight: z.string().max(200),
  loopDelay: z.string().max(200),
  /** `{0}` running, `{1}` finished, `{2}` failed. */
  summary: z.string().max(200),
  /** `{0}` pid, `{1}` host, `{2}` tasks. */
  workerLabel: z.string().max(200),
  stateQueued: z.string().max(200),
  stateRunning: z.string().max(200),
  stateCompleted: z.string().max(200),
  stateFailed: z.string().max(200),
  online: z.string().max(200),
  offline: z.string().max(200),
  tipId: z.string().max(200),
  tipWorker: z.string().max(200),
  tipState: z.string().max(200),
  tipCreated: z.string().max(200),
  tipStarted: z.string().max(200),
  tipFinished: z.string().max(200),
  tipDuration: z.string().max(200),
  tipWaited: z.string().max(200),
  tipError: z.string().max(200),
  /** Shown under the tooltip: what a click does. */
  tipClick: z.string().max(200),
  canvasLabel: z.string().max(400),
});
export type TimelineStrings = z.infer<typeof TimelineStrings>;

// ── host → page ──

/** The whole picture; replaces whatever the page had. Sent in answer to `ready`. */
export const SnapshotMessage = z.object({
  type: z.literal('snapshot'),
  /** The host's clock when sent; the page draws "now" on this clock (the webview may run elsewhere). */
  now: epochMs,
  locale: z.string().max(35),
  strings: TimelineStrings,
  workers: z.array(TimelineWorker).max(MAX_TIMELINE_WORKERS),
  tasks: z.array(TimelineTask).max(MAX_TASKS_PER_MESSAGE),
  heartbeats: z.array(HeartbeatPoint).max(MAX_TIMELINE_WORKERS * HEARTBEAT_HISTORY_LIMIT),
});
export type SnapshotMessage = z.infer<typeof SnapshotMessage>;

/** What changed since the last message: tasks and workers replace the page's copy by key. */
export const UpdateMessage = z.object({
  type: z.literal('update'),
  now: epochMs,
  workers: z.array(TimelineWorker).max(MAX_TIMELINE_WORKERS),
  tasks: z.array(TimelineTask).max(MAX_TASKS_PER_MESSAGE),
  /** Tasks dropped from the bounded history. */
  removed: z.array(taskKey).max(MAX_TASKS_PER_MESSAGE),
  heartbeats: z.array(HeartbeatPoint).max(MAX_TIMELINE_WORKERS * HEARTBEAT_HISTORY_LIMIT),
});
export type UpdateMessage = z.infer<typeof UpdateMessage>;

export const HostMessage = z.discriminatedUnion('type', [SnapshotMessage, UpdateMessage]);
export type HostMessage = z.infer<typeof HostMessage>;

/**
 * The same two messages with the task list left for later: a page that must stay at 60 frames/s
 * checks the envelope at once and the tasks in slices of `TimelineTaskList` between frames.
 * A message is valid against `HostMessage` exactly when its envelope and every slice are.
 */
const uncheckedTasks = z.array(z.unknown()).max(MAX_TASKS_PER_MESSAGE);
export const HostMessageEnvelope = z.discriminatedUnion('type', [
  SnapshotMessage.extend({ tasks: uncheckedTasks }),
  UpdateMessage.extend({ tasks: uncheckedTasks }),
]);
export type HostMessageEnvelope = z.infer<typeof HostMessageEnvelope>;
export const TimelineTaskList = z.array(TimelineTask);

// ── page → host ──  (strict: the page is the less trusted side, so extra keys are refused too)

/** The page has loaded, or became visible again, and wants a full snapshot. */
export const ReadyMessage = z.object({ type: z.literal('ready') }).strict();
/** The learner clicked a task: show it in the Tasks tree. */
export const RevealTaskMessage = z.object({ type: z.literal('revealTask'), key: taskKey }).strict();
/** The empty state's button: run Concurrency Lab: Publish Job. */
export const PublishJobMessage = z.object({ type: z.literal('publishJob') }).strict();
/** The toolbar's Clear History button. */
export const ClearHistoryMessage = z.object({ type: z.literal('clearHistory') }).strict();

export const WebviewMessage = z.discriminatedUnion('type', [ReadyMessage, RevealTaskMessage, PublishJobMessage, ClearHistoryMessage]);
export type WebviewMessage = z.infer<typeof WebviewMessage>;
