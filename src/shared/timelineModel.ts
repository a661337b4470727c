// The timeline's model, free of `vscode` and of the DOM so that both sides and the unit tests use it:
// - host side: `TimelineStore` (tasks and heartbeats from lifecycle events, bounded, with the
//   changes since the last tick) and `TickBatcher` (coalesces model changes into one message per tick);
// - page side: `TimelineData` (the page's copy), `assignLanes` (one lane per task, grouped by
//   worker), `TimeScale` (time ↔ x), `InFlightIndex` (tasks running at a time) and `hitTest`.
import { check, type LifecycleEvent } from './protocol';
import type { TaskView, WorkerView } from './taskModel';
import {
  HostMessageEnvelope,
  TimelineTaskList,
  HEARTBEAT_HISTORY_LIMIT,
  MAX_TIMELINE_WORKERS,
  TIMELINE_HISTORY_LIMIT,
  type HeartbeatPoint,
  type HostMessage,
  type SnapshotMessage,
  type TimelineTask,
  type TimelineWorker,
  type UpdateMessage,
} from './timelineProtocol';

export const ABANDONED_ERROR = 'abandoned when the worker stopped';

// ───────────────────────────── host side ─────────────────────────────

export interface TimelineContent {
  workers: TimelineWorker[];
  tasks: TimelineTask[];
  heartbeats: HeartbeatPoint[];
}

export interface TimelineDelta extends TimelineContent {
  removed: string[];
}

/**
 * What the timeline knows, built from validated lifecycle events. It keeps more history than the
 * task tree (a 10,000-task burst stays whole) and the heartbeat series that the tree does not keep.
 * While `tracking` is on it also remembers what changed, so that one tick sends only that.
 */
export class TimelineStore {
  private readonly workers = new Map<string, TimelineWorker>();
  private readonly active = new Map<string, TimelineTask>();
  /** Finished tasks in finishing order, oldest first. */
  private readonly finished = new Map<string, TimelineTask>();
  private readonly beats = new Map<string, HeartbeatPoint[]>();
  private tracking = false;
  private readonly dirtyTasks = new Set<string>();
  private readonly dirtyWorkers = new Set<string>();
  private readonly removed = new Set<string>();
  private newBeats: HeartbeatPoint[] = [];

  constructor(
    readonly historyLimit = TIMELINE_HISTORY_LIMIT,
    readonly heartbeatLimit = HEARTBEAT_HISTORY_LIMIT,
  ) {}

  /** Takes over what the task model already knows (when the store starts after the model). */
  seed(workers: readonly WorkerView[], tasks: readonly TaskView[]): void {
    for (const w of workers) {
      this.workers.set(w.workerId, fromWorkerView(w));
      this.markWorker(w.workerId);
    }
    const finishedFirst = (t: TaskView) => (t.state === 'completed' || t.state === 'failed' ? t.finishedAt ?? 0 : Number.MAX_SAFE_INTEGER);
    const ordered = [...tasks].sort((a, b) => finishedFirst(a) - finishedFirst(b));
    for (const t of ordered) {
      const task = fromTaskView(t);
      if (task.state === 'completed' || task.state === 'failed') {
        this.active.delete(task.key);
        this.finished.set(task.key, task);
      } else {
        this.active.set(task.key, task);
      }
      this.markTask(task.key);
    }
    this.trim();
  }

  apply(events: readonly LifecycleEvent[]): void {
    for (const event of events) {
      this.applyOne(event);
    }
    this.trim();
  }

  /** Forgets finished tasks and offline workers, as the task model's `clear()` does. */
  clear(): void {
    for (const key of this.finished.keys()) {
      this.markRemoved(key);
    }
    this.finished.clear();
    for (const [id, w] of this.workers) {
      if (w.state === 'offline') {
        this.workers.delete(id);
        this.beats.delete(id);
      }
    }
  }

  get size(): number {
    return this.active.size + this.finished.size;
  }

  task(key: string): TimelineTask | undefined {
    return this.active.get(key) ?? this.finished.get(key);
  }

