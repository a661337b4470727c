// Lab 2 — `await` hands control back; blocking does not. The same burst twice on one worker:
// jobs that await a timer (they overlap), then jobs that spin without awaiting (one after another,
// the event loop stalls and so does the heartbeat).
import type { WorkerHeartbeat } from '../../shared/protocol';
import { allOverlap, heartbeatsOf, longestHeartbeatGap, makespan, maxConcurrent, startsSpacedBy, type TaskRun } from '../analysis';
import { WAIT_MARGIN_MS } from '../labSession';
import { count, ms, text } from '../text';
import type { LabDefinition } from '../types';
import { WALKTHROUGH_STEP } from '../walkthroughSteps';

const HEARTBEATS_AFTER = 3;

export interface BlockingParams {
  readonly jobs: number;
  readonly durationMs: number;
  /** A fast heartbeat makes the stall visible. */
  readonly heartbeatMs: number;
}

export interface PhaseFigures {
  readonly makespanMs: number;
  readonly maxRunning: number;
  /** The worst event-loop delay its heartbeats reported. */
  readonly maxLoopDelayMs: number;
  /** The longest silence between two heartbeats. */
  readonly longestHeartbeatGapMs: number;
  /**
   * The longest the loop was stuck: the worse of the reported loop delay and the heartbeat's own
   * lateness (a stall that ends just as a heartbeat is due can miss the delay histogram).
   */
  readonly stallMs: number;
}

export interface BlockingData {
  readonly sleep: PhaseFigures & { readonly overlapped: boolean };
  readonly cpu: PhaseFigures & {
    /** Each blocking task started only after the previous one had spun for its whole duration. */
    readonly oneAfterAnother: boolean;
    /** The smallest gap between two consecutive starts. */
    readonly minStartGapMs: number;
    /** The longest a task that had finished its work waited for the loop to report TaskCompleted. */
    readonly maxReportDelayMs: number;
  };
  readonly heartbeatMs: number;
}

