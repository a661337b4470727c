// Lab 3 — No concurrency limit. One large burst on a worker without a limit (every job becomes a
// running task at once, and memory climbs), then on a worker with `maxConcurrency` (a semaphore:
// tasks queue, at most the limit run), then with the limit in the Streams mode (the backlog waits
// in Redis instead of in the worker's memory).
import type { Delivery, WorkerHeartbeat } from '../../shared/protocol';
import { STREAM_GROUP, streamKeyFor } from '../../shared/streamDelivery';
import { heartbeatsOf, makespan, maxConcurrent } from '../analysis';
import { WAIT_MARGIN_MS, type LabSession } from '../labSession';
import { count, mib, ms, text, type Text } from '../text';
import type { LabDefinition, LabFigure } from '../types';
import { WALKTHROUGH_STEP } from '../walkthroughSteps';

export interface LimitParams {
  readonly jobs: number;
  readonly durationMs: number;
  /** The `maxConcurrency` of the limited runs. */
  readonly limit: number;
  /** Also run the limited burst in the Streams mode. */
  readonly compareStream: boolean;
  readonly heartbeatMs: number;
}

export interface LimitPhase {
  readonly name: 'unlimited' | 'limited' | 'limited-stream';
  readonly delivery: Delivery;
  readonly maxConcurrency: number;
  readonly makespanMs: number;
  /** The most tasks running at once, counted from TaskStarted/TaskCompleted. */
  readonly maxRunning: number;
  /** The most tasks the worker held (running or queued), from its heartbeats. */
  readonly maxHeldByWorker: number;
  /** The most tasks waiting for a slot inside the worker, from its heartbeats. */
  readonly maxQueuedInWorker: number;
  readonly queuedEvents: number;
  /** Stream mode: the most entries waiting in Redis, not yet read by a worker. */
  readonly maxWaitingInRedis: number | null;
  readonly heapBaselineBytes: number;
  readonly heapPeakBytes: number;
  readonly rssBaselineBytes: number;
  readonly rssPeakBytes: number;
}

export interface LimitData {
  readonly jobs: number;
  readonly limit: number;
  readonly phases: readonly LimitPhase[];
}

/** Bursts at least this large are confirmed with the user first. */
export const CONFIRM_FROM = 2000;

