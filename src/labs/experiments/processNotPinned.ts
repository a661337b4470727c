// Lab 5 — One worker = one process, not pinned to a core. The worker reports the CPU core it last
// ran on in every heartbeat (Linux: /proc/self/stat); a light on-and-off load over a few seconds
// gives the OS scheduler the chance to move it.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { heartbeatsOf } from '../analysis';
import { count, ms, text, type Text } from '../text';
import type { LabDefinition } from '../types';
import { WALKTHROUGH_STEP } from '../walkthroughSteps';

export interface PinningParams {
  /** How long to watch. */
  readonly durationMs: number;
  readonly heartbeatMs: number;
  /** A cpu job of this length is published every `everyMs`. */
  readonly busyMs: number;
  readonly everyMs: number;
}

export interface PinningData {
  readonly cores: number;
  /** The cores the OS allows the process on (Linux: Cpus_allowed_list), or null where unknown. */
  readonly allowedCores: string | null;
  /** The core of each heartbeat, in order (null where the OS does not tell). */
  readonly samples: ReadonlyArray<number | null>;
  readonly coresSeen: readonly number[];
  readonly moves: number;
  readonly pids: readonly number[];
}

export const processNotPinned: LabDefinition<PinningParams, PinningData> = {
  id: 'process-not-pinned',
  number: 5,
  kind: 'claim',
  title: text('One worker = one process, not one core', '1 ワーカー = 1 プロセス。ただしコアは固定されない'),
  description: text(
    'Watch the CPU core the worker process runs on, heartbeat by heartbeat, for a few seconds.',
    'ワーカープロセスが動いている CPU コアを、ハートビートごとに数秒間観察します。',
  ),
  claim: text(
    'The chapter: one worker is one process, but a process is not fixed to a core — the OS scheduler moves it.',
    '章の主張：1 ワーカーは 1 プロセスだが、プロセスはコアに固定されない。OS のスケジューラが移動させる。',
  ),
  walkthroughStep: WALKTHROUGH_STEP['process-not-pinned'],
  defaults: { durationMs: 6000, heartbeatMs: 100, busyMs: 40, everyMs: 150 },
  estimateMs: (p) => p.durationMs + 1000,

  async run(session, p) {
    session.progress(text(`Starting one worker (heartbeat every ${ms(p.heartbeatMs)})…`, `ワーカーを 1 つ起動しています（ハートビート ${ms(p.heartbeatMs)} ごと）…`), 0.05);
    const worker = await session.startWorker({ delivery: 'pubsub', heartbeatMs: p.heartbeatMs });
    const allowedCores = allowedCoresOf(worker.pid);
    const start = Date.now();
    const published: string[] = [];
    while (Date.now() - start < p.durationMs) {
      const jobs = session.makeJobs(1, { durationMs: p.busyMs, kind: 'cpu', label: 'Busy' });
      published.push(jobs[0].jobId);
      await session.publish(jobs, 'pubsub');
      session.progress(text('Watching the core in each heartbeat…', 'ハートビートごとのコアを観察しています…'), 0.1 + 0.85 * Math.min(1, (Date.now() - start) / p.durationMs));
      await session.sleep(p.everyMs);
    }
    await session.waitFor(() => heartbeatsOf(session.recorder.events, worker.workerId).some((h) => h.at >= start + p.durationMs), 'the last heartbeat', p.heartbeatMs * 10 + 10_000);

    const beats = heartbeatsOf(session.recorder.events, worker.workerId);
    const samples = beats.map((h) => h.cpu);
    const known = samples.filter((c): c is number => c !== null);
    const coresSeen = [...new Set(known)].sort((a, b) => a - b);
    let moves = 0;
    for (let i = 1; i < known.length; i++) if (known[i] !== known[i - 1]) moves++;
    const runs = session.runsOf(new Set(published));
    const pids = [...new Set([worker.pid, ...runs.map((r) => r.pid)])];
    const cores = cpus().length;
    const reported = known.length > 0;
    const moved = coresSeen.length > 1;

    let summary: Text;
    if (!reported) {
      summary = text(
        'This operating system does not tell a process which core it runs on (only Linux does, in /proc/self/stat), so the heartbeats carry no core number here.',
        'この OS は、プロセスがどのコアで動いているかを教えてくれません（教えてくれるのは Linux の /proc/self/stat だけです）。そのため、ここではハートビートにコア番号が入りません。',
      );
    } else if (moved) {
      summary = text(
        `Every task ran in the one worker process (pid ${worker.pid}), yet that process was seen on ${coresSeen.length} different cores (${coresSeen.join(', ')}) and changed core ${moves} times in ${count(known.length)} heartbeats. One worker is one process; which core it uses is the OS scheduler's choice from moment to moment.${allowedCores ? ` The OS allows it on cores ${allowedCores}: nothing pins it.` : ''}`,
        `すべてのタスクは 1 つのワーカープロセス（pid ${worker.pid}）で動きましたが、そのプロセスは ${coresSeen.length} 個の異なるコア（${coresSeen.join(', ')}）で観測され、${count(known.length)} 回のハートビートの間に ${moves} 回コアを移りました。1 ワーカーは 1 プロセスです。どのコアを使うかは、OS のスケジューラがその時々で決めています。${allowedCores ? `OS はこのプロセスにコア ${allowedCores} の使用を許しており、固定はしていません。` : ''}`,
      );
    } else {
      summary = text(
        `All ${count(known.length)} heartbeats found the worker (pid ${worker.pid}) on core ${coresSeen[0]}. ${cores === 1 ? 'This machine has a single core, so there is nowhere to move.' : `It was not pinned there${allowedCores ? ` (the OS allows cores ${allowedCores})` : ''}: the scheduler simply had no reason to move it this time. Run the lab again, or while the machine is busier.`}`,
        `${count(known.length)} 回のハートビートすべてで、ワーカー（pid ${worker.pid}）はコア ${coresSeen[0]} にいました。${cores === 1 ? 'このマシンはコアが 1 つしかないので、移る先がありません。' : `固定されていたわけではありません${allowedCores ? `（OS はコア ${allowedCores} を許可しています）` : ''}。今回はスケジューラに移す理由がなかっただけです。もう一度、あるいはマシンが忙しいときに実行してみてください。`}`,
      );
    }

    return {
      confirmed: reported && (moved || cores === 1) && pids.length === 1,
      summary,
      figures: [
        { label: text('Worker process', 'ワーカープロセス'), value: `pid ${worker.pid}` },
        { label: text('Processes that ran tasks', 'タスクを実行したプロセス'), value: String(pids.length) },
        { label: text('CPU cores on this machine', 'このマシンの CPU コア数'), value: String(cores) },
        { label: text('Cores the OS allows it on', 'OS が許可しているコア'), value: allowedCores ?? '—' },
        { label: text('Heartbeats', 'ハートビート'), value: `${count(known.length)} (${ms(p.heartbeatMs)})` },
        { label: text('Cores it was seen on', '観測されたコア'), value: coresSeen.length ? coresSeen.join(', ') : '—' },
        { label: text('Changes of core', 'コアの移動回数'), value: String(moves) },
        { label: text('Core, heartbeat by heartbeat', 'ハートビートごとのコア'), value: runLengths(samples) },
      ],
      tables: [
        {
          title: text('Time on each core (share of heartbeats)', 'コアごとの滞在（ハートビートの割合）'),
          columns: [text('Core', 'コア'), text('heartbeats', 'ハートビート'), text('share', '割合')],
          rows: coresSeen.map((c) => {
            const n = known.filter((k) => k === c).length;
            return [String(c), count(n), `${Math.round((100 * n) / Math.max(1, known.length))} %`];
          }),
        },
      ],
      notes: [
        text(
          'The core is the one the process last ran on when the heartbeat was written (field "processor" of /proc/self/stat). Between heartbeats it may have visited others.',
          'コア番号は、ハートビートを書いた時点でプロセスが最後に動いたコアです（/proc/self/stat の processor 欄）。ハートビートの合間に、ほかのコアを訪れていることもあります。',
        ),
      ],
      data: { cores, allowedCores, samples, coresSeen, moves, pids },
    };
  },
};

/** `0×12 → 1×3 → 0×5`: the core sequence in runs. */
function runLengths(samples: ReadonlyArray<number | null>): string {
  const parts: string[] = [];
  let current: number | null | undefined;
  let n = 0;
  for (const s of samples) {
    if (s === current) {
      n++;
      continue;
    }
    if (n) parts.push(`${current ?? '?'}×${n}`);
    current = s;
    n = 1;
  }
  if (n) parts.push(`${current ?? '?'}×${n}`);
  const shown = parts.slice(0, 24).join(' → ');
  return parts.length > 24 ? `${shown} → …` : shown || '—';
}

/** Linux: the `Cpus_allowed_list` of a process, e.g. "0-1". */
function allowedCoresOf(pid: number): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const match = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? match[1] : null;
  } catch {
    return null;
  }
}
