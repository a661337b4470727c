// The wire protocol between producers, workers and watchers, carried over Redis.
// Shared by the extension, the worker host, the webviews and the tests: it must import neither
// `vscode` nor Node-only modules. Every message has exactly one schema here, and every message
// that crosses a boundary goes through `decode()` before anyone reads it.
import { z } from 'zod';

/** A message larger than this is rejected before JSON.parse sees it. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** The longest job a producer may ask for (10 minutes). */
export const MAX_DURATION_MS = 10 * 60 * 1000;
export const DEFAULT_DURATION_MS = 1000;
export const DEFAULT_JOB_CHANNEL = 'jobs';

/** The status channel that belongs to a job channel. */
export function statusChannelFor(jobChannel: string): string {
  return `${jobChannel}:status`;
}

const epochMs = z.number().int().nonnegative();
const pid = z.number().int().positive();
const jobId = z.string().min(1).max(128);
const workerId = z.string().min(1).max(256);

/**
 * What a job does once it runs.
 * - `sleep` awaits a timer: the task hands control back to the event loop (the chapter's
 *   `await asyncio.sleep(1)`).
 * - `cpu` spins for its duration without awaiting: it blocks the event loop, so nothing else
 *   runs meanwhile.
 * - `fail` awaits like `sleep`, then throws: shows how a failing task is reported.
 */
export const JobKind = z.enum(['sleep', 'cpu', 'fail']);
export type JobKind = z.infer<typeof JobKind>;

/** Published by a producer on the job channel. `durationMs` and `kind` may be omitted. */
export const JobCreated = z.object({
  type: z.literal('JobCreated'),
  jobId,
  createdAt: epochMs,
  durationMs: z.number().int().min(0).max(MAX_DURATION_MS).default(DEFAULT_DURATION_MS),
  kind: JobKind.default('sleep'),
  label: z.string().max(200).optional(),
  /** Publish order within a burst, so that completion order can be compared with it. */
  seq: z.number().int().nonnegative().optional(),
});
export type JobCreated = z.infer<typeof JobCreated>;
/** What a producer writes: defaults may be left out. */
export type JobCreatedInput = z.input<typeof JobCreated>;

const workerIdentity = {
  workerId,
  pid,
  hostname: z.string().min(1).max(255),
};

/** The loop delay figures of `perf_hooks.monitorEventLoopDelay`, in milliseconds. */
export const LoopDelay = z.object({
  meanMs: z.number().nonnegative(),
  p99Ms: z.number().nonnegative(),
  maxMs: z.number().nonnegative(),
});
export type LoopDelay = z.infer<typeof LoopDelay>;

export const Delivery = z.enum(['pubsub', 'stream']);
export type Delivery = z.infer<typeof Delivery>;

export const WorkerOnline = z.object({
  type: z.literal('WorkerOnline'),
  ...workerIdentity,
  at: epochMs,
  channel: z.string().min(1).max(200),
  delivery: Delivery,
  /** 0 means no limit, as in the chapter. */
  maxConcurrency: z.number().int().nonnegative(),
});
export type WorkerOnline = z.infer<typeof WorkerOnline>;

export const WorkerHeartbeat = z.object({
  type: z.literal('WorkerHeartbeat'),
  ...workerIdentity,
  at: epochMs,
  /** The CPU core the process last ran on, where the OS tells it (Linux); otherwise null. */
  cpu: z.number().int().nonnegative().nullable(),
  loopDelay: LoopDelay,
  inFlight: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
  rssBytes: z.number().int().nonnegative(),
  heapUsedBytes: z.number().int().nonnegative(),
});
export type WorkerHeartbeat = z.infer<typeof WorkerHeartbeat>;

export const WorkerOffline = z.object({
  type: z.literal('WorkerOffline'),
  ...workerIdentity,
  at: epochMs,
  reason: z.string().max(500),
  /** Tasks still running when the stop timeout ran out (they are abandoned). */
  abandoned: z.number().int().nonnegative(),
});
export type WorkerOffline = z.infer<typeof WorkerOffline>;

const taskIdentity = {
  jobId,
  workerId,
  pid,
};

/** The job arrived but waits for a free slot (only with a concurrency limit). */
export const TaskQueued = z.object({
  type: z.literal('TaskQueued'),
  ...taskIdentity,
  at: epochMs,
  createdAt: epochMs,
});
export type TaskQueued = z.infer<typeof TaskQueued>;