  /** Everything, for a snapshot. Workers beyond the protocol's bound are the least recently seen ones. */
  snapshot(): TimelineContent {
    const workers = [...this.workers.values()].slice(-MAX_TIMELINE_WORKERS);
    const heartbeats: HeartbeatPoint[] = [];
    for (const w of workers) {
      heartbeats.push(...(this.beats.get(w.workerId) ?? []));
    }
    return { workers, tasks: [...this.finished.values(), ...this.active.values()], heartbeats };
  }

  /** Starts or stops remembering changes; either way what was remembered so far is dropped. */
  setTracking(on: boolean): void {
    this.tracking = on;
    this.discardDelta();
  }

  get hasDelta(): boolean {
    return this.dirtyTasks.size + this.dirtyWorkers.size + this.removed.size + this.newBeats.length > 0;
  }

  /** The changes since the last call (or since tracking began); undefined when there are none. */
  takeDelta(): TimelineDelta | undefined {
    if (!this.hasDelta) return undefined;
    const tasks: TimelineTask[] = [];
    for (const key of this.dirtyTasks) {
      const t = this.task(key);
      if (t) tasks.push({ ...t });
    }
    const workers: TimelineWorker[] = [];
    for (const id of this.dirtyWorkers) {
      const w = this.workers.get(id);
      if (w) workers.push({ ...w });
    }
    const delta: TimelineDelta = { workers: workers.slice(-MAX_TIMELINE_WORKERS), tasks, removed: [...this.removed], heartbeats: this.newBeats };
    this.discardDelta();
    return delta;
  }

  discardDelta(): void {
    this.dirtyTasks.clear();
    this.dirtyWorkers.clear();
    this.removed.clear();
    this.newBeats = [];
  }

  private applyOne(event: LifecycleEvent): void {
    switch (event.type) {
      case 'WorkerOnline': {
        const w = this.ensureWorker(event.workerId, event.pid, event.hostname);
        w.state = 'online';
        w.onlineAt = event.at;
        w.offlineAt = undefined;
        w.maxConcurrency = event.maxConcurrency;
        return;
      }
      case 'WorkerHeartbeat': {
        this.ensureWorker(event.workerId, event.pid, event.hostname);
        const point: HeartbeatPoint = { workerId: event.workerId, at: event.at, loopDelay: { ...event.loopDelay } };
        let series = this.beats.get(event.workerId);
        if (!series) {
          series = [];
          this.beats.set(event.workerId, series);
        }
        series.push(point);
        if (series.length > this.heartbeatLimit) series.splice(0, series.length - this.heartbeatLimit);
        if (this.tracking) this.newBeats.push(point);
        return;
      }
      case 'WorkerOffline': {
        const w = this.ensureWorker(event.workerId, event.pid, event.hostname);
        w.state = 'offline';
        w.offlineAt = event.at;
        for (const t of [...this.active.values()]) {
          if (t.workerId === event.workerId) {
            this.finish(t, 'failed', event.at, ABANDONED_ERROR);
          }
        }
        return;
      }
      case 'TaskQueued': {
        const t = this.ensureTask(event.workerId, event.pid, event.jobId);
        t.state = 'queued';
        t.queuedAt = event.at;
        t.createdAt = event.createdAt;
        return;
      }
      case 'TaskStarted': {
        const t = this.ensureTask(event.workerId, event.pid, event.jobId);
        t.state = 'running';
        t.kind = event.kind;
        t.label = event.label;
        t.seq = event.seq;
        t.durationMs = event.durationMs;
        t.createdAt = event.createdAt;
        t.receivedAt = event.receivedAt;
        t.startedAt = event.at;
        return;
      }
      case 'TaskCompleted':
      case 'TaskFailed': {
        const t = this.ensureTask(event.workerId, event.pid, event.jobId);
        t.startedAt ??= event.startedAt;
        const failed = event.type === 'TaskFailed';
        this.finish(t, failed ? 'failed' : 'completed', event.at, failed ? event.error : undefined);
        return;
      }
    }
  }

  private finish(t: TimelineTask, state: 'completed' | 'failed', at: number, error: string | undefined): void {
    t.state = state;
    t.finishedAt = at;
    t.error = error;
    this.active.delete(t.key);
    this.finished.delete(t.key);
    this.finished.set(t.key, t);
    this.markTask(t.key);
  }

