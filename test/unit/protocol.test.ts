import * as assert from 'node:assert/strict';
import type { z } from 'zod';
import {
  decode, check, JobCreated, StatusBatch, LifecycleEvent, newJob, statusChannelFor, MAX_EVENTS_PER_BATCH,
  WorkerOnline, WorkerHeartbeat, WorkerOffline, TaskQueued, TaskStarted, TaskCompleted, TaskFailed,
} from '../../src/shared/protocol';
import { ChildMessage, ParentMessage } from '../../src/shared/ipc';

const base = { workerId: 'host:1:a', pid: 1, hostname: 'host' };
const valid = {
  WorkerOnline: { type: 'WorkerOnline', ...base, at: 1, channel: 'jobs', delivery: 'pubsub', maxConcurrency: 0 },
  WorkerHeartbeat: { type: 'WorkerHeartbeat', ...base, at: 1, cpu: null, loopDelay: { meanMs: 0, p99Ms: 1, maxMs: 2 }, inFlight: 3, queued: 0, rssBytes: 10, heapUsedBytes: 5 },
  WorkerOffline: { type: 'WorkerOffline', ...base, at: 2, reason: 'SIGTERM', abandoned: 0 },
  TaskQueued: { type: 'TaskQueued', jobId: 'j', workerId: 'host:1:a', pid: 1, at: 1, createdAt: 0 },
  TaskStarted: { type: 'TaskStarted', jobId: 'j', workerId: 'host:1:a', pid: 1, createdAt: 0, receivedAt: 1, at: 2, kind: 'sleep', durationMs: 1000, threadId: 0 },
  TaskCompleted: { type: 'TaskCompleted', jobId: 'j', workerId: 'host:1:a', pid: 1, startedAt: 2, at: 3 },
  TaskFailed: { type: 'TaskFailed', jobId: 'j', workerId: 'host:1:a', pid: 1, startedAt: 2, at: 3, error: 'boom' },
};
const schemas: Record<string, z.ZodType<unknown, z.ZodTypeDef, unknown>> = { WorkerOnline, WorkerHeartbeat, WorkerOffline, TaskQueued, TaskStarted, TaskCompleted, TaskFailed };

describe('protocol', () => {
  describe('JobCreated', () => {
    it('accepts a full job and fills defaults for a minimal one', () => {
      const full = decode(JobCreated, JSON.stringify({ type: 'JobCreated', jobId: 'a', createdAt: 5, durationMs: 250, kind: 'cpu', label: 'x', seq: 3 }));
      assert.ok(full.ok);
      assert.equal(full.value.kind, 'cpu');
      const minimal = decode(JobCreated, '{"type":"JobCreated","jobId":"a","createdAt":5}');
      assert.ok(minimal.ok);
      assert.equal(minimal.value.durationMs, 1000);
      assert.equal(minimal.value.kind, 'sleep');
    });

    it('keeps HTML in a label as plain data', () => {
      const r = decode(JobCreated, JSON.stringify({ type: 'JobCreated', jobId: 'a', createdAt: 1, label: '<img src=x onerror=alert(1)>' }));
      assert.ok(r.ok);
      assert.equal(r.value.label, '<img src=x onerror=alert(1)>');
    });

    const bad: Array<[string, string, RegExp]> = [
      ['malformed JSON', '{"type":"JobCreated",', /not JSON/],
      ['a string id that is a number', '{"type":"JobCreated","jobId":7,"createdAt":1}', /jobId/],
      ['a negative duration', '{"type":"JobCreated","jobId":"a","createdAt":1,"durationMs":-1}', /durationMs/],
      ['a duration as text', '{"type":"JobCreated","jobId":"a","createdAt":1,"durationMs":"1000"}', /durationMs/],
      ['an unknown kind', '{"type":"JobCreated","jobId":"a","createdAt":1,"kind":"rm -rf"}', /kind/],
      ['an unknown event type', '{"type":"JobDeleted","jobId":"a","createdAt":1}', /type/],
      ['a __proto__ key', '{"type":"JobCreated","jobId":"a","createdAt":1,"__proto__":{"polluted":true}}', /forbidden key "__proto__"/],
      ['a nested constructor key', '{"type":"JobCreated","jobId":"a","createdAt":1,"label":"x","x":{"constructor":{}}}', /forbidden key/],
      ['a JSON array', '[1,2]', /expected object/i],
      ['null', 'null', /expected object/i],
      ['a 1 MB payload', JSON.stringify({ type: 'JobCreated', jobId: 'a', createdAt: 1, label: 'x'.repeat(1024 * 1024) }), /too large/],
      ['a label over 200 characters', JSON.stringify({ type: 'JobCreated', jobId: 'a', createdAt: 1, label: 'x'.repeat(201) }), /label/],
    ];
    for (const [what, text, reason] of bad) {
      it(`rejects ${what} with a reason`, () => {
        const r = decode(JobCreated, text);
        assert.equal(r.ok, false);
        if (!r.ok) assert.match(r.reason, reason);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      });
    }

    it('newJob builds a valid job', () => {
      const job = newJob({ jobId: 'x', durationMs: 10, seq: 2 });
      assert.ok(check(JobCreated, job).ok);
    });
  });

  describe('lifecycle events', () => {
    for (const [name, sample] of Object.entries(valid)) {
      it(`${name} accepts its valid shape and rejects a wrong field`, () => {
        const schema = schemas[name];
        assert.ok(check(schema, sample).ok, `${name} should accept its sample`);
        assert.ok(check(LifecycleEvent, sample).ok);
        assert.equal(check(schema, { ...sample, pid: 'one' }).ok, false);
        assert.equal(check(schema, { ...sample, at: -1 }).ok, false);
        const { type: _type, ...untyped } = sample;
        assert.equal(check(LifecycleEvent, untyped).ok, false);
      });
    }

    it('a StatusBatch carries many events and is bounded', () => {
      const events = Object.values(valid);
      assert.ok(check(StatusBatch, { type: 'StatusBatch', workerId: 'w', seq: 0, events }).ok);
      const tooMany = Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, () => valid.TaskCompleted);
      assert.equal(check(StatusBatch, { type: 'StatusBatch', workerId: 'w', seq: 0, events: tooMany }).ok, false);
      assert.equal(check(StatusBatch, { type: 'StatusBatch', workerId: 'w', seq: 0, events: [{ type: 'Nope' }] }).ok, false);
    });

    it('derives the status channel from the job channel', () => {
      assert.equal(statusChannelFor('jobs'), 'jobs:status');
    });
  });

  describe('IPC messages', () => {
    it('accepts the worker handshake and log lines, rejects anything else', () => {
      assert.ok(check(ChildMessage, { type: 'ready', workerId: 'w', pid: 3 }).ok);
      assert.ok(check(ChildMessage, { type: 'initFailed', error: 'no redis' }).ok);
      assert.ok(check(ChildMessage, { type: 'log', level: 'warn', message: 'x' }).ok);
      assert.equal(check(ChildMessage, { type: 'log', level: 'loud', message: 'x' }).ok, false);
      assert.equal(check(ChildMessage, { type: 'ready', pid: 3 }).ok, false);
      assert.ok(check(ParentMessage, { type: 'stop', timeoutMs: 100 }).ok);
      assert.equal(check(ParentMessage, { type: 'stop' }).ok, false);
      assert.equal(check(ParentMessage, { type: 'exec', cmd: 'x' }).ok, false);
    });
  });
});
