// What the live lens and the panel's "live now" figure show: tasks in flight counted by the line
// of worker.ts they are at, from the task model. Pure (no `vscode`), so it is unit-tested over a
// TaskModel fed with known lifecycle events.
import type { LinePoint } from '../../shared/lessons';
import type { LifecycleEvent } from '../../shared/protocol';
import type { TaskView, WorkerView } from '../../shared/taskModel';
import type { LiveView } from '../../shared/walkthroughProtocol';

export interface LiveCounts {
  readonly workersOnline: number;
  /** Queued + running. */
  readonly inFlight: number;
  readonly running: number;
  /** Running `sleep` tasks: they wait at `lesson:await-sleep`. */
  readonly sleeping: number;
  /** Running `cpu` tasks: they spin at `lesson:block`. */
  readonly blocked: number;
  /** Running `fail` tasks: they wait at the sleep of the `fail` case. */
  readonly failing: number;
  /** Tasks waiting for a slot at the limiter (only with a concurrency limit). */
  readonly queued: number;
}

export interface ModelView {
  readonly workers: readonly WorkerView[];
  readonly activeTasks: readonly TaskView[];
}

/** Counts the tasks of the workers that are online, by where in the source they are now. */
export function countLive(model: ModelView): LiveCounts {
  const offline = new Set(model.workers.filter((w) => w.state === 'offline').map((w) => w.workerId));
  let running = 0, sleeping = 0, blocked = 0, failing = 0, queued = 0;
  for (const task of model.activeTasks) {
    if (offline.has(task.workerId)) continue;
    if (task.state === 'queued') {
      queued++;
    } else if (task.state === 'running') {
      running++;
      if (task.kind === 'cpu') blocked++;
      else if (task.kind === 'fail') failing++;
      else sleeping++;
    }
  }
  const workersOnline = model.workers.length - offline.size;
  return { workersOnline, inFlight: running + queued, running, sleeping, blocked, failing, queued };
}

export type LensPointId = 'subscribe' | 'createTask' | 'limiter' | 'sleep' | 'block' | 'fail';

/** Where each lens sits in worker.ts, found by marker (and text below it), never by line number. */
export const LENS_POINTS: Readonly<Record<LensPointId, LinePoint>> = {
  subscribe: { marker: 'subscribe' },
  createTask: { marker: 'create-task' },
  limiter: { marker: 'handle-event', contains: 'this.limiter.acquire()', within: 15 },
  sleep: { marker: 'await-sleep' },
  block: { marker: 'block' },
  fail: { marker: 'execute-job', contains: "case 'fail':", within: 20, offset: 1 },
};

/** `vscode.l10n.t` in the extension; a plain formatter in the tests. */
export type Translate = (message: string, ...args: Array<string | number>) => string;

/** The text beside each lens line; a point without text shows nothing. */
export function lensTexts(c: LiveCounts, t: Translate): Partial<Record<LensPointId, string>> {
  const texts: Partial<Record<LensPointId, string>> = {};
  if (c.workersOnline === 0) {
    texts.subscribe = t('no worker is online');
    return texts;
  }
  texts.subscribe =
    c.workersOnline === 1 ? t('waiting for messages') : t('{0} workers waiting for messages', c.workersOnline);
  // The main lenses are always there while a worker is online, so that the code does not jump
  // when tasks come and go; the rarer ones appear only when they have something to count.
  texts.createTask = c.inFlight === 1 ? t('1 task in flight') : t('{0} tasks in flight', c.inFlight);
  if (c.queued > 0) texts.limiter = c.queued === 1 ? t('1 task queued here') : t('{0} tasks queued here', c.queued);
  texts.sleep = c.sleeping === 1 ? t('1 task awaiting here') : t('{0} tasks awaiting here', c.sleeping);
  texts.block = c.blocked === 1 ? t('1 task blocking the event loop here') : t('{0} tasks blocking the event loop here', c.blocked);
  if (c.failing > 0) texts.fail = c.failing === 1 ? t('1 task awaiting here (will fail)') : t('{0} tasks awaiting here (will fail)', c.failing);
  return texts;
}

/** Collects the CPU cores each worker's heartbeats report (the "not pinned to a core" step). */
export class CoreTracker {
  private readonly cores = new Map<string, Set<number>>();
  private readonly last = new Map<string, { at: number; cpu: number }>();

  observe(events: readonly LifecycleEvent[]): boolean {
    let changed = false;
    for (const e of events) {
      if (e.type !== 'WorkerHeartbeat' || e.cpu === null) continue;
      let set = this.cores.get(e.workerId);
      if (!set) this.cores.set(e.workerId, (set = new Set()));
      if (!set.has(e.cpu)) changed = true;
      set.add(e.cpu);
      const previous = this.last.get(e.workerId);
      if (!previous || previous.at <= e.at) {
        if (previous?.cpu !== e.cpu) changed = true;
        this.last.set(e.workerId, { at: e.at, cpu: e.cpu });
      }
    }
    return changed;
  }

  /** The cores seen by the given workers, ascending, and the most recently reported one. */
  view(workerIds: readonly string[]): { cores: number[]; lastCore: number | null } {
    const all = new Set<number>();
    let latest: { at: number; cpu: number } | undefined;
    for (const id of workerIds) {
      for (const c of this.cores.get(id) ?? []) all.add(c);
      const l = this.last.get(id);
      if (l && (!latest || l.at > latest.at)) latest = l;
    }
    return { cores: [...all].sort((a, b) => a - b), lastCore: latest?.cpu ?? null };
  }
}

export function liveView(model: ModelView, cores: CoreTracker): LiveView {
  const counts = countLive(model);
  const online = model.workers.filter((w) => w.state === 'online').map((w) => w.workerId);
  return { ...counts, ...cores.view(online) };
}
