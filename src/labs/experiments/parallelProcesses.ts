// Lab 6 — Parallelism needs several processes. The same blocking jobs on one worker process, then
// shared by N worker processes (N up to the number of cores). The workers share one queue (the
// Streams mode, see lab 7) and take one job at a time, so each job runs once, on whichever is free.
import { cpus } from 'node:os';
import { crossProcessOverlaps, makespan, maxBusyProcesses, type TaskRun } from '../analysis';
import { WAIT_MARGIN_MS, type LabSession } from '../labSession';
import { count, ms, ratio, text } from '../text';
import type { LabDefinition } from '../types';
import { WALKTHROUGH_STEP } from '../walkthroughSteps';

export interface ParallelParams {
  readonly jobs: number;
  readonly durationMs: number;
  /** Worker processes of the second run; 0 = as many as cores (at least 2, at most 4). */
  readonly processes: number;
}

export interface ParallelData {
  readonly cores: number;
  readonly processes: number;
  readonly oneProcessMakespanMs: number;
  readonly manyProcessesMakespanMs: number;
  readonly speedUp: number;
  readonly maxBusyProcesses: number;
  readonly crossProcessOverlaps: number;
  readonly jobsPerProcess: Readonly<Record<string, number>>;
}

export function processCount(requested: number, cores = cpus().length): number {
  return requested > 0 ? requested : Math.max(2, Math.min(cores, 4));
}

export const parallelProcesses: LabDefinition<ParallelParams, ParallelData> = {
  id: 'parallel-processes',
  number: 6,
  kind: 'claim',
  title: text('Parallelism needs several processes', '並列には複数のプロセスが必要'),
  description: text(
    'Blocking jobs on one worker process, then on one process per core: the makespan drops.',
    'ブロックするジョブを 1 プロセスで、次にコアごとに 1 プロセスで。所要時間が縮みます。',
  ),
  claim: text(
    'The chapter: for true parallelism — several cores at the same moment — start the worker as several processes.',
    '章の主張：本当の並列（複数コアを同時に使う）には、ワーカーを複数プロセスで起動する。',
  ),
  walkthroughStep: WALKTHROUGH_STEP['parallel-processes'],
  defaults: { jobs: 8, durationMs: 500, processes: 0 },
  estimateMs: (p) => p.jobs * p.durationMs * (1 + 1 / processCount(p.processes)) + 3000,

  async run(session, p) {
    const cores = cpus().length;
    const n = processCount(p.processes, cores);
    const one = await runBurst(session, p, 1, 0.0, 0.5);
    const many = await runBurst(session, p, n, 0.5, 1.0);
    const oneSpan = makespan(one);
    const manySpan = makespan(many);
    const speedUp = oneSpan / manySpan;
    const overlaps = crossProcessOverlaps(many);
    const busy = maxBusyProcesses(many);
    const perProcess: Record<string, number> = {};
    for (const r of many) perProcess[String(r.pid)] = (perProcess[String(r.pid)] ?? 0) + 1;
    const confirmed = overlaps > 0 && busy > 1 && manySpan < oneSpan;

    return {
      confirmed,
      summary: confirmed
        ? text(
            `${p.jobs} blocking jobs of ${ms(p.durationMs)} took ${ms(oneSpan)} on one process: its single thread can only spin through them one by one. Shared by ${n} processes they took ${ms(manySpan)} (${ratio(speedUp)} faster), with up to ${busy} processes computing at the same moment. Each process has its own thread and event loop, and the OS runs them on different cores at once: that is parallelism.${cores < n ? ` This machine has only ${cores} core(s), so the processes partly took turns.` : ''}`,
            `${ms(p.durationMs)} のブロックするジョブ ${p.jobs} 件は、1 プロセスでは ${ms(oneSpan)} かかりました。スレッドが 1 本なので、1 件ずつ回すしかありません。${n} プロセスで分担すると ${ms(manySpan)}（${ratio(speedUp)} 速い）で、同じ瞬間に最大 ${busy} プロセスが計算していました。プロセスごとに自分のスレッドとイベントループを持ち、OS がそれらを別々のコアで同時に動かします。これが並列です。${cores < n ? `このマシンのコアは ${cores} 個しかないため、プロセスは一部交代で動きました。` : ''}`,
          )
        : text(
            `The several processes did not run at the same time this run (1 process: ${ms(oneSpan)}, ${n} processes: ${ms(manySpan)}).${cores === 1 ? ' This machine has a single core: processes can only take turns on it.' : ' The machine may be busy; run the lab again.'}`,
            `今回は複数のプロセスが同時には動きませんでした（1 プロセス：${ms(oneSpan)}、${n} プロセス：${ms(manySpan)}）。${cores === 1 ? 'このマシンはコアが 1 つなので、プロセスは交代で動くしかありません。' : 'マシンが混んでいた可能性があります。もう一度実行してください。'}`,
          ),
      figures: [
        { label: text('Jobs', 'ジョブ'), value: `${count(p.jobs)} × ${ms(p.durationMs)} (cpu, blocking)` },
        { label: text('CPU cores on this machine', 'このマシンの CPU コア数'), value: String(cores) },
        { label: text('Makespan, 1 process', '所要時間：1 プロセス'), value: ms(oneSpan) },
        { label: text(`Makespan, ${n} processes`, `所要時間：${n} プロセス`), value: ms(manySpan) },
        { label: text('Speed-up', '高速化'), value: `${ratio(speedUp)} (ideal ${ratio(Math.min(n, cores))})` },
        { label: text('Processes computing at the same moment (peak)', '同じ瞬間に計算していたプロセス（最大）'), value: `${busy} / ${n}` },
        { label: text('Jobs per process', 'プロセスごとのジョブ数'), value: Object.entries(perProcess).map(([pid, k]) => `pid ${pid}: ${k}`).join(', ') },
      ],
      tables: [
        {
          title: text(`The ${n}-process run`, `${n} プロセスでの実行`),
          columns: [text('Job', 'ジョブ'), text('pid', 'pid'), text('started', '開始'), text('finished', '完了')],
          rows: rowsOf(many),
        },
      ],
      notes: [
        text(
          'The workers take jobs from one shared queue (the Streams mode) one at a time. With Pub/Sub every worker would receive every job and each job would run N times (lab 7).',
          'ワーカーは共有のキュー（Streams モード）から 1 件ずつジョブを取ります。Pub/Sub だと全ワーカーが全ジョブを受け取り、各ジョブが N 回実行されます（ラボ 7）。',
        ),
      ],
      data: {
        cores,
        processes: n,
        oneProcessMakespanMs: oneSpan,
        manyProcessesMakespanMs: manySpan,
        speedUp,
        maxBusyProcesses: busy,
        crossProcessOverlaps: overlaps,
        jobsPerProcess: perProcess,
      },
    };
  },
};