export const concurrencyLimit: LabDefinition<LimitParams, LimitData> = {
  id: 'concurrency-limit',
  number: 3,
  kind: 'claim',
  title: text('No concurrency limit', '同時実行数の制限がない'),
  description: text(
    'A burst of 10,000 jobs without a limit, then with maxConcurrency: in-flight tasks and memory side by side.',
    '1 万件のバーストを、制限なしと maxConcurrency ありで。実行中タスク数とメモリを並べて比べます。',
  ),
  claim: text(
    'The chapter warns: there is no limit on concurrent tasks, so a flood of events can create too many of them.',
    '章の注意点：同時実行数に制限がないため、大量のイベントが来るとタスクが増えすぎるおそれがある。',
  ),
  walkthroughStep: WALKTHROUGH_STEP['concurrency-limit'],
  defaults: { jobs: 10_000, durationMs: 1000, limit: 1000, compareStream: true, heartbeatMs: 250 },
  estimateMs: (p) => {
    const limited = Math.ceil(p.jobs / Math.max(1, p.limit)) * p.durationMs;
    return p.durationMs + limited * (p.compareStream ? 2 : 1) + 10_000;
  },
  confirmation: (p) =>
    p.jobs >= CONFIRM_FROM
      ? text(
          `This lab publishes ${count(p.jobs)} jobs ${p.compareStream ? 'three' : 'two'} times, on lab workers of its own. It takes about ${ms(concurrencyLimit.estimateMs(p))}. Run it?`,
          `このラボは専用のワーカーに ${count(p.jobs)} 件のジョブを ${p.compareStream ? '3' : '2'} 回発行します。所要時間は約 ${ms(concurrencyLimit.estimateMs(p))} です。実行しますか？`,
        )
      : undefined,

  async run(session, p) {
    const phases: LimitPhase[] = [];
    const plan: Array<{ name: LimitPhase['name']; delivery: Delivery; maxConcurrency: number; label: Text }> = [
      { name: 'unlimited', delivery: 'pubsub', maxConcurrency: 0, label: text('no limit', '制限なし') },
      { name: 'limited', delivery: 'pubsub', maxConcurrency: p.limit, label: text(`limit ${p.limit}`, `上限 ${p.limit}`) },
    ];
    if (p.compareStream) {
      plan.push({ name: 'limited-stream', delivery: 'stream', maxConcurrency: p.limit, label: text(`limit ${p.limit}, Streams`, `上限 ${p.limit}・Streams`) });
    }
    for (const [i, step] of plan.entries()) {
      phases.push(await runPhase(session, p, step, i / plan.length, (i + 1) / plan.length));
    }

    const [free, limited, streamed] = phases;
    const confirmed = free.maxRunning > p.limit && limited.maxRunning <= p.limit && limited.queuedEvents > 0 && (!streamed || streamed.maxRunning <= p.limit);
    const growth = (ph: LimitPhase) => Math.max(0, ph.heapPeakBytes - ph.heapBaselineBytes);

    const figures: LabFigure[] = [{ label: text('Burst', 'バースト'), value: `${count(p.jobs)} × ${ms(p.durationMs)} (sleep)` }];
    for (const [i, ph] of phases.entries()) {
      const name = plan[i].label;
      figures.push(
        { label: text(`Running at once (${name.en})`, `同時実行数（${name.ja}）`), value: count(ph.maxRunning) },
        { label: text(`Held by the worker, running or queued (${name.en})`, `ワーカーが抱えたタスク（実行中＋待ち）（${name.ja}）`), value: count(ph.maxHeldByWorker) },
        { label: text(`Heap growth (${name.en})`, `ヒープの増加（${name.ja}）`), value: `+${mib(growth(ph))} (${mib(ph.heapBaselineBytes)} → ${mib(ph.heapPeakBytes)})` },
        { label: text(`Makespan (${name.en})`, `所要時間（${name.ja}）`), value: ms(ph.makespanMs) },
      );
      if (ph.maxWaitingInRedis !== null) {
        figures.push({ label: text(`Waiting in Redis, not yet read (${name.en})`, `Redis で待機中・未読（${name.ja}）`), value: count(ph.maxWaitingInRedis) });
      }
    }

    const notes: Text[] = [
      text(
        'Heap figures come from the worker\'s heartbeats (heapUsed); garbage collection makes them approximate, so compare their size, not their last digit.',
        'ヒープの値はワーカーのハートビート（heapUsed）から取っています。ガベージコレクションの影響で概算値なので、桁の大きさで比べてください。',
      ),
      text(
        'With Pub/Sub the limit bounds the running tasks, but every job still arrives at once and waits inside the worker. With the Streams mode the worker reads only as many jobs as it has free slots; the rest waits in Redis, where any worker can take it.',
        'Pub/Sub では上限が抑えるのは実行中のタスク数だけで、ジョブ自体は一度に届き、ワーカーの中で待ちます。Streams モードのワーカーは空きスロットの分だけジョブを読み出し、残りは Redis で待ちます。そこなら、どのワーカーでも引き取れます。',
      ),
    ];

    return {
      confirmed,
      summary: confirmed
        ? text(
            `Without a limit, every job became a running task the moment it arrived: up to ${count(free.maxRunning)} of ${count(p.jobs)} at the same time, and the worker's heap grew by about ${mib(growth(free))}. With maxConcurrency ${p.limit}, never more than ${count(limited.maxRunning)} ran; but every job still arrived at once, and up to ${count(limited.maxQueuedInWorker)} waited their turn inside the worker, so its heap still grew by ${mib(growth(limited))}. The burst took ${ms(limited.makespanMs)} instead of ${ms(free.makespanMs)}.${streamed ? ` With the same limit in the Streams mode the backlog stayed in Redis (up to ${count(streamed.maxWaitingInRedis ?? 0)} entries) and the heap grew by only ${mib(growth(streamed))}.` : ''}`,
            `制限なしでは、届いたジョブはその場ですべて実行中のタスクになり、同時に最大 ${count(free.maxRunning)} / ${count(p.jobs)} 件が動きました。ワーカーのヒープは約 ${mib(growth(free))} 増えました。maxConcurrency ${p.limit} では同時実行は最大 ${count(limited.maxRunning)} 件に収まりました。ただしジョブ自体は一度に届き、最大 ${count(limited.maxQueuedInWorker)} 件がワーカーの中で順番を待ったので、ヒープはやはり ${mib(growth(limited))} 増えました。所要時間は ${ms(free.makespanMs)} から ${ms(limited.makespanMs)} に延びました。${streamed ? `同じ上限を Streams モードで使うと、待ちの列は Redis に残り（最大 ${count(streamed.maxWaitingInRedis ?? 0)} 件）、ヒープの増加は ${mib(growth(streamed))} だけでした。` : ''}`,
          )
        : text(
            `The run did not show the expected contrast (running at once: ${phases.map((ph) => ph.maxRunning).join(' / ')} with a limit of ${p.limit}). A burst smaller than the limit shows nothing; try more jobs.`,
            `期待した対比が出ませんでした（同時実行数：${phases.map((ph) => ph.maxRunning).join(' / ')}、上限 ${p.limit}）。上限より小さいバーストでは差が出ません。ジョブ数を増やしてください。`,
          ),
      figures,
      tables: [
        {
          title: text('The phases side by side', 'フェーズの比較'),
          columns: [text('Setup', '設定'), text('running at once', '同時実行'), text('queued in worker', 'ワーカー内の待ち'), text('waiting in Redis', 'Redis の待ち'), text('heap growth', 'ヒープ増加'), text('makespan', '所要時間')],
          rows: phases.map((ph, i) => [
            `${plan[i].label.en} (${ph.delivery})`,
            count(ph.maxRunning),
            count(ph.maxQueuedInWorker),
            ph.maxWaitingInRedis === null ? '—' : count(ph.maxWaitingInRedis),
            `+${mib(growth(ph))}`,
            ms(ph.makespanMs),
          ]),
        },
      ],
      notes,
      data: { jobs: p.jobs, limit: p.limit, phases },
    };
  },
};