export const TaskStarted = z.object({
  type: z.literal('TaskStarted'),
  ...taskIdentity,
  /** When the job was created by its producer. */
  createdAt: epochMs,
  /** When the worker received the event. */
  receivedAt: epochMs,
  /** When `executeJob` began. */
  at: epochMs,
  kind: JobKind,
  durationMs: z.number().int().nonnegative(),
  label: z.string().max(200).optional(),
  seq: z.number().int().nonnegative().optional(),
  /** The thread the task ran on: always the main thread (0) in this worker. */
  threadId: z.number().int().nonnegative(),
});
export type TaskStarted = z.infer<typeof TaskStarted>;

export const TaskCompleted = z.object({
  type: z.literal('TaskCompleted'),
  ...taskIdentity,
  startedAt: epochMs,
  at: epochMs,
});
export type TaskCompleted = z.infer<typeof TaskCompleted>;

export const TaskFailed = z.object({
  type: z.literal('TaskFailed'),
  ...taskIdentity,
  startedAt: epochMs,
  at: epochMs,
  error: z.string().max(1000),
});
export type TaskFailed = z.infer<typeof TaskFailed>;

export const LifecycleEvent = z.discriminatedUnion('type', [
  WorkerOnline,
  WorkerHeartbeat,
  WorkerOffline,
  TaskQueued,
  TaskStarted,
  TaskCompleted,
  TaskFailed,
]);
export type LifecycleEvent = z.infer<typeof LifecycleEvent>;
export type LifecycleEventType = LifecycleEvent['type'];

/** The most events one batch may carry; a busier tick is split into several batches. */
export const MAX_EVENTS_PER_BATCH = 500;

/** What a worker publishes on the status channel: the events of one flush interval. */
export const StatusBatch = z.object({
  type: z.literal('StatusBatch'),
  workerId,
  /** Increases by one per batch of a worker, so a watcher can tell a gap. */
  seq: z.number().int().nonnegative(),
  events: z.array(LifecycleEvent).max(MAX_EVENTS_PER_BATCH),
});
export type StatusBatch = z.infer<typeof StatusBatch>;

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses JSON text and checks it against one schema. Never throws: a bad message yields a reason
 * that names what is wrong (too large, not JSON, a forbidden key, or the first schema issue).
 */
export function decode<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, text: string, maxBytes = MAX_MESSAGE_BYTES): DecodeResult<T> {
  // A string's length in UTF-16 units bounds its UTF-8 size from below by itself and from above by 3×.
  if (text.length > maxBytes) {
    return { ok: false, reason: `message too large (${text.length} characters, limit ${maxBytes})` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new ForbiddenKeyError(key);
      }
      return value;
    });
  } catch (e) {
    if (e instanceof ForbiddenKeyError) {
      return { ok: false, reason: `forbidden key "${e.key}"` };
    }
    return { ok: false, reason: `not JSON (${(e as Error).message})` };
  }
  return check(schema, data);
}

/** Checks an already-parsed value (an IPC or webview message) against one schema. */
export function check<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, data: unknown): DecodeResult<T> {
  const result = schema.safeParse(data);
  if (result.success) {
    return { ok: true, value: result.data };
  }
  return { ok: false, reason: describeIssues(result.error) };
}

export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) {
    return 'invalid message';
  }
  const where = issue.path.length ? issue.path.join('.') : 'message';
  const more = error.issues.length > 1 ? ` (+${error.issues.length - 1} more)` : '';
  return `${where}: ${issue.message}${more}`;
}

class ForbiddenKeyError extends Error {
  constructor(readonly key: string) {
    super(`forbidden key ${key}`);
  }
}

/** Builds a valid JobCreated for a producer; used by Publish Job, the labs and the benchmark. */
export function newJob(input: { jobId: string; durationMs?: number; kind?: JobKind; label?: string; seq?: number; createdAt?: number }): JobCreated {
  return JobCreated.parse({
    type: 'JobCreated',
    jobId: input.jobId,
    createdAt: input.createdAt ?? Date.now(),
    durationMs: input.durationMs ?? DEFAULT_DURATION_MS,
    kind: input.kind ?? 'sleep',
    label: input.label,
    seq: input.seq,
  });
}
