// The producer side of both delivery modes, for any Node code (extension, labs, benchmark, tests):
//   pubsub — PUBLISH <channel> <JobCreated JSON>; Redis answers how many subscribers received it
//            (0 = nobody listened, and the job is gone);
//   stream — XADD <channel>:stream MAXLEN ~ N * job <JobCreated JSON>; Redis answers the entry id,
//            and the entry waits for a worker of the consumer group.
import type Redis from 'ioredis';
import type { Delivery, JobCreated } from '../shared/protocol';
import { STREAM_JOB_FIELD, STREAM_MAX_LENGTH, streamKeyFor } from '../shared/streamDelivery';

export interface PublishJobsOptions {
  /** Jobs go out in pipelined chunks of this size (default 500); progress is reported per chunk. */
  readonly chunkSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops after the current chunk; what was sent is returned. */
  readonly signal?: AbortSignal;
}

export interface PublishedJobs {
  readonly delivery: Delivery;
  /** The jobs that were sent, in order (fewer than asked when aborted). */
  readonly jobs: readonly JobCreated[];
  /** Pub/Sub: the number of subscribers that received each job. Stream: empty. */
  readonly receivers: readonly number[];
  /** Stream: the entry id of each job. Pub/Sub: empty. */
  readonly ids: readonly string[];
}

const DEFAULT_CHUNK = 500;

/** Publishes jobs in order on `channel` with the given delivery mode. Rejects on the first Redis error. */
export async function publishJobs(
  redis: Redis,
  channel: string,
  delivery: Delivery,
  jobs: readonly JobCreated[],
  options: PublishJobsOptions = {},
): Promise<PublishedJobs> {
  const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK);
  const stream = streamKeyFor(channel);
  const receivers: number[] = [];
  const ids: string[] = [];
  let sent = 0;
  while (sent < jobs.length && !options.signal?.aborted) {
    const chunk = jobs.slice(sent, sent + chunkSize);
    const pipeline = redis.pipeline();
    for (const job of chunk) {
      const text = JSON.stringify(job);
      if (delivery === 'stream') pipeline.xadd(stream, 'MAXLEN', '~', STREAM_MAX_LENGTH, '*', STREAM_JOB_FIELD, text);
      else pipeline.publish(channel, text);
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [error, reply] of results) {
      if (error) throw error;
      if (delivery === 'stream') ids.push(String(reply));
      else receivers.push(Number(reply));
    }
    sent += chunk.length;
    options.onProgress?.(sent, jobs.length);
  }
  return { delivery, jobs: jobs.slice(0, sent), receivers, ids };
}
