// The timeline's pure model: the host's store and batching, lane assignment, the time scale,
// the in-flight count and hit testing.
import * as assert from 'node:assert/strict';
import type { LifecycleEvent } from '../../src/shared/protocol';
import { check } from '../../src/shared/protocol';
import { TaskModel } from '../../src/shared/taskModel';
import {
  ABANDONED_ERROR,
  HostMessageQueue,
  HEADER_ROW_PX,
  InFlightIndex,
  MAX_LANE_PX,
  MAX_SPAN_MS,
  MIN_LANE_PX,
  MIN_SPAN_MS,
  TickBatcher,
  TimeScale,
  TimelineData,
  TimelineStore,
  assignLanes,
  fitRows,
  formatClock,
  formatDuration,
  hitTest,
  pointsIn,
  taskSpan,
  type Timers,
} from '../../src/shared/timelineModel';
import { HostMessage, SnapshotMessage, UpdateMessage, type TimelineTask, type TimelineWorker } from '../../src/shared/timelineProtocol';
import { timelineStrings } from '../../src/extension/timeline/strings';

const W = { workerId: 'host:10:a', pid: 10, hostname: 'host' };
const online = (at: number, w = W): LifecycleEvent => ({ type: 'WorkerOnline', ...w, at, channel: 'jobs', delivery: 'pubsub', maxConcurrency: 0 });
const started = (jobId: string, at: number, extra: Partial<Extract<LifecycleEvent, { type: 'TaskStarted' }>> = {}, w = W): LifecycleEvent => ({
  type: 'TaskStarted', jobId, workerId: w.workerId, pid: w.pid, createdAt: at - 2, receivedAt: at - 1, at, kind: 'sleep', durationMs: 1000, threadId: 0, ...extra,
});
const completed = (jobId: string, startedAt: number, at: number, w = W): LifecycleEvent => ({ type: 'TaskCompleted', jobId, workerId: w.workerId, pid: w.pid, startedAt, at });
const failed = (jobId: string, startedAt: number, at: number): LifecycleEvent => ({ type: 'TaskFailed', jobId, workerId: W.workerId, pid: W.pid, startedAt, at, error: 'boom' });
const queued = (jobId: string, at: number): LifecycleEvent => ({ type: 'TaskQueued', jobId, workerId: W.workerId, pid: W.pid, at, createdAt: at - 1 });
const heartbeat = (at: number, maxMs = 1): LifecycleEvent => ({
  type: 'WorkerHeartbeat', ...W, at, cpu: 0, loopDelay: { meanMs: 0, p99Ms: maxMs, maxMs }, inFlight: 0, queued: 0, rssBytes: 1, heapUsedBytes: 1,
});
const key = (jobId: string, w = W) => `${w.workerId}/${jobId}`;

function task(jobId: string, startedAt: number | undefined, finishedAt?: number, extra: Partial<TimelineTask> = {}): TimelineTask {
  return {
    key: key(jobId, { ...W, workerId: extra.workerId ?? W.workerId }),
    jobId,
    workerId: W.workerId,
    state: finishedAt === undefined ? (startedAt === undefined ? 'queued' : 'running') : 'completed',
    startedAt,
    finishedAt,
    ...extra,
  };
}

function worker(workerId: string, pid: number, onlineAt?: number): TimelineWorker {
  return { workerId, pid, hostname: 'h', state: 'online', onlineAt };
}

class FakeTimers implements Timers {
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fire(): void {
    const all = [...this.pending.entries()];
    this.pending.clear();
    for (const [, { fn }] of all) fn();
  }
}

