// The host↔page messages of the timeline: every schema accepts its valid shapes and refuses wrong ones.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../src/shared/protocol';
import {
  ClearHistoryMessage,
  HeartbeatPoint,
  HostMessage,
  PublishJobMessage,
  ReadyMessage,
  RevealTaskMessage,
  SnapshotMessage,
  TimelineStrings,
  TimelineTask,
  TimelineWorker,
  UpdateMessage,
  WebviewMessage,
} from '../../src/shared/timelineProtocol';
import { timelineStrings } from '../../src/extension/timeline/strings';

const root = join(__dirname, '..', '..', '..');
const strings = timelineStrings((m) => m);
const worker = { workerId: 'host:1:a', pid: 1, hostname: 'host', state: 'online', onlineAt: 5, maxConcurrency: 0 };
const task = { key: 'host:1:a/j1', jobId: 'j1', workerId: 'host:1:a', state: 'running', kind: 'sleep', label: 'hello', seq: 0, durationMs: 1000, createdAt: 1, receivedAt: 2, startedAt: 3 };
const beat = { workerId: 'host:1:a', at: 10, loopDelay: { meanMs: 0.5, p99Ms: 2, maxMs: 3.25 } };
const snapshot = { type: 'snapshot', now: 100, locale: 'ja', strings, workers: [worker], tasks: [task], heartbeats: [beat] };
const update = { type: 'update', now: 101, workers: [], tasks: [{ ...task, state: 'completed', finishedAt: 1003 }], removed: ['host:1:a/j0'], heartbeats: [] };

const accepts = (schema: Parameters<typeof check>[0], value: unknown) => {
  const r = check(schema, value);
  assert.ok(r.ok, `rejected ${String(JSON.stringify(value)).slice(0, 200)}: ${r.ok ? '' : r.reason}`);
};
const rejects = (schema: Parameters<typeof check>[0], value: unknown) => {
  const r = check(schema, value);
  assert.equal(r.ok, false, `accepted ${String(JSON.stringify(value)).slice(0, 200)}`);
  if (!r.ok) assert.ok(r.reason.length > 0);
};

describe('timeline protocol', () => {
  describe('parts', () => {
    it('TimelineTask accepts a minimal and a full task, and refuses wrong ones', () => {
      accepts(TimelineTask, { key: 'w/j', jobId: 'j', workerId: 'w', state: 'queued' });
      accepts(TimelineTask, { ...task, state: 'failed', finishedAt: 9, error: 'boom', queuedAt: 2 });
      rejects(TimelineTask, { ...task, state: 'exploded' });
      rejects(TimelineTask, { ...task, key: '' });
      rejects(TimelineTask, { ...task, startedAt: -1 });
      rejects(TimelineTask, { ...task, startedAt: 1.5 });
      rejects(TimelineTask, { ...task, label: 'x'.repeat(201) });
      rejects(TimelineTask, { ...task, kind: 'teleport' });
      rejects(TimelineTask, { ...task, jobId: 7 });
      const { jobId: _jobId, ...noJobId } = task;
      rejects(TimelineTask, noJobId);
    });

    it('TimelineWorker and HeartbeatPoint', () => {
      accepts(TimelineWorker, worker);
      accepts(TimelineWorker, { workerId: 'w', pid: 2, hostname: 'h', state: 'offline' });
      rejects(TimelineWorker, { ...worker, pid: 0 });
      rejects(TimelineWorker, { ...worker, state: 'sleepy' });
      rejects(TimelineWorker, { ...worker, hostname: '' });
      accepts(HeartbeatPoint, beat);
      rejects(HeartbeatPoint, { ...beat, loopDelay: { meanMs: 1, p99Ms: 1 } });
      rejects(HeartbeatPoint, { ...beat, loopDelay: { meanMs: -1, p99Ms: 1, maxMs: 1 } });
    });

    it('TimelineStrings needs every string the page shows', () => {
      accepts(TimelineStrings, strings);
      const { tipClick: _tipClick, ...missing } = strings;
      rejects(TimelineStrings, missing);
      rejects(TimelineStrings, { ...strings, title: 3 });
    });
  });

  describe('host → page', () => {
    it('accepts a snapshot and an update, through the union too', () => {
      accepts(SnapshotMessage, snapshot);
      accepts(UpdateMessage, update);
      accepts(HostMessage, snapshot);
      accepts(HostMessage, update);
      const parsed = check(HostMessage, snapshot);
      assert.ok(parsed.ok && parsed.value.type === 'snapshot' && parsed.value.tasks[0]?.label === 'hello');
    });

    it('refuses wrong or incomplete messages', () => {
      for (const bad of [
        null,
        'snapshot',
        [],
        { type: 'nonsense' },
        { ...snapshot, type: 'snap' },
        { ...snapshot, now: -5 },
        { ...snapshot, strings: { title: 'x' } },
        { ...snapshot, tasks: [{ ...task, state: 'gone' }] },
        { ...snapshot, workers: 'all' },
        { ...update, removed: [''] },
        { ...update, heartbeats: [{ workerId: 'w', at: 1 }] },
        { type: 'update', now: 1 },
      ]) {
        rejects(HostMessage, bad);
      }
    });
  });

  describe('page → host', () => {
    it('accepts the four messages the page sends', () => {
      accepts(ReadyMessage, { type: 'ready' });
      accepts(RevealTaskMessage, { type: 'revealTask', key: 'host:1:a/j1' });
      accepts(PublishJobMessage, { type: 'publishJob' });
      accepts(ClearHistoryMessage, { type: 'clearHistory' });
      for (const m of [{ type: 'ready' }, { type: 'revealTask', key: 'k' }, { type: 'publishJob' }, { type: 'clearHistory' }]) accepts(WebviewMessage, m);
    });

    it('refuses unknown types, wrong shapes and extra keys', () => {
      for (const bad of [
        undefined,
        null,
        'ready',
        { type: 'runShell', command: 'rm -rf /' },
        { type: 'revealTask' },
        { type: 'revealTask', key: '' },
        { type: 'revealTask', key: 42 },
        { type: 'revealTask', key: 'x'.repeat(401) },
        { type: 'ready', extra: true },
        { type: 'publishJob', count: 10_000 },
        { ...snapshot, type: 'ready' },
      ]) {
        rejects(WebviewMessage, bad);
      }
    });
  });

  describe('strings', () => {
    it('every timeline string has a Japanese translation', () => {
      const ja = JSON.parse(readFileSync(join(root, 'l10n', 'bundle.l10n.ja.json'), 'utf8')) as Record<string, string>;
      const english: string[] = [];
      timelineStrings((m) => {
        english.push(m);
        return m;
      });
      assert.equal(english.length, Object.keys(strings).length);
      const missing = english.filter((m) => !ja[m]?.trim());
      assert.deepEqual(missing, []);
      // Placeholders survive translation, so the page can fill them.
      for (const m of english) {
        const holes = (s: string) => (s.match(/\{\d\}/g) ?? []).sort().join();
        assert.equal(holes(ja[m]!), holes(m), `placeholders differ in the translation of "${m}"`);
      }
    });
  });
});
