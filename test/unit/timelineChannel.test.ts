// The host's half of the timeline conversation: ready → snapshot → one update per tick, nothing
// while hidden, page messages checked (and a bad one logged and ignored), clicks become commands.
import * as assert from 'node:assert/strict';
import type { LifecycleEvent } from '../../src/shared/protocol';
import { check } from '../../src/shared/protocol';
import { TimelineStore, type Timers } from '../../src/shared/timelineModel';
import { HostMessage } from '../../src/shared/timelineProtocol';
import { Commands, TimelineChannel, type ChannelHost } from '../../src/extension/timeline/timelineChannel';
import { timelineStrings } from '../../src/extension/timeline/strings';

const W = { workerId: 'host:7:a', pid: 7, hostname: 'host' };
const started = (jobId: string, at: number): LifecycleEvent => ({
  type: 'TaskStarted', jobId, workerId: W.workerId, pid: W.pid, createdAt: at, receivedAt: at, at, kind: 'sleep', durationMs: 1000, threadId: 0,
});
const completed = (jobId: string, at: number): LifecycleEvent => ({ type: 'TaskCompleted', jobId, workerId: W.workerId, pid: W.pid, startedAt: at - 1000, at });

class FakeTimers implements Timers {
  private next = 1;
  readonly pending = new Map<number, () => void>();
  setTimeout(fn: () => void): unknown {
    const id = this.next++;
    this.pending.set(id, fn);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  tick(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    all.forEach((fn) => fn());
  }
}

function setup() {
  const store = new TimelineStore();
  const timers = new FakeTimers();
  const posted: HostMessage[] = [];
  const executed: unknown[][] = [];
  const warnings: string[] = [];
  const host: ChannelHost & { visible: boolean } = {
    visible: true,
    post: (m) => {
      // Whatever the host posts must pass the page's own check.
      const r = check(HostMessage, JSON.parse(JSON.stringify(m)));
      assert.ok(r.ok, `the host posted an invalid ${m.type}: ${r.ok ? '' : r.reason}`);
      posted.push(m);
      return Promise.resolve(true);
    },
    execute: (command, ...args) => {
      executed.push([command, ...args]);
      return Promise.resolve(undefined);
    },
    strings: () => timelineStrings((m) => m),
    locale: 'ja',
    log: { warn: (m) => warnings.push(m), debug: () => undefined },
    now: () => 1_000_000,
  };
  const channel = new TimelineChannel(store, host, 100, timers);
  const apply = (...events: LifecycleEvent[]) => {
    store.apply(events);
    channel.storeChanged();
  };
  return { store, timers, posted, executed, warnings, host, channel, apply };
}

describe('timeline channel (host side)', () => {
  it('sends nothing before ready, then a snapshot of everything so far', () => {
    const s = setup();
    s.apply(started('a', 1), started('b', 2));
    s.timers.tick();
    assert.equal(s.posted.length, 0);
    s.channel.receive({ type: 'ready' });
    assert.equal(s.posted.length, 1);
    const snap = s.posted[0]!;
    assert.equal(snap.type, 'snapshot');
    assert.ok(snap.type === 'snapshot');
    assert.deepEqual(snap.tasks.map((t) => t.jobId), ['a', 'b']);
    assert.equal(snap.locale, 'ja');
    assert.equal(snap.now, 1_000_000);
    assert.equal(snap.strings.publishJob, 'Publish Job');
  });

  it('coalesces many changes into one update per tick', () => {
    const s = setup();
    s.channel.receive({ type: 'ready' });
    for (let i = 0; i < 500; i++) s.apply(started(`j${i}`, i));
    for (let i = 0; i < 100; i++) s.apply(completed(`j${i}`, 2000 + i));
    assert.equal(s.posted.length, 1, 'nothing before the tick');
    assert.equal(s.timers.pending.size, 1);
    s.timers.tick();
    assert.equal(s.posted.length, 2);
    const update = s.posted[1]!;
    assert.ok(update.type === 'update');
    assert.equal(update.tasks.length, 500);
    assert.equal(update.tasks.filter((t) => t.state === 'completed').length, 100);
    s.timers.tick();
    assert.equal(s.posted.length, 2, 'no empty updates');
    s.apply(completed('j200', 5000));
    s.timers.tick();
    assert.equal(s.posted.length, 3);
    assert.deepEqual((s.posted[2] as Extract<HostMessage, { type: 'update' }>).tasks.map((t) => t.jobId), ['j200']);
    assert.deepEqual(s.channel.sent, { snapshots: 1, updates: 2 });
  });

  it('sends nothing while hidden and a fresh snapshot when the page asks again', () => {
    const s = setup();
    s.channel.receive({ type: 'ready' });
    s.host.visible = false;
    s.channel.visibilityChanged();
    s.apply(started('hidden-1', 1), started('hidden-2', 2));
    s.timers.tick();
    assert.equal(s.posted.length, 1, 'a hidden panel got a message');
    assert.equal(s.timers.pending.size, 0);
    // Shown again: VS Code recreates the page, which says ready.
    s.host.visible = true;
    s.channel.visibilityChanged();
    s.apply(started('before-ready', 3));
    s.timers.tick();
    assert.equal(s.posted.length, 1, 'an update before the page said ready');
    s.channel.receive({ type: 'ready' });
    const snap = s.posted[1]!;
    assert.ok(snap.type === 'snapshot');
    assert.deepEqual(snap.tasks.map((t) => t.jobId), ['hidden-1', 'hidden-2', 'before-ready']);
    s.apply(completed('hidden-1', 1001));
    s.timers.tick();
    assert.equal(s.posted.at(-1)?.type, 'update');
  });

  it('logs and ignores malformed or unknown messages from the page', () => {
    const s = setup();
    const bad = [null, 'ready', 42, { type: 'runShell', command: 'rm -rf /' }, { type: 'revealTask' }, { type: 'revealTask', key: 5 }, { type: 'ready', extra: 1 }];
    for (const m of bad) s.channel.receive(m);
    assert.equal(s.warnings.length, bad.length);
    assert.ok(s.warnings.every((w) => w.startsWith('timeline: ignored a message from the page (')));
    assert.equal(s.posted.length, 0);
    assert.equal(s.executed.length, 0);
    // A huge bad message makes a short log line.
    s.channel.receive({ type: 'x'.repeat(100_000) });
    assert.ok(s.warnings.at(-1)!.length < 400);
  });

  it('turns clicks into commands', async () => {
    const s = setup();
    s.channel.receive({ type: 'revealTask', key: `${W.workerId}/a` });
    s.channel.receive({ type: 'publishJob' });
    s.channel.receive({ type: 'clearHistory' });
    assert.deepEqual(s.executed, [[Commands.revealTask, `${W.workerId}/a`], [Commands.publishJob], [Commands.clearHistory]]);
    assert.deepEqual(Commands, { revealTask: 'concurrencyLab.revealTask', publishJob: 'concurrencyLab.publishJob', clearHistory: 'concurrencyLab.clearHistory' });
    // A failing command is logged, not thrown.
    s.host.execute = () => Promise.reject(new Error('no tree'));
    s.channel.receive({ type: 'revealTask', key: 'k' });
    await new Promise((r) => setImmediate(r));
    assert.match(s.warnings.at(-1) ?? '', /concurrencyLab\.revealTask failed: no tree/);
  });

  it('answers a cleared history with a new snapshot', () => {
    const s = setup();
    s.apply(started('a', 1), completed('a', 1001), started('b', 2));
    s.channel.receive({ type: 'ready' });
    s.store.clear();
    s.channel.storeReset();
    const snap = s.posted.at(-1)!;
    assert.ok(snap.type === 'snapshot');
    assert.deepEqual(snap.tasks.map((t) => t.jobId), ['b']);
  });

  it('stops after dispose', () => {
    const s = setup();
    s.channel.receive({ type: 'ready' });
    s.apply(started('a', 1));
    s.channel.dispose();
    s.channel.dispose();
    s.timers.tick();
    s.channel.receive({ type: 'ready' });
    assert.equal(s.posted.length, 1);
  });
});
