// Entry point of the worker host (dist/worker.js). Runs forked by the extension (it then talks
// over the IPC channel: ready handshake, log lines, stop request) or standalone from a shell:
//   node dist/worker.js --redis redis://127.0.0.1:6379 --channel jobs
import { parseArgs } from 'node:util';
import { check, Delivery, DEFAULT_JOB_CHANNEL } from '../shared/protocol';
import { ParentMessage, type ChildMessage, type LogLevel } from '../shared/ipc';
import { errorMessage, redactUrl, type Logger } from '../shared/log';
import { DEFAULT_CLAIM_IDLE_MS, STREAM_GROUP } from '../shared/streamDelivery';
import { JobWorker } from './worker';

const USAGE = `Usage: node dist/worker.js [options]
  --redis <url>            Redis URL (default: $REDIS_URL or redis://127.0.0.1:6379)
  --channel <name>         job channel (default: ${DEFAULT_JOB_CHANNEL}); lifecycle events go to <name>:status
  --delivery <mode>        pubsub (default, as in the chapter) or stream (a work queue: a Redis
                           Stream <name>:stream read by the consumer group "${STREAM_GROUP}")
  --claim-idle <ms>        stream only: take over a job pending this long at a dead worker
                           (default: ${DEFAULT_CLAIM_IDLE_MS})
  --max-concurrency <n>    tasks running at once; 0 = no limit (default: 0)
  --stop-timeout <ms>      how long a stop waits for running tasks (default: 10000)
  --heartbeat <ms>         heartbeat interval (default: 1000)
  --batch <ms>             lifecycle batch interval (default: 50)
  --help
The password, if any, is read from $REDIS_PASSWORD (never from the command line).`;

const forked = typeof process.send === 'function';

function send(message: ChildMessage): void {
  if (forked && process.connected) {
    process.send!(message);
  }
}

function makeLogger(): Logger {
  const write = (level: LogLevel) => (message: string) => {
    if (forked && process.connected) {
      send({ type: 'log', level, message: message.slice(0, 10_000) });
    } else {
      process.stderr.write(`${new Date().toISOString()} [${level}] ${message}\n`);
    }
  };
  return { trace: write('trace'), debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`--${name} wants a non-negative integer, got "${value}"`);
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      redis: { type: 'string' },
      channel: { type: 'string' },
      delivery: { type: 'string' },
      'claim-idle': { type: 'string' },
      'max-concurrency': { type: 'string' },
      'stop-timeout': { type: 'string' },
      heartbeat: { type: 'string' },
      batch: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const log = makeLogger();
  const delivery = check(Delivery, values.delivery ?? 'pubsub');
  if (!delivery.ok) {
    throw new Error(`--delivery: ${delivery.reason}`);
  }
  const redisUrl = values.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const stopTimeoutMs = intOption(values['stop-timeout'], 'stop-timeout', 10_000);
  const worker = new JobWorker({
    redisUrl,
    password: process.env.REDIS_PASSWORD || undefined,
    channel: values.channel ?? DEFAULT_JOB_CHANNEL,
    delivery: delivery.value,
    maxConcurrency: intOption(values['max-concurrency'], 'max-concurrency', 0),
    heartbeatMs: Math.max(50, intOption(values.heartbeat, 'heartbeat', 1000)),
    batchMs: Math.max(5, intOption(values.batch, 'batch', 50)),
    claimIdleMs: Math.max(100, intOption(values['claim-idle'], 'claim-idle', DEFAULT_CLAIM_IDLE_MS)),
    log,
  });

  // No failure inside a task may end the process; log anything that slips through instead.
  process.on('unhandledRejection', (reason) => log.error(`unhandled rejection (kept running): ${errorMessage(reason)}`));

  const stopAndExit = (reason: string, timeoutMs = stopTimeoutMs) => {
    void worker.stop(timeoutMs, reason).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error(`stop failed: ${errorMessage(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stopAndExit('SIGTERM'));
  process.once('SIGINT', () => stopAndExit('SIGINT'));
  if (forked) {
    process.on('message', (raw: unknown) => {
      const message = check(ParentMessage, raw);
      if (!message.ok) {
        log.warn(`ignored a message from the extension: ${message.reason}`);
        return;
      }
      stopAndExit('stop requested', message.value.timeoutMs);
    });
    // The extension went away without stopping us: stop on our own rather than linger.
    process.once('disconnect', () => stopAndExit('extension disconnected'));
  }

  try {
    await worker.start();
  } catch (error) {
    send({ type: 'initFailed', error: errorMessage(error) });
    log.error(errorMessage(error));
    process.exitCode = 2;
    setImmediate(() => process.exit(2));
    return;
  }
  log.info(`connected to ${redactUrl(redisUrl)} (pid ${process.pid})`);
  send({ type: 'ready', workerId: worker.workerId, pid: process.pid });
}

main().catch((error: unknown) => {
  process.stderr.write(`${errorMessage(error)}\n\n${USAGE}\n`);
  send({ type: 'initFailed', error: errorMessage(error) });
  process.exit(2);
});