  private trim(): void {
    while (this.finished.size > this.historyLimit) {
      const oldest = this.finished.keys().next().value as string;
      this.finished.delete(oldest);
      this.markRemoved(oldest);
    }
  }

  private ensureWorker(workerId: string, pid: number, hostname: string): TimelineWorker {
    let w = this.workers.get(workerId);
    if (!w) {
      w = { workerId, pid, hostname, state: 'online' };
      this.workers.set(workerId, w);
    }
    this.markWorker(workerId);
    return w;
  }

  private ensureTask(workerId: string, pid: number, jobId: string): TimelineTask {
    const key = `${workerId}/${jobId}`;
    let t = this.active.get(key) ?? this.finished.get(key);
    if (!t) {
      // A task may be heard of before its worker's first heartbeat.
      if (!this.workers.has(workerId)) this.ensureWorker(workerId, pid, workerId.split(':')[0] || 'unknown');
      t = { key, jobId, workerId, state: 'queued' };
      this.active.set(key, t);
    }
    this.markTask(key);
    return t;
  }

  private markTask(key: string): void {
    if (!this.tracking) return;
    this.dirtyTasks.add(key);
    this.removed.delete(key);
  }

  private markRemoved(key: string): void {
    if (!this.tracking) return;
    this.dirtyTasks.delete(key);
    this.removed.add(key);
  }

  private markWorker(id: string): void {
    if (this.tracking) this.dirtyWorkers.add(id);
  }
}

function fromWorkerView(w: WorkerView): TimelineWorker {
  return { workerId: w.workerId, pid: w.pid, hostname: w.hostname, state: w.state, onlineAt: w.onlineAt, offlineAt: w.offlineAt, maxConcurrency: w.maxConcurrency };
}

function fromTaskView(t: TaskView): TimelineTask {
  return {
    key: t.key,
    jobId: t.jobId,
    workerId: t.workerId,
    state: t.state,
    kind: t.kind,
    label: t.label,
    seq: t.seq,
    durationMs: t.durationMs,
    createdAt: t.createdAt,
    receivedAt: t.receivedAt,
    queuedAt: t.queuedAt,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
    error: t.error,
  };
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Coalesces many changes into one flush per tick: the first `poke()` after a flush schedules the
 * next one `intervalMs` later, and the pokes in between cost nothing. A status batch arrives every
 * 50 ms per worker, so a tick of 100 ms sends at most one message for several of them.
 */
export class TickBatcher {
  private handle: unknown;
  private disposed = false;

  constructor(
    private readonly flush: () => void,
    readonly intervalMs = 100,
    private readonly timers: Timers = realTimers,
  ) {}

  get pending(): boolean {
    return this.handle !== undefined;
  }

  poke(): void {
    if (this.disposed || this.handle !== undefined) return;
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      if (!this.disposed) this.flush();
    }, this.intervalMs);
  }

  /** Drops a scheduled flush (its changes are sent with the next one, or in a snapshot). */
  cancel(): void {
    if (this.handle !== undefined) {
      this.timers.clearTimeout(this.handle);
      this.handle = undefined;
    }
  }

  dispose(): void {
    this.cancel();
    this.disposed = true;
  }
}

// ───────────────────────────── page side ─────────────────────────────

/** Where a task sits in time: its bar and, before it, the time it waited for a free slot. */
export interface TaskSpan {
  /** The bar: from start to finish (or to now while it runs). Absent while the task waits. */
  readonly barFrom?: number;
  readonly barTo?: number;
  /** The wait: from arrival to start (or to now, or to the end if it never started). */
  readonly waitFrom?: number;
  readonly waitTo?: number;
}

export function taskSpan(t: TimelineTask, now: number): TaskSpan {
  const end = t.finishedAt ?? now;
  const arrived = t.queuedAt;
  if (t.startedAt !== undefined) {
    const barTo = Math.max(t.startedAt, t.state === 'running' ? now : end);
    return arrived !== undefined && arrived < t.startedAt
      ? { barFrom: t.startedAt, barTo, waitFrom: arrived, waitTo: t.startedAt }
      : { barFrom: t.startedAt, barTo };
  }
  const from = arrived ?? t.receivedAt ?? t.createdAt;
  return from === undefined ? {} : { waitFrom: from, waitTo: Math.max(from, end) };
}

