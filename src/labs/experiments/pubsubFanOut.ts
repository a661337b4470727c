// Lab 7 (a blind spot) — Pub/Sub fans out: with two workers on one channel, every job runs twice.
// The Streams mode (a consumer group: XREADGROUP, XACK) hands each job to exactly one worker.
import type { Delivery, JobCreated } from '../../shared/protocol';
import { executionsPerJob, type TaskRun } from '../analysis';
import { WAIT_MARGIN_MS, type LabSession } from '../labSession';
import { count, ms, text } from '../text';
import type { LabDefinition } from '../types';
import { WALKTHROUGH_STEP } from '../walkthroughSteps';

export interface FanOutParams {
  readonly jobs: number;
  readonly durationMs: number;
  readonly workers: number;
  /** After the last task, how long to keep listening for a duplicate run. */
  readonly settleMs: number;
}

export interface DeliveryRun {
  readonly delivery: Delivery;
  /** PUBLISH replies (Pub/Sub only). */
  readonly receivers: readonly number[];
  /** How many times each job ran, by publish position. */
  readonly executions: readonly number[];
  readonly totalRuns: number;
  /** Runs per worker pid. */
  readonly perWorker: Readonly<Record<string, number>>;
}

export interface FanOutData {
  readonly workers: number;
  readonly jobs: number;
  readonly pubsub: DeliveryRun;
  readonly stream: DeliveryRun;
}

export const pubsubFanOut: LabDefinition<FanOutParams, FanOutData> = {
  id: 'pubsub-fan-out',
  number: 7,
  kind: 'blind-spot',
  title: text('Pub/Sub fans out', 'Pub/Sub は全員に配る'),
  description: text(
    'Two workers on one channel: with Pub/Sub each job runs twice; with a Redis Stream and a consumer group, once.',
    '1 つのチャンネルにワーカー 2 つ。Pub/Sub では各ジョブが 2 回、Redis Stream とコンシューマーグループでは 1 回実行されます。',
  ),
  claim: text(
    'Left out by the chapter: "start several worker processes" assumes each job goes to one of them. Pub/Sub delivers every message to every subscriber.',
    '章が触れていない点：「ワーカーを複数プロセスで起動する」は、各ジョブがどれか 1 つに届く前提です。Pub/Sub はすべてのメッセージを購読者全員に届けます。',
  ),
  walkthroughStep: WALKTHROUGH_STEP['pubsub-fan-out'],
  defaults: { jobs: 6, durationMs: 1000, workers: 2, settleMs: 500 },
  estimateMs: (p) => 2 * (p.durationMs + p.settleMs) + 6000,

  async run(session, p) {
    const pubsub = await deliver(session, p, 'pubsub', 0.0, 0.5);
    const stream = await deliver(session, p, 'stream', 0.5, 1.0);
    const everyTwice = pubsub.executions.every((n) => n === p.workers);
    const everyOnce = stream.executions.every((n) => n === 1);
    const shared = Object.keys(stream.perWorker).length > 1;

    return {
      confirmed: everyTwice && everyOnce,
      summary:
        everyTwice && everyOnce
          ? text(
              `With Pub/Sub, Redis gave each of the ${p.jobs} jobs to all ${p.workers} subscribed workers (PUBLISH answered ${pubsub.receivers[0]}), so every job ran ${p.workers} times: ${pubsub.totalRuns} runs for ${p.jobs} jobs. Starting more workers on Pub/Sub multiplies the work instead of sharing it. With the Streams mode every job ran exactly once: ${stream.totalRuns} runs, ${shared ? 'shared between the workers' : 'all on one worker this time'} (${perWorkerText(stream.perWorker)}). The consumer group hands each entry to one member, and the worker acknowledges it (XACK) when its task ends.`,
              `Pub/Sub では、Redis が ${p.jobs} 件のジョブそれぞれを購読中の ${p.workers} つのワーカー全員に届けたため（PUBLISH の戻り値は ${pubsub.receivers[0]}）、各ジョブが ${p.workers} 回実行されました。${p.jobs} 件に対して ${pubsub.totalRuns} 回です。Pub/Sub のままワーカーを増やすと、仕事は分担されずに倍増します。Streams モードでは各ジョブがちょうど 1 回ずつ実行されました。計 ${stream.totalRuns} 回で、${shared ? 'ワーカー間で分担されています' : '今回はすべて 1 つのワーカーが処理しました'}（${perWorkerText(stream.perWorker)}）。コンシューマーグループは各エントリをメンバーの 1 人だけに渡し、ワーカーはタスクが終わると確認応答（XACK）を返します。`,
            )
          : text(
              `The run did not come out as expected (Pub/Sub runs per job: ${pubsub.executions.join(', ')}; Streams runs per job: ${stream.executions.join(', ')}). Another worker on the channel changes the counts; run the lab again.`,
              `期待どおりの結果になりませんでした（Pub/Sub の各ジョブの実行回数：${pubsub.executions.join(', ')}、Streams：${stream.executions.join(', ')}）。チャンネルに別のワーカーがいると回数が変わります。もう一度実行してください。`,
            ),
      figures: [
        { label: text('Workers', 'ワーカー数'), value: String(p.workers) },
        { label: text('Jobs', 'ジョブ数'), value: `${count(p.jobs)} × ${ms(p.durationMs)}` },
        { label: text('PUBLISH replies (receivers per job)', 'PUBLISH の戻り値（ジョブごとの受信者数）'), value: pubsub.receivers.join(', ') },
        { label: text('Runs, Pub/Sub', '実行回数：Pub/Sub'), value: `${pubsub.totalRuns} (${pubsub.executions.join(', ')})` },
        { label: text('Runs, Streams', '実行回数：Streams'), value: `${stream.totalRuns} (${stream.executions.join(', ')})` },
        { label: text('Runs per worker, Pub/Sub', 'ワーカーごとの実行数：Pub/Sub'), value: perWorkerText(pubsub.perWorker) },
        { label: text('Runs per worker, Streams', 'ワーカーごとの実行数：Streams'), value: perWorkerText(stream.perWorker) },
      ],
      tables: [
        {
          title: text('Runs per job', 'ジョブごとの実行回数'),
          columns: [text('Job', 'ジョブ'), text('Pub/Sub', 'Pub/Sub'), text('Streams', 'Streams')],
          rows: pubsub.executions.map((n, i) => [`#${i + 1}`, String(n), String(stream.executions[i] ?? 0)]),
        },
      ],
      notes: [
        text(
          'Fan-out is what Pub/Sub is for (notifications everyone should see, like the status channel here). For jobs, use a queue: a Stream with a consumer group, a list with BLMOVE, or a job library built on them.',
          '全員に配るのは Pub/Sub の本来の役目です（ここでの status チャンネルのように、全員が見るべき通知）。ジョブにはキューを使います。コンシューマーグループ付きの Stream、BLMOVE を使うリスト、またはそれらの上に作られたジョブライブラリです。',
        ),
        text(
          'Switch the worker to this mode with the setting concurrencyLab.delivery = "stream", or start it with --delivery stream.',
          'ワーカーをこの方式に切り替えるには、設定 concurrencyLab.delivery を "stream" にするか、--delivery stream を付けて起動します。',
        ),
      ],
      data: { workers: p.workers, jobs: p.jobs, pubsub, stream },
    };
  },
};

