// Lab 1 — Concurrent, not parallel: N jobs that each wait 1 s finish in about 1 s on one worker,
// in one process, on one thread.
import { allOverlap, makespan, maxConcurrent } from '../analysis';
import { WAIT_MARGIN_MS } from '../labSession';
import { count, ms, ratio, text } from '../text';
import type { LabDefinition } from '../types';
import { WALKTHROUGH_STEP } from '../walkthroughSteps';

export interface ConcurrentParams {
  readonly jobs: number;
  readonly durationMs: number;
}

export interface ConcurrentData {
  readonly jobs: number;
  readonly durationMs: number;
  readonly makespanMs: number;
  readonly sequentialMs: number;
  readonly maxRunning: number;
  readonly allOverlapped: boolean;
  readonly pids: readonly number[];
  readonly threadIds: readonly number[];
}

export const concurrentNotParallel: LabDefinition<ConcurrentParams, ConcurrentData> = {
  id: 'concurrent-not-parallel',
  number: 1,
  kind: 'claim',
  title: text('Concurrent, not parallel', '並行であって、並列ではない'),
  description: text(
    'Ten 1 s jobs on one worker: one process, one thread, and still done in about a second.',
    '1 秒のジョブ 10 件をワーカー 1 つに。プロセスもスレッドも 1 つなのに、約 1 秒で終わります。',
  ),
  claim: text(
    'The chapter: asyncio runs many jobs at once on a single thread by switching between them while they wait.',
    '章の主張：asyncio は、待ち時間のあいだに切り替えることで、1 本のスレッドで多くのジョブを同時に進める。',
  ),
  walkthroughStep: WALKTHROUGH_STEP['concurrent-not-parallel'],
  defaults: { jobs: 10, durationMs: 1000 },
  estimateMs: (p) => p.durationMs + 1000,

  async run(session, p) {
    session.progress(text('Starting one worker…', 'ワーカーを 1 つ起動しています…'), 0.05);
    await session.startWorker({ delivery: 'pubsub' });
    const jobs = session.makeJobs(p.jobs, { durationMs: p.durationMs, label: 'Wait' });
    session.progress(text(`Publishing ${p.jobs} jobs of ${ms(p.durationMs)}…`, `${ms(p.durationMs)} のジョブを ${p.jobs} 件発行しています…`), 0.2);
    await session.publish(jobs, 'pubsub');
    session.progress(text('Waiting for the tasks to finish…', 'タスクの完了を待っています…'), 0.4);
    const runs = await session.waitForFinished(jobs, 'every task to finish', p.durationMs * p.jobs + WAIT_MARGIN_MS);

    const pids = [...new Set(runs.map((r) => r.pid))];
    const threadIds = [...new Set(runs.map((r) => r.threadId ?? -1))];
    const span = makespan(runs);
    const sequential = p.jobs * p.durationMs;
    const overlapped = allOverlap(runs);
    const peak = maxConcurrent(runs);
    const confirmed = overlapped && pids.length === 1 && threadIds.length === 1 && threadIds[0] === 0;
    const first = Math.min(...runs.map((r) => r.startedAt));
    const ordered = [...runs].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));

    return {
      confirmed,
      summary: confirmed
        ? text(
            `All ${p.jobs} jobs were in progress at the same time, in one process (pid ${pids[0]}) on its main thread. They took ${ms(span)} together — not the ${ms(sequential)} that one job after another would take. Nothing ran in parallel: the single thread started every wait, and was free while the timers ran.`,
            `${p.jobs} 件のジョブすべてが、1 つのプロセス（pid ${pids[0]}）のメインスレッド上で同時に進行していました。全体で ${ms(span)} で、1 件ずつ順に実行した場合の ${ms(sequential)} ではありません。並列に動いたものは何もありません。1 本のスレッドがすべての待ちを開始し、タイマーが動く間は手が空いていたのです。`,
          )
        : text(
            `The jobs did not all overlap this time (at most ${peak} of ${p.jobs} ran together, ${pids.length} process(es)). Check that no other worker or blocking job shares the channel, then run the lab again.`,
            `今回はジョブがすべては重なりませんでした（同時実行は最大 ${peak} / ${p.jobs} 件、プロセス ${pids.length} 個）。同じチャンネルに別のワーカーや処理を止めるジョブがないか確認して、もう一度実行してください。`,
          ),
      figures: [
        { label: text('Jobs', 'ジョブ数'), value: `${count(p.jobs)} × ${ms(p.durationMs)} (sleep)` },
        { label: text('Makespan (first start → last finish)', '所要時間（最初の開始 → 最後の完了）'), value: ms(span) },
        { label: text('One after another would take', '1 件ずつ順に実行した場合'), value: ms(sequential) },
        { label: text('Speed-up from overlapping', '重ねたことによる短縮'), value: ratio(sequential / span) },
        { label: text('Running at the same time (peak)', '同時に実行中（最大）'), value: `${peak} / ${p.jobs}` },
        { label: text('Processes', 'プロセス数'), value: `${pids.length} (pid ${pids.join(', ')})` },
        { label: text('Threads', 'スレッド'), value: threadIds.map((t) => (t === 0 ? 'main (0)' : String(t))).join(', ') },
      ],
      tables: [
        {
          title: text('Every task', '全タスク'),
          columns: [text('Job', 'ジョブ'), text('pid', 'pid'), text('thread', 'スレッド'), text('started', '開始'), text('finished', '完了')],
          rows: ordered.map((r) => [`#${(r.seq ?? 0) + 1}`, String(r.pid), String(r.threadId ?? '?'), `+${ms(r.startedAt - first)}`, `+${ms((r.finishedAt ?? first) - first)}`]),
        },
      ],
      notes: [
        text(
          'Times are the worker\'s own timestamps from its TaskStarted and TaskCompleted events; "+0 ms" is the first start.',
          '時刻はワーカー自身が TaskStarted / TaskCompleted イベントに記録したものです。「+0 ms」が最初の開始です。',
        ),
      ],
      data: { jobs: p.jobs, durationMs: p.durationMs, makespanMs: span, sequentialMs: sequential, maxRunning: peak, allOverlapped: overlapped, pids, threadIds },
    };
  },
};