/** The order of lanes inside one worker: by arrival, then publish order, then id. */
function arrival(t: TimelineTask): number {
  return t.queuedAt ?? t.receivedAt ?? t.startedAt ?? t.createdAt ?? t.finishedAt ?? Number.MAX_SAFE_INTEGER;
}

export function compareTasks(a: TimelineTask, b: TimelineTask): number {
  return arrival(a) - arrival(b) || (a.seq ?? 0) - (b.seq ?? 0) || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0);
}

export interface RowMetrics {
  /** Height of a worker's header row, in CSS pixels. */
  readonly header: number;
  /** Height of one task lane. */
  readonly lane: number;
}

export interface LayoutRow {
  readonly kind: 'worker' | 'task';
  readonly workerId: string;
  /** The task's key (task rows only). */
  readonly key?: string;
  /** Tasks in this worker's group (header rows only). */
  readonly tasks?: number;
  /** The index of the group's header row (task rows only). */
  readonly header?: number;
  readonly headersBefore: number;
  readonly lanesBefore: number;
}

/** Rows top to bottom: for every worker a header row, then one lane per task. */
export class LaneLayout {
  private readonly index = new Map<string, number>();
  readonly laneCount: number;
  readonly headerCount: number;

  constructor(readonly rows: readonly LayoutRow[]) {
    let lanes = 0;
    let headers = 0;
    rows.forEach((row, i) => {
      if (row.kind === 'task') {
        lanes++;
        if (row.key !== undefined) this.index.set(row.key, i);
      } else {
        headers++;
      }
    });
    this.laneCount = lanes;
    this.headerCount = headers;
  }

  indexOf(key: string): number | undefined {
    return this.index.get(key);
  }

  top(i: number, m: RowMetrics): number {
    const row = this.rows[i];
    if (!row) return this.totalHeight(m);
    return row.headersBefore * m.header + row.lanesBefore * m.lane;
  }

  height(i: number, m: RowMetrics): number {
    return this.rows[i]?.kind === 'worker' ? m.header : m.lane;
  }

  totalHeight(m: RowMetrics): number {
    return this.headerCount * m.header + this.laneCount * m.lane;
  }

  /** The row at a content y, or -1 outside all rows. */
  rowAt(y: number, m: RowMetrics): number {
    if (y < 0 || y >= this.totalHeight(m)) return -1;
    let lo = 0;
    let hi = this.rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.top(mid, m) <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The rows that overlap [y0, y1): first index and one past the last. */
  visible(y0: number, y1: number, m: RowMetrics): { first: number; end: number } {
    if (this.rows.length === 0 || y1 <= 0) return { first: 0, end: 0 };
    const first = Math.max(0, this.rowAt(Math.max(0, y0), m));
    const last = this.rowAt(Math.min(y1, this.totalHeight(m)) - 0.001, m);
    return { first, end: last < 0 ? this.rows.length : last + 1 };
  }
}

/** Worker groups ordered by when they came online, then pid; workers the page never saw come last. */
export function compareWorkers(a: TimelineWorker, b: TimelineWorker): number {
  return (a.onlineAt ?? Number.MAX_SAFE_INTEGER) - (b.onlineAt ?? Number.MAX_SAFE_INTEGER) || a.pid - b.pid || (a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : 0);
}

/** One lane per task, grouped under their worker (pid, host). Workers without tasks keep a header. */
export function assignLanes(workers: Iterable<TimelineWorker>, tasks: Iterable<TimelineTask>): LaneLayout {
  const groups = new Map<string, TimelineTask[]>();
  for (const w of [...workers].sort(compareWorkers)) {
    groups.set(w.workerId, []);
  }
  for (const t of tasks) {
    let group = groups.get(t.workerId);
    if (!group) {
      group = [];
      groups.set(t.workerId, group);
    }
    group.push(t);
  }
  const rows: LayoutRow[] = [];
  let headers = 0;
  let lanes = 0;
  for (const [workerId, group] of groups) {
    group.sort(compareTasks);
    const header = rows.length;
    rows.push({ kind: 'worker', workerId, tasks: group.length, headersBefore: headers, lanesBefore: lanes });
    headers++;
    for (const t of group) {
      rows.push({ kind: 'task', workerId, key: t.key, header, headersBefore: headers, lanesBefore: lanes });
      lanes++;
    }
  }
  return new LaneLayout(rows);
}

export const HEADER_ROW_PX = 20;
export const MIN_LANE_PX = 2;
export const MAX_LANE_PX = 12;

/** Lanes as tall as fit the available height, between 2 and 12 px; beyond that the view scrolls. */
export function fitRows(layout: LaneLayout, availablePx: number): RowMetrics {
  const room = availablePx - layout.headerCount * HEADER_ROW_PX;
  const lane = layout.laneCount === 0 ? MAX_LANE_PX : Math.floor(room / layout.laneCount);
  return { header: HEADER_ROW_PX, lane: Math.min(MAX_LANE_PX, Math.max(MIN_LANE_PX, lane)) };
}

export const MIN_SPAN_MS = 20;
export const MAX_SPAN_MS = 6 * 60 * 60 * 1000;
export const DEFAULT_SPAN_MS = 10_000;

/** Tick steps a person reads easily: 1-2-5 below a second, then seconds, minutes and hours. */
const TICK_STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000,
  60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 10_800_000, 21_600_000,
];