describe('timeline model', () => {
  describe('TimelineStore', () => {
    it('turns lifecycle events into tasks and workers', () => {
      const store = new TimelineStore();
      store.apply([online(1), started('a', 10), started('b', 11), queued('c', 12)]);
      store.apply([completed('a', 10, 1010), failed('b', 11, 900)]);
      const snap = store.snapshot();
      assert.deepEqual(snap.workers.map((w) => [w.workerId, w.state, w.onlineAt]), [[W.workerId, 'online', 1]]);
      const byKey = new Map(snap.tasks.map((t) => [t.jobId, t]));
      assert.equal(byKey.get('a')?.state, 'completed');
      assert.equal(byKey.get('a')?.finishedAt, 1010);
      assert.equal(byKey.get('b')?.state, 'failed');
      assert.equal(byKey.get('b')?.error, 'boom');
      assert.equal(byKey.get('c')?.state, 'queued');
      assert.equal(byKey.get('c')?.queuedAt, 12);
      assert.equal(byKey.get('a')?.key, key('a'));
      // Finished first (in the order their events arrived), then the active ones.
      assert.deepEqual(snap.tasks.map((t) => t.jobId), ['a', 'b', 'c']);
    });

    it('marks the tasks of a worker that went offline as abandoned', () => {
      const store = new TimelineStore();
      store.apply([online(1), started('a', 10), { type: 'WorkerOffline', ...W, at: 50, reason: 'SIGTERM', abandoned: 1 }]);
      const t = store.task(key('a'))!;
      assert.equal(t.state, 'failed');
      assert.equal(t.error, ABANDONED_ERROR);
      assert.equal(t.finishedAt, 50);
      assert.equal(store.snapshot().workers[0]?.state, 'offline');
    });

    it('keeps a bounded history and reports what it dropped', () => {
      const store = new TimelineStore(3);
      store.setTracking(true);
      for (let i = 0; i < 5; i++) store.apply([started(`j${i}`, i * 10), completed(`j${i}`, i * 10, i * 10 + 5)]);
      assert.equal(store.size, 3);
      const delta = store.takeDelta()!;
      assert.deepEqual(delta.tasks.map((t) => t.jobId).sort(), ['j2', 'j3', 'j4']);
      assert.deepEqual(delta.removed.sort(), [key('j0'), key('j1')]);
      // Running tasks are never dropped.
      store.apply([started('r1', 100), started('r2', 101), started('r3', 102), started('r4', 103)]);
      assert.equal(store.size, 7);
    });

    it('remembers changes only while tracking, and hands each change out once', () => {
      const store = new TimelineStore();
      store.apply([online(1), started('a', 10)]);
      assert.equal(store.hasDelta, false);
      assert.equal(store.takeDelta(), undefined);
      store.setTracking(true);
      store.apply([completed('a', 10, 20), heartbeat(30, 7)]);
      const delta = store.takeDelta()!;
      assert.deepEqual(delta.tasks.map((t) => [t.jobId, t.state]), [['a', 'completed']]);
      assert.deepEqual(delta.workers.map((w) => w.workerId), [W.workerId]);
      assert.deepEqual(delta.heartbeats.map((h) => [h.at, h.loopDelay.maxMs]), [[30, 7]]);
      assert.equal(store.takeDelta(), undefined);
      // The copies handed out do not change with the store.
      store.apply([started('a2', 40)]);
      assert.equal(delta.tasks[0]?.state, 'completed');
      store.setTracking(false);
      assert.equal(store.hasDelta, false);
    });

    it('keeps a bounded heartbeat series per worker', () => {
      const store = new TimelineStore(100, 4);
      for (let i = 0; i < 10; i++) store.apply([heartbeat(i * 1000, i)]);
      assert.deepEqual(store.snapshot().heartbeats.map((h) => h.at), [6000, 7000, 8000, 9000]);
    });

    it('clears finished tasks and offline workers like the task model does', () => {
      const store = new TimelineStore();
      const other = { workerId: 'host:11:b', pid: 11, hostname: 'host' };
      store.apply([online(1), online(1, other), started('a', 10), completed('a', 10, 20), started('b', 30), heartbeat(40)]);
      store.apply([{ type: 'WorkerOffline', ...other, at: 50, reason: 'stop', abandoned: 0 }]);
      store.setTracking(true);
      store.clear();
      const snap = store.snapshot();
      assert.deepEqual(snap.tasks.map((t) => t.jobId), ['b']);
      assert.deepEqual(snap.workers.map((w) => w.workerId), [W.workerId]);
      assert.equal(snap.heartbeats.length, 1);
      assert.deepEqual(store.takeDelta()?.removed, [key('a')]);
    });

    it('starts from what the task model already knows', () => {
      const model = new TaskModel(100);
      model.apply([online(1), started('a', 10), completed('a', 10, 20), started('b', 30), queued('c', 31)]);
      const store = new TimelineStore();
      store.seed(model.workers, [...model.activeTasks, ...model.finishedTasks]);
      const snap = store.snapshot();
      assert.deepEqual(snap.tasks.map((t) => [t.jobId, t.state]), [['a', 'completed'], ['b', 'running'], ['c', 'queued']]);
      assert.equal(snap.workers[0]?.pid, 10);
      // Later events continue from there.
      store.apply([completed('b', 30, 1030)]);
      assert.equal(store.task(key('b'))?.state, 'completed');
    });

    it('produces snapshots and deltas that pass the protocol schemas', () => {
      const store = new TimelineStore();
      store.setTracking(true);
      store.apply([online(1), heartbeat(2), started('a', 10, { label: '<b>x</b>' }), failed('a', 10, 20), started('b', 30)]);
      const strings = timelineStrings((m) => m);
      const snap = check(SnapshotMessage, { type: 'snapshot', now: 100, locale: 'en', strings, ...store.snapshot() });
      assert.ok(snap.ok, snap.ok ? '' : snap.reason);
      const delta = check(UpdateMessage, { type: 'update', now: 100, ...store.takeDelta()! });
      assert.ok(delta.ok, delta.ok ? '' : delta.reason);
    });
  });

  describe('TickBatcher', () => {
    it('coalesces any number of pokes into one flush per tick', () => {
      const timers = new FakeTimers();
      let flushes = 0;
      const batcher = new TickBatcher(() => flushes++, 100, timers);
      for (let i = 0; i < 1000; i++) batcher.poke();
      assert.equal(timers.pending.size, 1);
      assert.equal([...timers.pending.values()][0]?.ms, 100);
      assert.equal(batcher.pending, true);
      timers.fire();
      assert.equal(flushes, 1);
      assert.equal(batcher.pending, false);
      batcher.poke();
      batcher.poke();
      timers.fire();
      assert.equal(flushes, 2);
      timers.fire();
      assert.equal(flushes, 2, 'no flush without a poke');
    });

    it('cancels and disposes', () => {
      const timers = new FakeTimers();
      let flushes = 0;
      const batcher = new TickBatcher(() => flushes++, 50, timers);
      batcher.poke();
      batcher.cancel();
      assert.equal(timers.pending.size, 0);
      batcher.poke();
      batcher.dispose();
      timers.fire();
      batcher.poke();
      assert.equal(flushes, 0);
      assert.equal(timers.pending.size, 0);
    });
  });

  describe('lane assignment', () => {
    it('gives every task its own lane, grouped by worker in the order they came online', () => {
      const late = worker('w-late', 30, 500);
      const early = worker('w-early', 20, 100);
      const tasks = [
        task('x2', 300, undefined, { workerId: 'w-late', key: 'w-late/x2' }),
        task('e2', 250, 260, { workerId: 'w-early', key: 'w-early/e2' }),
        task('e1', 200, undefined, { workerId: 'w-early', key: 'w-early/e1' }),
        task('x1', 100, 200, { workerId: 'w-late', key: 'w-late/x1' }),
        task('stray', 50, undefined, { workerId: 'w-unknown', key: 'w-unknown/stray' }),
      ];
      const layout = assignLanes([late, early], tasks);
      assert.deepEqual(
        layout.rows.map((r) => (r.kind === 'worker' ? `[${r.workerId}:${r.tasks}]` : r.key)),
        ['[w-early:2]', 'w-early/e1', 'w-early/e2', '[w-late:2]', 'w-late/x1', 'w-late/x2', '[w-unknown:1]', 'w-unknown/stray'],
      );
      assert.equal(layout.laneCount, 5);
      assert.equal(layout.headerCount, 3);
      assert.equal(layout.indexOf('w-late/x1'), 4);
      assert.equal(layout.rows[4]?.header, 3);
      assert.equal(layout.indexOf('nope'), undefined);
    });

    it('orders lanes by arrival (queued time first), then publish order, then id', () => {
      const w = worker(W.workerId, 10, 0);
      const tasks = [
        task('c', 100, undefined, { seq: 2 }),
        task('b', 100, undefined, { seq: 1 }),
        task('waited', 300, undefined, { queuedAt: 50 }),
        task('z', 100, undefined),
        task('a', 100, undefined),
      ];
      const layout = assignLanes([w], tasks);
      assert.deepEqual(layout.rows.slice(1).map((r) => r.key?.split('/')[1]), ['waited', 'a', 'z', 'b', 'c']);
    });

    it('keeps a header for a worker without tasks', () => {
      const layout = assignLanes([worker('idle', 5, 1)], []);
      assert.deepEqual(layout.rows.map((r) => r.kind), ['worker']);
    });

    it('maps rows to pixels and back', () => {
      const w = worker(W.workerId, 10, 0);
      const tasks = Array.from({ length: 100 }, (_, i) => task(`t${String(i).padStart(3, '0')}`, i));
      const layout = assignLanes([w, worker('other', 11, 1)], [...tasks, task('o1', 5, undefined, { workerId: 'other', key: 'other/o1' })]);
      const m = { header: 20, lane: 4 };
      assert.equal(layout.totalHeight(m), 2 * 20 + 101 * 4);
      assert.equal(layout.top(0, m), 0);
      assert.equal(layout.top(1, m), 20);
      assert.equal(layout.top(101, m), 20 + 100 * 4);
      assert.equal(layout.top(102, m), 40 + 100 * 4);
      for (let y = 0; y < layout.totalHeight(m); y += 3) {
        const i = layout.rowAt(y, m);
        assert.ok(layout.top(i, m) <= y && y < layout.top(i, m) + layout.height(i, m), `row ${i} does not hold y=${y}`);
      }
      assert.equal(layout.rowAt(-1, m), -1);
      assert.equal(layout.rowAt(layout.totalHeight(m), m), -1);
      assert.deepEqual(layout.visible(20, 28, m), { first: 1, end: 3 });
      assert.deepEqual(layout.visible(0, 10_000, m), { first: 0, end: layout.rows.length });
      assert.deepEqual(layout.visible(-50, 0, m), { first: 0, end: 0 });
    });

    it('fits lanes into the height between the smallest and largest lane', () => {
      const w = worker(W.workerId, 10, 0);
      const few = assignLanes([w], [task('a', 1), task('b', 2)]);
      assert.deepEqual(fitRows(few, 500), { header: HEADER_ROW_PX, lane: MAX_LANE_PX });
      const some = assignLanes([w], Array.from({ length: 100 }, (_, i) => task(`t${i}`, i)));
      assert.equal(fitRows(some, 20 + 500).lane, 5);
      const many = assignLanes([w], Array.from({ length: 10_000 }, (_, i) => task(`t${i}`, i)));
      assert.equal(fitRows(many, 500).lane, MIN_LANE_PX);
    });
  });

  describe('TimeScale', () => {
    it('maps time to x and back', () => {
      const s = new TimeScale(1000, 11_000, 1000);
      assert.equal(s.x(1000), 0);
      assert.equal(s.x(6000), 500);
      assert.equal(s.x(11_000), 1000);
      assert.equal(s.t(250), 3500);
      assert.equal(s.span, 10_000);
      const live = TimeScale.endingAt(50_000, 10_000, 800);
      assert.equal(live.end, 50_000);
      assert.equal(live.start, 40_000);
    });

    it('zooms around an anchor and clamps the span', () => {
      const s = new TimeScale(0, 10_000, 1000);
      const z = s.zoom(0.5, 2000);
      assert.equal(z.span, 5000);
      assert.equal(z.x(2000), s.x(2000), 'the anchor stays under the pointer');
      assert.equal(s.zoom(1e-9, 0).span, MIN_SPAN_MS);
      assert.equal(s.zoom(1e9, 0).span, MAX_SPAN_MS);
      const p = s.pan(2500);
      assert.deepEqual([p.start, p.end], [2500, 12_500]);
    });

    it('puts ticks on round times at least the asked distance apart', () => {
      for (const span of [50, 900, 10_000, 95_000, 3_600_000]) {
        const s = TimeScale.endingAt(1_700_000_123_456, span, 1000);
        const { step, ticks } = s.ticks(90);
        assert.ok((step / span) * 1000 >= 90, `step ${step} too small for span ${span}`);
        assert.ok(ticks.length >= 1, `no tick for span ${span}`);
        for (const t of ticks) {
          assert.ok(t >= s.start && t <= s.end);
          const local = t - new Date(t).getTimezoneOffset() * 60_000;
          assert.equal(local % step, 0, `tick ${t} not on a multiple of ${step}`);
        }
      }
    });

    it('formats clock times and durations', () => {
      const t = new Date(2026, 0, 2, 3, 4, 5, 678).getTime();
      assert.equal(formatClock(t, 1000), '03:04:05');
      assert.equal(formatClock(t, 100), '03:04:05.6');
      assert.equal(formatClock(t, 10), '03:04:05.67');
      assert.equal(formatClock(t, 1), '03:04:05.678');
      assert.equal(formatDuration(850), '850 ms');
      assert.equal(formatDuration(1250), '1.25 s');
      assert.equal(formatDuration(125_000), '2 min 5 s');
    });
  });

  describe('in flight, spans and hits', () => {
    it('counts the tasks that run at a time, per worker', () => {
      const idx = new InFlightIndex([
        task('a', 100, 200),
        task('b', 150, 300),
        task('c', 250, undefined),
        task('q', undefined),
        task('o', 100, 400, { workerId: 'other', key: 'other/o' }),
      ]);
      assert.equal(idx.countAt(W.workerId, 99), 0);
      assert.equal(idx.countAt(W.workerId, 100), 1);
      assert.equal(idx.countAt(W.workerId, 175), 2);
      assert.equal(idx.countAt(W.workerId, 200), 1, 'a task that ended at t is not in flight at t');
      assert.equal(idx.countAt(W.workerId, 260), 2);
      assert.equal(idx.countAt(W.workerId, 10_000), 1, 'the running task counts until it finishes');
      assert.equal(idx.countAt('other', 300), 1);
      assert.equal(idx.countAt('nobody', 300), 0);
    });

    it('spans a waiting task from its arrival and a running one up to now', () => {
      assert.deepEqual(taskSpan(task('r', 100), 500), { barFrom: 100, barTo: 500 });
      assert.deepEqual(taskSpan(task('d', 100, 300), 500), { barFrom: 100, barTo: 300 });
      assert.deepEqual(taskSpan(task('q', undefined, undefined, { queuedAt: 50 }), 500), { waitFrom: 50, waitTo: 500 });
      assert.deepEqual(taskSpan(task('w', 80, 300, { queuedAt: 50 }), 500), { barFrom: 80, barTo: 300, waitFrom: 50, waitTo: 80 });
      // Abandoned while waiting: its wait ends where it was given up.
      assert.deepEqual(taskSpan({ ...task('x', undefined, undefined, { queuedAt: 50 }), state: 'failed', finishedAt: 70 }, 500), { waitFrom: 50, waitTo: 70 });
      assert.deepEqual(taskSpan(task('nothing', undefined), 500), {});
    });

    it('finds the task under the pointer', () => {
      const data = new TimelineData();
      const w = worker(W.workerId, 10, 0);
      data.applySnapshot({ workers: [w], tasks: [task('a', 1000, 2000), task('b', 5000, undefined)], heartbeats: [] });
      const scale = new TimeScale(0, 10_000, 1000);
      const m = { header: 20, lane: 10 };
      // Row 0 is the header (y 0–20), a is y 20–30, b is y 30–40.
      assert.equal(hitTest(data, scale, m, 150, 25, 8000)?.jobId, 'a');
      assert.equal(hitTest(data, scale, m, 99, 25, 8000)?.jobId, 'a', 'a few pixels of slack');
      assert.equal(hitTest(data, scale, m, 90, 25, 8000), undefined);
      assert.equal(hitTest(data, scale, m, 250, 25, 8000), undefined);
      assert.equal(hitTest(data, scale, m, 700, 35, 8000)?.jobId, 'b');
      assert.equal(hitTest(data, scale, m, 850, 35, 8000), undefined, 'b has not run that far yet');
      assert.equal(hitTest(data, scale, m, 150, 10, 8000), undefined, 'a header is not a task');
      assert.equal(hitTest(data, scale, m, 150, 500, 8000), undefined);
    });
  });

  describe('TimelineData', () => {
    it('applies a snapshot, then updates, and re-lays lanes only when the order changes', () => {
      const data = new TimelineData();
      const w = worker(W.workerId, 10, 0);
      data.applySnapshot({ workers: [w], tasks: [task('a', 100), task('b', 200)], heartbeats: [] });
      const first = data.layout();
      assert.equal(first.laneCount, 2);
      assert.deepEqual(data.counts(), { queued: 0, running: 2, completed: 0, failed: 0 });
      const v = data.version;

      // a finishes: same order, same layout object; counts and in-flight follow.
      data.applyUpdate({ workers: [], tasks: [{ ...task('a', 100, 300) }], removed: [], heartbeats: [] });
      assert.equal(data.layout(), first);
      assert.ok(data.version > v);
      assert.deepEqual(data.counts(), { queued: 0, running: 1, completed: 1, failed: 0 });
      assert.equal(data.inFlight().countAt(W.workerId, 350), 1);

      // A new task: a new layout with three lanes.
      data.applyUpdate({ workers: [], tasks: [task('c', 50)], removed: [], heartbeats: [] });
      assert.notEqual(data.layout(), first);
      assert.deepEqual(data.layout().rows.slice(1).map((r) => r.key?.split('/')[1]), ['c', 'a', 'b']);

      // Dropped from history.
      data.applyUpdate({ workers: [], tasks: [], removed: [key('c')], heartbeats: [] });
      assert.equal(data.layout().laneCount, 2);
      assert.deepEqual(data.extent(1000), { from: 100, to: 1000 });

      // A snapshot replaces everything.
      data.applySnapshot({ workers: [], tasks: [], heartbeats: [] });
      assert.equal(data.isEmpty, true);
      assert.equal(data.layout().rows.length, 0);
      assert.equal(data.extent(1000), undefined);
    });

    it('keeps heartbeats sorted and bounded, and finds the visible ones', () => {
      const data = new TimelineData(5);
      const beat = (at: number) => ({ workerId: 'w', at, loopDelay: { meanMs: 0, p99Ms: 0, maxMs: at / 1000 } });
      data.applySnapshot({ workers: [], tasks: [], heartbeats: [beat(3000), beat(1000), beat(2000)] });
      data.applyUpdate({ workers: [], tasks: [], removed: [], heartbeats: [beat(4000), beat(5000), beat(6000)] });
      const series = data.heartbeats.get('w')!;
      assert.deepEqual(series.map((b) => b.at), [2000, 3000, 4000, 5000, 6000]);
      assert.deepEqual(pointsIn(series, 3500, 4500).map((b) => b.at), [3000, 4000, 5000]);
      assert.deepEqual(pointsIn(series, 0, 1000).map((b) => b.at), [2000]);
      assert.deepEqual(pointsIn(series, 9000, 9999).map((b) => b.at), [6000]);
    });
  });

  describe('HostMessageQueue (the page inbox)', () => {
    const strings = timelineStrings((m) => m);
    const many = (n: number, prefix = 't') => Array.from({ length: n }, (_, i) => task(`${prefix}${i}`, 1000 + i));
    const update = (tasks: unknown[], now = 5): unknown => ({ type: 'update', now, workers: [], tasks, removed: [], heartbeats: [] });
    const snapshot = (tasks: unknown[]): unknown => ({ type: 'snapshot', now: 5, locale: 'en', strings, workers: [], tasks, heartbeats: [] });

    function inbox() {
      let clock = 0;
      const delivered: HostMessage[] = [];
      const rejected: string[] = [];
      // Every slice "takes" 1 ms on this clock.
      const q = new HostMessageQueue((m) => delivered.push(m), (r) => rejected.push(r), 100, () => clock++);
      return { q, delivered, rejected };
    }

    it('checks a big message in slices across calls and delivers it whole, in order', () => {
      const { q, delivered, rejected } = inbox();
      q.push(update(many(1000)));
      q.push(update(many(10, 'late'), 6));
      let calls = 0;
      while (q.work(3)) calls++;
      assert.ok(calls >= 3, `took only ${calls} partial calls`);
      assert.deepEqual(rejected, []);
      assert.equal(delivered.length, 2);
      const first = delivered[0]!;
      assert.ok(first.type === 'update');
      assert.equal(first.tasks.length, 1000);
      assert.equal(first.tasks[999]?.jobId, 't999');
      assert.equal(delivered[1]?.now, 6);
      // Every delivered message is what the one-piece schema accepts.
      for (const m of delivered) assert.ok(check(HostMessage, m).ok);
    });

    it('rejects a whole message for one bad task, naming it, and carries on with the next', () => {
      const { q, delivered, rejected } = inbox();
      const tasks: unknown[] = many(500);
      tasks[321] = { ...task('bad', 1), state: 'exploded' };
      q.push(update(tasks));
      q.push(update(many(3, 'ok')));
      while (q.work(1000));
      assert.equal(rejected.length, 1);
      assert.match(rejected[0]!, /^tasks\.321\.state: /);
      assert.equal(delivered.length, 1);
      assert.equal((delivered[0] as Extract<HostMessage, { type: 'update' }>).tasks[0]?.jobId, 'ok0');
    });

    it('rejects a bad envelope at once', () => {
      const { q, delivered, rejected } = inbox();
      for (const bad of [null, 'x', { type: 'update' }, { type: 'snapshot', now: 1 }, { ...(update([]) as object), now: -1 }]) q.push(bad);
      assert.equal(rejected.length, 5);
      assert.equal(q.pending, 0);
      assert.equal(q.work(5), false);
      assert.equal(delivered.length, 0);
    });

    it('accepts exactly what HostMessage accepts', () => {
      const samples: unknown[] = [
        update(many(3)),
        snapshot(many(3)),
        update([{ ...task('x', 1), startedAt: -5 }]),
        update([{ key: 'k' }]),
        snapshot([]),
        { ...(snapshot([]) as object), strings: {} },
        update(many(260).map((t, i) => (i === 255 ? { ...t, label: 'x'.repeat(201) } : t))),
      ];
      for (const sample of samples) {
        const { q, delivered } = inbox();
        q.push(sample);
        while (q.work(1000));
        assert.equal(delivered.length === 1, check(HostMessage, sample).ok, JSON.stringify(sample).slice(0, 120));
      }
    });

    it('drops the updates still waiting when a snapshot arrives', () => {
      const { q, delivered } = inbox();
      q.push(update(many(500)));
      q.work(0);
      q.push(snapshot(many(2, 's')));
      while (q.work(1000));
      assert.deepEqual(delivered.map((m) => m.type), ['snapshot']);
    });
  });
});
