// Messages between the extension (parent) and the forked worker host (child) over Node's IPC
// channel. One schema per message; both sides check every message with `check()`.
import { z } from 'zod';

export const LogLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof LogLevel>;

/** Child → parent: the worker is subscribed and ready for jobs. */
export const WorkerReady = z.object({
  type: z.literal('ready'),
  workerId: z.string().min(1),
  pid: z.number().int().positive(),
});
/** Child → parent: the worker could not start (for example Redis refused the connection). */
export const WorkerInitFailed = z.object({
  type: z.literal('initFailed'),
  error: z.string(),
});
/** Child → parent: one log line, shown in the extension's LogOutputChannel. */
export const WorkerLog = z.object({
  type: z.literal('log'),
  level: LogLevel,
  message: z.string().max(10_000),
});

export const ChildMessage = z.discriminatedUnion('type', [WorkerReady, WorkerInitFailed, WorkerLog]);
export type ChildMessage = z.infer<typeof ChildMessage>;

/** Parent → child: stop in two phases (stop taking jobs, then drain up to `timeoutMs`). */
export const StopRequest = z.object({
  type: z.literal('stop'),
  timeoutMs: z.number().int().nonnegative(),
});

export const ParentMessage = z.discriminatedUnion('type', [StopRequest]);
export type ParentMessage = z.infer<typeof ParentMessage>;