async function runPhase(
  session: LabSession,
  p: LimitParams,
  step: { name: LimitPhase['name']; delivery: Delivery; maxConcurrency: number; label: Text },
  fromFraction: number,
  toFraction: number,
): Promise<LimitPhase> {
  const span = toFraction - fromFraction;
  session.progress(text(`Starting a worker (${step.label.en})…`, `ワーカーを起動しています（${step.label.ja}）…`), fromFraction);
  const worker = await session.startWorker({ delivery: step.delivery, maxConcurrency: step.maxConcurrency, heartbeatMs: p.heartbeatMs });
  try {
    // A fresh process: let it settle and report a baseline heartbeat before the burst.
    await session.sleep(p.heartbeatMs * 2);
    const from = session.recorder.mark();
    const jobs = session.makeJobs(p.jobs, { durationMs: p.durationMs, label: step.name === 'unlimited' ? 'Flood' : 'Limited' });
    await session.publish(jobs, step.delivery, (done, total) =>
      session.progress(text(`Publishing ${count(done)} / ${count(total)} (${step.label.en})`, `発行中 ${count(done)} / ${count(total)}（${step.label.ja}）`), fromFraction + span * 0.2 * (done / total)),
    );

    let maxWaitingInRedis: number | null = null;
    const poll =
      step.delivery === 'stream'
        ? setInterval(() => {
            void waitingInRedis(session).then((n) => {
              if (n !== null) maxWaitingInRedis = Math.max(maxWaitingInRedis ?? 0, n);
            });
          }, 200)
        : undefined;
    const ids = new Set(jobs.map((j) => j.jobId));
    let lastReport = 0;
    try {
      await session.waitFor(
        () => {
          const done = session.runsOf(ids).filter((r) => r.finishedAt !== undefined).length;
          if (Date.now() - lastReport > 250) {
            lastReport = Date.now();
            session.progress(
              text(`${count(done)} / ${count(p.jobs)} tasks finished (${step.label.en})`, `${count(done)} / ${count(p.jobs)} 件完了（${step.label.ja}）`),
              fromFraction + span * (0.2 + 0.8 * (done / p.jobs)),
            );
          }
          return done >= p.jobs;
        },
        `${p.jobs} tasks (${step.name})`,
        Math.ceil(p.jobs / Math.max(1, step.maxConcurrency || p.jobs)) * p.durationMs * 3 + WAIT_MARGIN_MS,
      );
    } finally {
      clearInterval(poll);
    }
    if (poll) {
      const last = await waitingInRedis(session);
      if (last !== null) maxWaitingInRedis = Math.max(maxWaitingInRedis ?? 0, last);
    }
    const runs = session.runsOf(ids);
    const events = session.recorder.since(from);
    const beats: WorkerHeartbeat[] = heartbeatsOf(session.recorder.events, worker.workerId);
    const firstStart = Math.min(...runs.map((r) => r.startedAt));
    const baseline = beats.filter((h) => h.at <= firstStart).slice(-1)[0] ?? beats[0];
    const during = beats.filter((h) => h.at > firstStart);
    return {
      name: step.name,
      delivery: step.delivery,
      maxConcurrency: step.maxConcurrency,
      makespanMs: makespan(runs),
      maxRunning: maxConcurrent(runs),
      maxHeldByWorker: Math.max(0, ...during.map((h) => h.inFlight)),
      maxQueuedInWorker: Math.max(0, ...during.map((h) => h.queued)),
      queuedEvents: events.filter((e) => e.type === 'TaskQueued' && ids.has(e.jobId)).length,
      maxWaitingInRedis,
      heapBaselineBytes: baseline?.heapUsedBytes ?? 0,
      heapPeakBytes: Math.max(baseline?.heapUsedBytes ?? 0, ...during.map((h) => h.heapUsedBytes)),
      rssBaselineBytes: baseline?.rssBytes ?? 0,
      rssPeakBytes: Math.max(baseline?.rssBytes ?? 0, ...during.map((h) => h.rssBytes)),
    };
  } finally {
    await worker.stop(5000);
  }
}

/** Entries of the stream not yet handed to any worker of the group (the group's "lag", Redis 7). */
async function waitingInRedis(session: LabSession): Promise<number | null> {
  try {
    const groups = await session.redis.call('XINFO', 'GROUPS', streamKeyFor(session.channel));
    if (!Array.isArray(groups)) return null;
    for (const group of groups) {
      if (!Array.isArray(group)) continue;
      const fields = new Map<string, unknown>();
      for (let i = 0; i + 1 < group.length; i += 2) fields.set(String(group[i]), group[i + 1]);
      if (fields.get('name') === STREAM_GROUP) {
        const lag = fields.get('lag');
        return typeof lag === 'number' ? lag : null;
      }
    }
    return null;
  } catch {
    return null;
  }
}
