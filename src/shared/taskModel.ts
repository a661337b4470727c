// The watcher's picture of workers and their tasks, built only from validated lifecycle events.
// Shared by the extension (tree, status bar, lens) and the tests; no `vscode`, no Node-only modules.
import type { JobKind, LifecycleEvent, LoopDelay, StatusBatch } from './protocol';
import { Emitter, type Event } from './emitter';

export type TaskState = 'queued' | 'running' | 'completed' | 'failed';
export type WorkerState = 'online' | 'offline';

export interface TaskView {
  /** `workerId/jobId`: one job may run on several workers (Pub/Sub fans out). */
  readonly key: string;
  readonly jobId: string;
  readonly workerId: string;
  readonly pid: number;
  state: TaskState;
  kind?: JobKind;
  label?: string;
  seq?: number;
  durationMs?: number;
  createdAt?: number;
  receivedAt?: number;
  queuedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
}

export interface WorkerView {
  readonly workerId: string;
  readonly pid: number;
  readonly hostname: string;
  state: WorkerState;
  onlineAt?: number;
  offlineAt?: number;
  lastSeen: number;
  channel?: string;
  maxConcurrency?: number;
  cpu: number | null;
  loopDelay?: LoopDelay;
  rssBytes?: number;
  heapUsedBytes?: number;
  /** Running tasks, counted from the task events (more current than the heartbeat's figure). */
  running: number;
  queued: number;
  completed: number;
  failed: number;
}

export interface ModelChange {
  readonly events: readonly LifecycleEvent[];
}

export class TaskModel {
  private readonly _workers = new Map<string, WorkerView>();
  private readonly _active = new Map<string, TaskView>();
  /** Finished tasks in finishing order, oldest first; bounded by `historyLimit`. */
  private readonly _finished = new Map<string, TaskView>();
  private readonly _onDidChange = new Emitter<ModelChange>();
  readonly onDidChange: Event<ModelChange> = this._onDidChange.event;

  constructor(public historyLimit = 1000) {}

  applyBatch(batch: StatusBatch): void {
    this.apply(batch.events);
  }

  apply(events: readonly LifecycleEvent[]): void {
    if (events.length === 0) {
      return;
    }
    for (const event of events) {
      this.applyOne(event);
    }
    this._onDidChange.fire({ events });
  }

  get workers(): readonly WorkerView[] {
    return [...this._workers.values()];
  }

  worker(workerId: string): WorkerView | undefined {
    return this._workers.get(workerId);
  }

  /** The worker's tasks: queued and running first (oldest first), then finished (newest first). */
  tasksOf(workerId: string): TaskView[] {
    const active = [...this._active.values()].filter((t) => t.workerId === workerId);
    const finished = [...this._finished.values()].filter((t) => t.workerId === workerId).reverse();
    return [...active, ...finished];
  }

  get activeTasks(): readonly TaskView[] {
    return [...this._active.values()];
  }

  get finishedTasks(): readonly TaskView[] {
    return [...this._finished.values()];
  }

  task(key: string): TaskView | undefined {
    return this._active.get(key) ?? this._finished.get(key);
  }

  get runningCount(): number {
    let n = 0;
    for (const t of this._active.values()) {
      if (t.state === 'running') n++;
    }
    return n;
  }

  /** Forgets finished tasks and offline workers. */
  clear(): void {
    this._finished.clear();
    for (const [id, w] of this._workers) {
      if (w.state === 'offline') {
        this._workers.delete(id);
      } else {
        w.completed = w.failed = 0;
      }
    }
    this._onDidChange.fire({ events: [] });
  }

  dispose(): void {
    this._onDidChange.dispose();
  }

  private applyOne(event: LifecycleEvent): void {
    switch (event.type) {
      case 'WorkerOnline': {
        const w = this.ensureWorker(event.workerId, event.pid, event.hostname, event.at);
        w.state = 'online';
        w.onlineAt = event.at;
        w.channel = event.channel;
        w.maxConcurrency = event.maxConcurrency;
        return;
      }
      case 'WorkerHeartbeat': {
        const w = this.ensureWorker(event.workerId, event.pid, event.hostname, event.at);
        w.cpu = event.cpu;
        w.loopDelay = event.loopDelay;
        w.rssBytes = event.rssBytes;
        w.heapUsedBytes = event.heapUsedBytes;
        return;
      }
      case 'WorkerOffline': {
        const w = this.ensureWorker(event.workerId, event.pid, event.hostname, event.at);
        w.state = 'offline';
        w.offlineAt = event.at;
        // Tasks it abandoned will never report again.
        for (const t of [...this._active.values()]) {
          if (t.workerId === event.workerId) {
            this.finish(t, 'failed', event.at, 'abandoned when the worker stopped');
          }
        }
        return;
      }
      case 'TaskQueued': {
        const t = this.ensureTask(event.workerId, event.pid, event.jobId);
        this.setState(t, 'queued');
        t.queuedAt = event.at;
        t.createdAt = event.createdAt;
        return;
      }
      case 'TaskStarted': {
        const t = this.ensureTask(event.workerId, event.pid, event.jobId);
        this.setState(t, 'running');
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

  private finish(t: TaskView, state: 'completed' | 'failed', at: number, error?: string): void {
    this.setState(t, state);
    t.finishedAt = at;
    t.error = error;
    this._active.delete(t.key);
    this._finished.delete(t.key);
    this._finished.set(t.key, t);
    while (this._finished.size > this.historyLimit) {
      const oldest = this._finished.keys().next().value as string;
      this._finished.delete(oldest);
    }
  }

  private ensureWorker(workerId: string, pid: number, hostname: string, at: number): WorkerView {
    let w = this._workers.get(workerId);
    if (!w) {
      w = { workerId, pid, hostname, state: 'online', lastSeen: at, cpu: null, running: 0, queued: 0, completed: 0, failed: 0 };
      this._workers.set(workerId, w);
    }
    w.lastSeen = Math.max(w.lastSeen, at);
    return w;
  }

  private ensureTask(workerId: string, pid: number, jobId: string): TaskView {
    const key = `${workerId}/${jobId}`;
    let t = this._active.get(key);
    if (!t) {
      // A watcher that joined late may hear of a task before its worker's heartbeat.
      this.ensureWorker(workerId, pid, workerId.split(':')[0] || 'unknown', 0);
      t = { key, jobId, workerId, pid, state: 'queued' };
      this.count(t, +1);
      this._active.set(key, t);
    }
    return t;
  }

  /** Moves a task to a new state and keeps its worker's counters in step (no rescans). */
  private setState(t: TaskView, state: TaskState): void {
    if (t.state === state) return;
    this.count(t, -1);
    t.state = state;
    this.count(t, +1);
  }

  private count(t: TaskView, delta: 1 | -1): void {
    const w = this._workers.get(t.workerId);
    if (!w) return;
    switch (t.state) {
      case 'running': w.running += delta; break;
      case 'queued': w.queued += delta; break;
      // Finished tasks count once, when they finish; clearing history does not undo that.
      case 'completed': if (delta > 0) w.completed++; break;
      case 'failed': if (delta > 0) w.failed++; break;
    }
  }
}
