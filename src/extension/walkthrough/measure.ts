// Measures one run of a prediction step's publish button from the task model: the makespan, the
// peak number of tasks running at once in one worker, or whether the jobs finished in publish
// order. Pure (no `vscode`); the timestamps are the ones the worker put in its lifecycle reports.
import type { Measure } from '../../shared/lessons';
import type { TaskView } from '../../shared/taskModel';
import type { MeasurementView } from '../../shared/walkthroughProtocol';

export interface TrackedRun {
  readonly runId: number;
  readonly measure: Measure;
  /** The publish order (`seq`) of each job of the run. */
  readonly seqByJob: ReadonlyMap<string, number>;
  /** Tasks to wait for: jobs × the workers that received them (Pub/Sub fans out). */
  readonly expected: number;
  readonly timeoutMs: number;
}

/** The tasks of a run among all the model's tasks. */
export function tasksOfRun(run: TrackedRun, tasks: Iterable<TaskView>): TaskView[] {
  const found: TaskView[] = [];
  for (const t of tasks) if (run.seqByJob.has(t.jobId)) found.push(t);
  return found;
}

const isFinished = (t: TaskView) => t.state === 'completed' || t.state === 'failed';

/** The run's state now: `running` until every expected task has finished, then `done` with the figures. */
export function evaluateRun(run: TrackedRun, tasks: readonly TaskView[]): MeasurementView {
  const finished = tasks.filter(isFinished);
  const active = tasks.length - finished.length;
  const workers = new Set(tasks.map((t) => t.workerId)).size;
  const base = { runId: run.runId, measure: run.measure, total: Math.max(run.expected, tasks.length), finished: finished.length, workers };
  if (finished.length < run.expected || active > 0 || finished.length === 0) {
    return { ...base, status: 'running' };
  }
  const makespanMs = makespan(finished);
  const peak = Math.max(0, ...groupBy(finished, (t) => t.workerId).map(peakRunning));
  const published = [...new Set(run.seqByJob.values())].sort((a, b) => a - b);
  const finishedOrder = completionOrder(finished);
  const inOrder = finishedOrder.every((seq, i) => i === 0 || finishedOrder[i - 1]! <= seq) ? 1 : 0;
  const value = run.measure === 'makespan' ? makespanMs : run.measure === 'peakRunning' ? peak : inOrder;
  return { ...base, status: 'done', value, makespanMs, peak, published, finishedOrder };
}

/** From the first start to the last finish. */
export function makespan(tasks: readonly TaskView[]): number {
  let first = Infinity;
  let last = -Infinity;
  for (const t of tasks) {
    if (t.startedAt !== undefined) first = Math.min(first, t.startedAt);
    if (t.finishedAt !== undefined) last = Math.max(last, t.finishedAt);
  }
  return Number.isFinite(first) && Number.isFinite(last) ? Math.max(0, last - first) : 0;
}

/** The most tasks running at one instant; a task that ends at the instant another starts does not overlap it. */
export function peakRunning(tasks: readonly TaskView[]): number {
  const edges: Array<[number, number]> = [];
  for (const t of tasks) {
    if (t.startedAt === undefined || t.finishedAt === undefined) continue;
    edges.push([t.startedAt, +1], [t.finishedAt, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, delta] of edges) {
    now += delta;
    peak = Math.max(peak, now);
  }
  return peak;
}

/** The `seq` numbers in finishing order, taken from the worker that ran the most of them. */
export function completionOrder(tasks: readonly TaskView[]): number[] {
  const groups = groupBy(tasks, (t) => t.workerId).sort((a, b) => b.length - a.length);
  const tasksOfOne = groups[0] ?? [];
  return [...tasksOfOne]
    .filter((t) => t.seq !== undefined)
    .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0) || a.seq! - b.seq!)
    .map((t) => t.seq!);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}