export const awaitVsBlocking: LabDefinition<BlockingParams, BlockingData> = {
  id: 'await-vs-blocking',
  number: 2,
  kind: 'claim',
  title: text('await hands control back; blocking does not', 'await は制御を返す。ブロックは返さない'),
  description: text(
    'The same burst twice: jobs that await a timer, then jobs that keep the CPU busy without awaiting.',
    '同じバーストを 2 回：タイマーを await するジョブと、await せずに CPU を使い続けるジョブ。',
  ),
  claim: text(
    'The chapter: `await` gives control to other tasks while waiting, so asyncio suits work that waits on I/O or sleeps.',
    '章の主張：`await` は待つ間にほかのタスクへ制御を譲る。だから asyncio は I/O 待ちや sleep を含む処理と相性がよい。',
  ),
  walkthroughStep: WALKTHROUGH_STEP['await-vs-blocking'],
  defaults: { jobs: 5, durationMs: 1000, heartbeatMs: 100 },
  estimateMs: (p) => p.durationMs * (p.jobs + 1) + 2000,

  async run(session, p) {
    session.progress(text('Starting one worker (heartbeat every ' + ms(p.heartbeatMs) + ')…', `ワーカーを 1 つ起動しています（ハートビート ${ms(p.heartbeatMs)} ごと）…`), 0.05);
    const worker = await session.startWorker({ delivery: 'pubsub', heartbeatMs: p.heartbeatMs });

    const phase = async (kind: 'sleep' | 'cpu', fraction: number): Promise<{ runs: TaskRun[]; beats: WorkerHeartbeat[] }> => {
      // A few quiet heartbeats first, so that each phase starts from a calm loop.
      await session.sleep(p.heartbeatMs * 3);
      const jobs = session.makeJobs(p.jobs, { durationMs: p.durationMs, kind, label: kind === 'sleep' ? 'Await' : 'Block' });
      session.progress(
        kind === 'sleep'
          ? text(`Publishing ${p.jobs} sleep jobs (they await a timer)…`, `sleep ジョブを ${p.jobs} 件発行しています（タイマーを await）…`)
          : text(`Publishing ${p.jobs} cpu jobs (they spin without awaiting)…`, `cpu ジョブを ${p.jobs} 件発行しています（await せずにループ）…`),
        fraction,
      );
      const from = session.recorder.mark();
      await session.publish(jobs, 'pubsub');
      const runs = await session.waitForFinished(jobs, `the ${kind} tasks to finish`, p.durationMs * p.jobs * 2 + WAIT_MARGIN_MS);
      // The loop delay of a stall is reported by one of the first heartbeats after it (the delay
      // monitor's own timer may fire after the heartbeat's); wait for a few.
      const end = Math.max(...runs.map((r) => r.finishedAt ?? 0));
      const afterEnd = () => heartbeatsOf(session.recorder.since(from), worker.workerId).filter((h) => h.at > end);
      await session.waitFor(() => afterEnd().length >= HEARTBEATS_AFTER, 'heartbeats after the tasks', p.heartbeatMs * 10 + WAIT_MARGIN_MS);
      const start = Math.min(...runs.map((r) => r.startedAt));
      // All of the worker's heartbeats: the last one before the phase may have arrived before `from`.
      const all = heartbeatsOf(session.recorder.events, worker.workerId).sort((a, b) => a.at - b.at);
      // The heartbeats around the phase: the last one before it started through the first one after it ended.
      const before = all.filter((h) => h.at <= start).slice(-1);
      const during = all.filter((h) => h.at > start && h.at <= end);
      const after = all.filter((h) => h.at > end).slice(0, HEARTBEATS_AFTER);
      return { runs, beats: [...before, ...during, ...after] };
    };

    const figures = (runs: TaskRun[], beats: WorkerHeartbeat[]): PhaseFigures => {
      const maxLoopDelayMs = Math.max(0, ...beats.map((h) => h.loopDelay.maxMs));
      const longestHeartbeatGapMs = longestHeartbeatGap(beats);
      return {
        makespanMs: makespan(runs),
        maxRunning: maxConcurrent(runs),
        maxLoopDelayMs,
        longestHeartbeatGapMs,
        stallMs: Math.max(maxLoopDelayMs, longestHeartbeatGapMs - p.heartbeatMs),
      };
    };

    const sleepPhase = await phase('sleep', 0.15);
    const cpuPhase = await phase('cpu', 0.5);
    const sleep = { ...figures(sleepPhase.runs, sleepPhase.beats), overlapped: allOverlap(sleepPhase.runs) };
    const cpuStarts = cpuPhase.runs.map((r) => r.startedAt).sort((a, b) => a - b);
    const cpu = {
      ...figures(cpuPhase.runs, cpuPhase.beats),
      oneAfterAnother: startsSpacedBy(cpuPhase.runs, p.durationMs),
      minStartGapMs: Math.min(...cpuStarts.slice(1).map((t, i) => t - cpuStarts[i])),
      // A blocking job's own work ends `durationMs` after its start; its completion is written later if the loop is still busy.
      maxReportDelayMs: Math.max(0, ...cpuPhase.runs.map((r) => (r.finishedAt ?? r.startedAt) - (r.startedAt + p.durationMs))),
    };
    const confirmed = sleep.overlapped && cpu.oneAfterAnother;

    const first = Math.min(...cpuPhase.runs.map((r) => r.startedAt));
    const cpuRows = [...cpuPhase.runs].sort((a, b) => a.startedAt - b.startedAt);

    return {
      confirmed,
      summary: confirmed
        ? text(
            `With sleep jobs the ${p.jobs} tasks ran side by side and took ${ms(sleep.makespanMs)}. With cpu jobs of the same length they ran strictly one after another and took ${ms(cpu.makespanMs)}: a task that never awaits keeps the only thread to itself, and each one could start only when the one before had spun for its full ${ms(p.durationMs)}. Meanwhile the event loop was stuck for up to ${ms(cpu.stallMs)} and the heartbeat, due every ${ms(p.heartbeatMs)}, fell silent for ${ms(cpu.longestHeartbeatGapMs)}.`,
            `sleep ジョブでは ${p.jobs} 件のタスクが並んで進み、${ms(sleep.makespanMs)} で終わりました。同じ長さの cpu ジョブでは厳密に 1 件ずつ順番に実行され、${ms(cpu.makespanMs)} かかりました。一度も await しないタスクは、たった 1 本のスレッドを独り占めし、次のタスクは前のタスクが ${ms(p.durationMs)} 回り終えてからしか始まりません。その間イベントループは最大 ${ms(cpu.stallMs)} 止まり、${ms(p.heartbeatMs)} ごとのはずのハートビートは ${ms(cpu.longestHeartbeatGapMs)} 途絶えました。`,
          )
        : text(
            `This run did not show the contrast cleanly (sleep jobs overlapped: ${sleep.overlapped ? 'yes' : 'no'}; cpu jobs one after another: ${cpu.oneAfterAnother ? 'yes' : 'no'}). Run the lab again with no other worker on the channel.`,
            `今回は対比がきれいに出ませんでした（sleep ジョブの重なり：${sleep.overlapped ? 'あり' : 'なし'}、cpu ジョブの逐次実行：${cpu.oneAfterAnother ? 'はい' : 'いいえ'}）。チャンネルにほかのワーカーがいない状態で、もう一度実行してください。`,
          ),
      figures: [
        { label: text('Burst', 'バースト'), value: `${count(p.jobs)} × ${ms(p.durationMs)}` },
        { label: text('Makespan, sleep jobs (await)', '所要時間：sleep ジョブ（await）'), value: ms(sleep.makespanMs) },
        { label: text('Makespan, cpu jobs (blocking)', '所要時間：cpu ジョブ（ブロック）'), value: ms(cpu.makespanMs) },
        { label: text('Running at once, sleep jobs (peak)', '同時実行数：sleep ジョブ（最大）'), value: `${sleep.maxRunning} / ${p.jobs}` },
        { label: text('Smallest gap between two cpu starts', 'cpu ジョブの開始間隔（最小）'), value: `${ms(cpu.minStartGapMs)} (job: ${ms(p.durationMs)})` },
        { label: text('Longest wait to report a finished cpu job', '終わった cpu ジョブの報告待ち（最長）'), value: ms(cpu.maxReportDelayMs) },
        { label: text('Longest event-loop stall: sleep / cpu', 'イベントループの最長の停止：sleep / cpu'), value: `${ms(sleep.stallMs)} / ${ms(cpu.stallMs)}` },
        { label: text('Worst loop delay in the heartbeats: sleep / cpu', 'ハートビートが報告したループ遅延の最大：sleep / cpu'), value: `${ms(sleep.maxLoopDelayMs)} / ${ms(cpu.maxLoopDelayMs)}` },
        { label: text('Longest heartbeat gap: sleep / cpu', 'ハートビートの最長の空白：sleep / cpu'), value: `${ms(sleep.longestHeartbeatGapMs)} / ${ms(cpu.longestHeartbeatGapMs)}` },
        { label: text('Heartbeat interval', 'ハートビート間隔'), value: ms(p.heartbeatMs) },
      ],
      tables: [
        {
          title: text('The cpu tasks, in the order they ran', 'cpu タスク（実行順）'),
          columns: [text('Job', 'ジョブ'), text('started', '開始'), text('work done', '処理終了'), text('TaskCompleted written', 'TaskCompleted の記録')],
          rows: cpuRows.map((r) => [
            `#${(r.seq ?? 0) + 1}`,
            `+${ms(r.startedAt - first)}`,
            `+${ms(r.startedAt + p.durationMs - first)}`,
            `+${ms((r.finishedAt ?? first) - first)}`,
          ]),
        },
      ],
      notes: [
        text(
          'Open the timeline: the cpu tasks start one job-length apart, their completions bunch up at the moment the loop is free again, and the loop-delay line spikes meanwhile.',
          'タイムラインを開いてみてください。cpu タスクはジョブ 1 件分の間隔をあけて始まり、完了の記録はループが空いた瞬間にまとめて現れます。その間、ループ遅延の線は跳ね上がっています。',
        ),
        text(
          'Work that keeps the CPU busy needs another thread or another process (see lab 6).',
          'CPU を使い続ける仕事には、別のスレッドか別のプロセスが必要です（ラボ 6 を参照）。',
        ),
      ],
      data: { sleep, cpu, heartbeatMs: p.heartbeatMs },
    };
  },
};