async function runBurst(session: LabSession, p: ParallelParams, processes: number, from: number, to: number): Promise<TaskRun[]> {
  session.progress(text(`Starting ${processes} worker process(es)…`, `ワーカープロセスを ${processes} 個起動しています…`), from);
  const workers = await session.startWorkers(processes, { delivery: 'stream', maxConcurrency: 1 });
  try {
    const jobs = session.makeJobs(p.jobs, { durationMs: p.durationMs, kind: 'cpu', label: `Compute (${processes}p)` });
    session.progress(text(`Running ${p.jobs} blocking jobs on ${processes} process(es)…`, `ブロックするジョブ ${p.jobs} 件を ${processes} プロセスで実行しています…`), from + (to - from) * 0.2);
    await session.publish(jobs, 'stream');
    return await session.waitForFinished(jobs, `${p.jobs} tasks on ${processes} process(es)`, p.jobs * p.durationMs * 3 + WAIT_MARGIN_MS);
  } finally {
    await session.stopWorkers(workers);
  }
}

function rowsOf(runs: readonly TaskRun[]): string[][] {
  const first = Math.min(...runs.map((r) => r.startedAt));
  return [...runs]
    .sort((a, b) => a.startedAt - b.startedAt)
    .map((r) => [`#${(r.seq ?? 0) + 1}`, String(r.pid), `+${ms(r.startedAt - first)}`, `+${ms((r.finishedAt ?? first) - first)}`]);
}
