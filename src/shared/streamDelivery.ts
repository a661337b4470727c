// Names of the work-queue delivery mode (`delivery: stream`), shared by the worker, the producers
// (extension, labs, benchmark) and the README: jobs are entries of a Redis Stream, and one consumer
// group hands each entry to exactly one worker. No `vscode`, no Node-only modules.
//
//   XADD <channel>:stream MAXLEN ~ 100000 * job '<JobCreated JSON>'
//   XREADGROUP GROUP workers <workerId> COUNT n BLOCK ms STREAMS <channel>:stream >
//   XACK <channel>:stream workers <entry id>
//   XAUTOCLAIM <channel>:stream workers <workerId> <idle ms> 0-0

/** The stream that carries the jobs of a job channel. */
export function streamKeyFor(jobChannel: string): string {
  return `${jobChannel}:stream`;
}

/** The consumer group every worker of a channel joins; each entry goes to one member. */
export const STREAM_GROUP = 'workers';

/** The entry field that holds the JobCreated JSON (the same text Pub/Sub would carry). */
export const STREAM_JOB_FIELD = 'job';

/** Producers trim the stream to about this many entries (`MAXLEN ~`), so it cannot grow forever. */
export const STREAM_MAX_LENGTH = 100_000;

/** A pending entry idle this long is taken over by another worker (its worker is presumed dead). */
export const DEFAULT_CLAIM_IDLE_MS = 30_000;