export function clampSpan(spanMs: number): number {
  return Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, spanMs));
}

/** Maps the time window [start, end] onto [0, width] pixels. */
export class TimeScale {
  readonly start: number;
  readonly end: number;

  constructor(start: number, end: number, readonly width: number) {
    const span = clampSpan(end - start);
    this.start = start;
    this.end = start + span;
  }

  /** The window that ends now (follow-live). */
  static endingAt(end: number, spanMs: number, width: number): TimeScale {
    const span = clampSpan(spanMs);
    return new TimeScale(end - span, end, width);
  }

  get span(): number {
    return this.end - this.start;
  }

  x(t: number): number {
    return ((t - this.start) / this.span) * this.width;
  }

  t(x: number): number {
    return this.start + (x / this.width) * this.span;
  }

  /** Zooms by `factor` (< 1 zooms in) keeping the time under `anchor` where it is. */
  zoom(factor: number, anchor: number): TimeScale {
    const span = clampSpan(this.span * factor);
    const ratio = (anchor - this.start) / this.span;
    const start = anchor - ratio * span;
    return new TimeScale(start, start + span, this.width);
  }

  pan(deltaMs: number): TimeScale {
    return new TimeScale(this.start + deltaMs, this.end + deltaMs, this.width);
  }

  /** Ticks at least `minPx` apart, on round times. */
  ticks(minPx = 90): { step: number; ticks: number[] } {
    const raw = (minPx / Math.max(1, this.width)) * this.span;
    const step = TICK_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 3_600_000) * 3_600_000;
    const ticks: number[] = [];
    // Ticks sit on round local times: align to the step in the local time zone.
    const offset = new Date(this.start).getTimezoneOffset() * 60_000;
    for (let t = Math.ceil((this.start - offset) / step) * step + offset; t <= this.end; t += step) {
      ticks.push(t);
    }
    return { step, ticks };
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A wall-clock time as HH:MM:SS, with milliseconds when the tick step is below a second. */
export function formatClock(t: number, stepMs = 1000): string {
  const d = new Date(t);
  const base = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (stepMs >= 1000) return base;
  const ms = pad(d.getMilliseconds(), 3);
  return `${base}.${stepMs >= 100 ? ms.slice(0, 1) : stepMs >= 10 ? ms.slice(0, 2) : ms}`;
}

/** A duration for people: 850 ms, 1.25 s, 2 min 5 s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** First index in a sorted array whose value is greater than `t`. */
function upperBound(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How many tasks of a worker ran at a time: tasks started at or before t, minus tasks finished at
 * or before t. Counted from the bars themselves, so the series matches what the lanes show.
 */
export class InFlightIndex {
  private readonly starts = new Map<string, Float64Array>();
  private readonly ends = new Map<string, Float64Array>();

  constructor(tasks: Iterable<TimelineTask>) {
    const starts = new Map<string, number[]>();
    const ends = new Map<string, number[]>();
    const push = (m: Map<string, number[]>, id: string, t: number) => {
      let list = m.get(id);
      if (!list) m.set(id, (list = []));
      list.push(t);
    };
    for (const t of tasks) {
      if (t.startedAt === undefined) continue;
      push(starts, t.workerId, t.startedAt);
      if (t.finishedAt !== undefined && t.state !== 'running') push(ends, t.workerId, Math.max(t.startedAt, t.finishedAt));
    }
    for (const [id, list] of starts) this.starts.set(id, Float64Array.from(list).sort());
    for (const [id, list] of ends) this.ends.set(id, Float64Array.from(list).sort());
  }

  countAt(workerId: string, t: number): number {
    const s = this.starts.get(workerId);
    if (!s) return 0;
    const e = this.ends.get(workerId);
    return upperBound(s, t) - (e ? upperBound(e, t) : 0);
  }

}

/** The page's copy of the timeline: applies snapshots and updates, keeps the layout current. */
export class TimelineData {
  readonly tasks = new Map<string, TimelineTask>();
  readonly workers = new Map<string, TimelineWorker>();
  readonly heartbeats = new Map<string, HeartbeatPoint[]>();
  /** Increases with every change, so the page knows when to redraw. */
  version = 0;
  private layoutCache: LaneLayout | undefined;
  private inFlightCache: InFlightIndex | undefined;
  private countsCache: TaskCounts | undefined;

  constructor(readonly heartbeatLimit = HEARTBEAT_HISTORY_LIMIT) {}

  applySnapshot(message: Pick<SnapshotMessage, 'workers' | 'tasks' | 'heartbeats'>): void {
    this.tasks.clear();
    this.workers.clear();
    this.heartbeats.clear();
    for (const w of message.workers) this.workers.set(w.workerId, w);
    for (const t of message.tasks) this.tasks.set(t.key, t);
    this.addHeartbeats(message.heartbeats);
    this.changed(true);
  }

  applyUpdate(message: Pick<UpdateMessage, 'workers' | 'tasks' | 'removed' | 'heartbeats'>): void {
    let reorder = message.removed.length > 0 || message.workers.some((w) => {
      const old = this.workers.get(w.workerId);
      return !old || old.onlineAt !== w.onlineAt;
    });
    for (const w of message.workers) this.workers.set(w.workerId, w);
    for (const key of message.removed) this.tasks.delete(key);
    for (const t of message.tasks) {
      const old = this.tasks.get(t.key);
      if (!old || arrival(old) !== arrival(t) || old.seq !== t.seq) reorder = true;
      this.tasks.set(t.key, t);
    }
    this.addHeartbeats(message.heartbeats);
    this.changed(reorder);
  }

  get isEmpty(): boolean {
    return this.tasks.size === 0;
  }

  layout(): LaneLayout {
    return (this.layoutCache ??= assignLanes(this.workers.values(), this.tasks.values()));
  }

  inFlight(): InFlightIndex {
    return (this.inFlightCache ??= new InFlightIndex(this.tasks.values()));
  }

  counts(): TaskCounts {
    if (!this.countsCache) {
      const c = { queued: 0, running: 0, completed: 0, failed: 0 };
      for (const t of this.tasks.values()) c[t.state]++;
      this.countsCache = c;
    }
    return this.countsCache;
  }

  /** The time range the data covers (running tasks reach `now`). */
  extent(now: number): { from: number; to: number } | undefined {
    let from = Infinity;
    let to = -Infinity;
    for (const t of this.tasks.values()) {
      const s = taskSpan(t, now);
      const a = s.waitFrom ?? s.barFrom;
      const b = s.barTo ?? s.waitTo;
      if (a !== undefined && a < from) from = a;
      if (b !== undefined && b > to) to = b;
    }
    return from <= to ? { from, to } : undefined;
  }

  private addHeartbeats(points: readonly HeartbeatPoint[]): void {
    for (const p of points) {
      let series = this.heartbeats.get(p.workerId);
      if (!series) this.heartbeats.set(p.workerId, (series = []));
      series.push(p);
    }
    for (const series of this.heartbeats.values()) {
      if (points.length) series.sort((a, b) => a.at - b.at);
      if (series.length > this.heartbeatLimit) series.splice(0, series.length - this.heartbeatLimit);
    }
  }

  private changed(reorder: boolean): void {
    this.version++;
    if (reorder) this.layoutCache = undefined;
    this.inFlightCache = undefined;
    this.countsCache = undefined;
  }
}

export interface TaskCounts {
  queued: number;
  running: number;
  completed: number;
  failed: number;
}

/** The task whose bar (or wait) is under the point, with a few pixels of slack for thin bars. */
export function hitTest(
  data: TimelineData,
  scale: TimeScale,
  metrics: RowMetrics,
  x: number,
  contentY: number,
  now: number,
  slackPx = 3,
): TimelineTask | undefined {
  const layout = data.layout();
  const row = layout.rows[layout.rowAt(contentY, metrics)];
  if (!row || row.kind !== 'task' || row.key === undefined) return undefined;
  const task = data.tasks.get(row.key);
  if (!task) return undefined;
  const span = taskSpan(task, now);
  const from = Math.min(span.waitFrom ?? Infinity, span.barFrom ?? Infinity);
  const to = Math.max(span.waitTo ?? -Infinity, span.barTo ?? -Infinity);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return undefined;
  const x0 = scale.x(from) - slackPx;
  const x1 = Math.max(scale.x(to), scale.x(from) + 1) + slackPx;
  return x >= x0 && x <= x1 ? task : undefined;
}

/** Heartbeats inside [t0, t1], plus one on each side so that the line reaches the edges. */
export function pointsIn(series: readonly HeartbeatPoint[], t0: number, t1: number): readonly HeartbeatPoint[] {
  let lo = 0;
  let hi = series.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (series[mid]!.at < t0) lo = mid + 1;
    else hi = mid;
  }
  const first = Math.max(0, lo - 1);
  let end = first;
  while (end < series.length && series[end]!.at <= t1) end++;
  return series.slice(first, Math.min(series.length, end + 1));
}

/**
 * The page's inbox. A message's envelope is checked when it arrives; its tasks are checked in
 * slices by `work(budget)`, called once a frame, so that a 10,000-task snapshot or a busy tick
 * never stalls drawing. A message is handed on only once all of it passed, and in arrival order;
 * a snapshot makes the messages still waiting before it moot.
 */
export class HostMessageQueue {
  private readonly queue: { envelope: HostMessageEnvelope; checked: TimelineTask[] }[] = [];