async function deliver(session: LabSession, p: FanOutParams, delivery: Delivery, from: number, to: number): Promise<DeliveryRun> {
  const name = delivery === 'pubsub' ? 'Pub/Sub' : 'Streams';
  session.progress(text(`Starting ${p.workers} workers (${name})…`, `ワーカーを ${p.workers} つ起動しています（${name}）…`), from);
  const workers = await session.startWorkers(p.workers, { delivery });
  try {
    const jobs: JobCreated[] = session.makeJobs(p.jobs, { durationMs: p.durationMs, label: name });
    session.progress(text(`Publishing ${p.jobs} jobs (${name})…`, `ジョブを ${p.jobs} 件発行しています（${name}）…`), from + (to - from) * 0.2);
    const published = await session.publish(jobs, delivery);
    const expected = delivery === 'pubsub' ? p.workers : 1;
    await session.waitForFinished(jobs, `${name} runs`, p.durationMs * 2 + WAIT_MARGIN_MS, expected);
    // Keep listening a little: a duplicate would show up now.
    await session.sleep(p.settleMs);
    const runs: TaskRun[] = session.runsOf(jobs);
    const per = executionsPerJob(runs);
    const perWorker: Record<string, number> = {};
    for (const r of runs) perWorker[String(r.pid)] = (perWorker[String(r.pid)] ?? 0) + 1;
    return {
      delivery,
      receivers: published.receivers,
      executions: jobs.map((j) => per.get(j.jobId) ?? 0),
      totalRuns: runs.length,
      perWorker,
    };
  } finally {
    await session.stopWorkers(workers);
  }
}

function perWorkerText(perWorker: Readonly<Record<string, number>>): string {
  return Object.entries(perWorker).map(([pid, n]) => `pid ${pid}: ${n}`).join(', ') || '—';
}
