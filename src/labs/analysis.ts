// Reading the lifecycle events: one run per (worker, job), and the questions the labs ask of them.
// Pure functions over events; no I/O. Times are the workers' own timestamps (one clock per host).
import type { JobKind, LifecycleEvent, WorkerHeartbeat } from '../shared/protocol';

export interface TaskRun {
  readonly jobId: string;
  readonly workerId: string;
  readonly pid: number;
  threadId?: number;
  seq?: number;
  kind?: JobKind;
  durationMs?: number;
  receivedAt?: number;
  queuedAt?: number;
  startedAt: number;
  finishedAt?: number;
  /** The order in which the finishing events arrived (breaks ties between equal timestamps). */
  finishOrder?: number;
  outcome: 'running' | 'completed' | 'failed';
}

/** One entry per job a worker started (a job run by two workers gives two runs). */
export function taskRuns(events: readonly LifecycleEvent[], jobIds?: ReadonlySet<string>): TaskRun[] {
  const runs = new Map<string, TaskRun>();
  const queued = new Map<string, number>();
  let order = 0;
  for (const e of events) {
    if (e.type !== 'TaskQueued' && e.type !== 'TaskStarted' && e.type !== 'TaskCompleted' && e.type !== 'TaskFailed') continue;
    if (jobIds && !jobIds.has(e.jobId)) continue;
    const key = `${e.workerId}/${e.jobId}`;
    switch (e.type) {
      case 'TaskQueued':
        queued.set(key, e.at);
        break;
      case 'TaskStarted':
        runs.set(key, {
          jobId: e.jobId,
          workerId: e.workerId,
          pid: e.pid,
          threadId: e.threadId,
          seq: e.seq,
          kind: e.kind,
          durationMs: e.durationMs,
          receivedAt: e.receivedAt,
          queuedAt: queued.get(key),
          startedAt: e.at,
          outcome: 'running',
        });
        break;
      case 'TaskCompleted':
      case 'TaskFailed': {
        const run = runs.get(key) ?? { jobId: e.jobId, workerId: e.workerId, pid: e.pid, startedAt: e.startedAt, outcome: 'running' as const };
        run.finishedAt = e.at;
        run.finishOrder = order++;
        run.outcome = e.type === 'TaskCompleted' ? 'completed' : 'failed';
        runs.set(key, run);
        break;
      }
    }
  }
  return [...runs.values()];
}

export function finished(runs: readonly TaskRun[]): TaskRun[] {
  return runs.filter((r) => r.finishedAt !== undefined);
}

/** From the first start to the last finish. */
export function makespan(runs: readonly TaskRun[]): number {
  const done = finished(runs);
  if (!done.length) return NaN;
  return Math.max(...done.map((r) => r.finishedAt!)) - Math.min(...done.map((r) => r.startedAt));
}

/** The most runs that were running at the same moment. A run that ends at t does not overlap one that starts at t. */
export function maxConcurrent(runs: readonly TaskRun[]): number {
  const points: Array<[number, number]> = [];
  for (const r of runs) {
    points.push([r.startedAt, +1]);
    if (r.finishedAt !== undefined) points.push([r.finishedAt, -1]);
  }
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, delta] of points) {
    now += delta;
    peak = Math.max(peak, now);
  }
  return peak;
}

/** Every run started before any run finished: all of them were in progress together. */
export function allOverlap(runs: readonly TaskRun[]): boolean {
  const done = finished(runs);
  if (done.length < 2 || done.length !== runs.length) return false;
  return Math.max(...done.map((r) => r.startedAt)) < Math.min(...done.map((r) => r.finishedAt!));
}

/** Ordered by start, each run started only after the one before it had finished. */
export function runsOneAfterAnother(runs: readonly TaskRun[]): boolean {
  const done = finished(runs).sort((a, b) => a.startedAt - b.startedAt || a.finishOrder! - b.finishOrder!);
  if (done.length !== runs.length) return false;
  for (let i = 1; i < done.length; i++) {
    if (done[i].startedAt < done[i - 1].finishedAt!) return false;
  }
  return true;
}

/**
 * Ordered by start, each run started at least `durationMs` after the one before it: the thread was
 * busy with one job for its whole length before it could begin the next. (For blocking jobs this is
 * the evidence to use: their TaskCompleted is written only once the loop is free again, which can
 * be after the next job has started.)
 */
export function startsSpacedBy(runs: readonly TaskRun[], durationMs: number): boolean {
  const sorted = [...runs].sort((a, b) => a.startedAt - b.startedAt);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].startedAt - sorted[i - 1].startedAt < durationMs) return false;
  }
  return sorted.length > 0;
}

/** How many times each job ran (started), over all workers. */
export function executionsPerJob(runs: readonly TaskRun[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.jobId, (counts.get(r.jobId) ?? 0) + 1);
  return counts;
}

/** Finished runs in the order they finished (timestamp, then arrival). */
export function completionOrder(runs: readonly TaskRun[]): TaskRun[] {
  return finished(runs).sort((a, b) => a.finishedAt! - b.finishedAt! || a.finishOrder! - b.finishOrder!);
}

/** Pairs of runs in different processes that were running at the same time. */
export function crossProcessOverlaps(runs: readonly TaskRun[]): number {
  const done = finished(runs);
  let pairs = 0;
  for (let i = 0; i < done.length; i++) {
    for (let j = i + 1; j < done.length; j++) {
      const a = done[i];
      const b = done[j];
      if (a.pid !== b.pid && a.startedAt < b.finishedAt! && b.startedAt < a.finishedAt!) pairs++;
    }
  }
  return pairs;
}

/** The most distinct processes that were running a task at the same moment. */
export function maxBusyProcesses(runs: readonly TaskRun[]): number {
  const done = finished(runs);
  let peak = 0;
  for (const r of done) {
    const busy = new Set(done.filter((o) => o.startedAt <= r.startedAt && r.startedAt < o.finishedAt!).map((o) => o.pid));
    peak = Math.max(peak, busy.size);
  }
  return peak;
}

export function heartbeatsOf(events: readonly LifecycleEvent[], workerId?: string): WorkerHeartbeat[] {
  return events.filter((e): e is WorkerHeartbeat => e.type === 'WorkerHeartbeat' && (workerId === undefined || e.workerId === workerId));
}

/** The longest silence between two consecutive heartbeats (ms). */
export function longestHeartbeatGap(heartbeats: readonly WorkerHeartbeat[]): number {
  let gap = 0;
  for (let i = 1; i < heartbeats.length; i++) gap = Math.max(gap, heartbeats[i].at - heartbeats[i - 1].at);
  return gap;
}

/** Positions at which `actual` differs from `expected` (both lists of the same ids). */
export function outOfPlace(expected: readonly string[], actual: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < expected.length; i++) if (expected[i] !== actual[i]) n++;
  return n;
}