  constructor(
    private readonly deliver: (message: HostMessage) => void,
    private readonly reject: (reason: string) => void,
    readonly sliceSize = 250,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  push(raw: unknown): void {
    const envelope = check(HostMessageEnvelope, raw);
    if (!envelope.ok) {
      this.reject(envelope.reason);
      return;
    }
    if (envelope.value.type === 'snapshot') this.queue.length = 0;
    this.queue.push({ envelope: envelope.value, checked: [] });
  }

  /** Checks and delivers until `budgetMs` is spent (at least one slice); true while work remains. */
  work(budgetMs: number): boolean {
    const deadline = this.clock() + budgetMs;
    let first = true;
    while (this.queue.length) {
      const head = this.queue[0]!;
      const tasks = head.envelope.tasks;
      while (head.checked.length < tasks.length) {
        if (!first && this.clock() >= deadline) return true;
        first = false;
        const from = head.checked.length;
        const slice = check(TimelineTaskList, tasks.slice(from, from + this.sliceSize));
        if (!slice.ok) {
          this.queue.shift();
          this.reject(`tasks.${slice.reason.replace(/^(\d+)/, (i) => String(from + Number(i)))}`);
          break;
        }
        for (const t of slice.value) head.checked.push(t);
      }
      if (this.queue[0] !== head) continue;
      this.queue.shift();
      this.deliver({ ...head.envelope, tasks: head.checked } as HostMessage);
    }
    return false;
  }
}
