// Lab 8 (a blind spot) — Pub/Sub forgets: jobs published while no worker listens are gone
// (PUBLISH answers 0 receivers). With the Streams mode they wait in Redis until a worker comes back,
// and a job whose worker was killed mid-task is claimed by another worker (XAUTOCLAIM).
import { STREAM_GROUP, streamKeyFor } from '../../shared/streamDelivery';
import { WAIT_MARGIN_MS } from '../labSession';
import { count, ms, text } from '../text';
import type { LabDefinition } from '../types';
import { WALKTHROUGH_STEP } from '../walkthroughSteps';

export interface ForgetParams {
  readonly jobs: number;
  readonly durationMs: number;
  /** How long the restarted Pub/Sub worker is watched for the lost jobs. */
  readonly listenMs: number;
  /** The job running when its worker is killed. */
  readonly victimMs: number;
  /** The worker's --claim-idle: how long an entry may sit at a silent worker before another takes it. */
  readonly claimIdleMs: number;
}

export interface ForgetData {
  readonly pubsub: {
    readonly receivers: readonly number[];
    /** Jobs that ran after the worker came back. */
    readonly recovered: number;
  };
  readonly stream: {
    readonly ids: readonly string[];
    /** Entries pending at the killed worker right after the kill. */
    readonly pendingAfterKill: number;
    readonly recovered: number;
    readonly victimReclaimed: boolean;
    /** From the victim's first delivery to its second. */
    readonly victimReclaimedAfterMs: number;
    readonly killedWorkerId: string;
    readonly reclaimedByWorkerId: string | null;
    readonly pendingAtEnd: number;
  };
}

export const pubsubForgets: LabDefinition<ForgetParams, ForgetData> = {
  id: 'pubsub-forgets',
  number: 8,
  kind: 'blind-spot',
  title: text('Pub/Sub forgets', 'Pub/Sub は覚えていない'),
  description: text(
    'Publish 5 jobs while no worker runs, then start one: with Pub/Sub they are gone; with a Stream they run, even one whose worker was killed.',
    'ワーカーがいない間にジョブを 5 件発行してから起動します。Pub/Sub では消え、Stream では実行されます。強制終了されたワーカーのジョブも含めて。',
  ),
  claim: text(
    'Left out by the chapter: Pub/Sub keeps nothing. A job published while the worker is down, or lost with a crashed worker, is never run.',
    '章が触れていない点：Pub/Sub は何も保存しない。ワーカーが止まっている間に発行されたジョブや、落ちたワーカーと一緒に失われたジョブは、二度と実行されない。',
  ),
  walkthroughStep: WALKTHROUGH_STEP['pubsub-forgets'],
  defaults: { jobs: 5, durationMs: 1000, listenMs: 1500, victimMs: 3000, claimIdleMs: 2000 },
  estimateMs: (p) => p.listenMs + p.claimIdleMs + p.victimMs + p.durationMs + 3000,

  async run(session, p) {
    const stream = streamKeyFor(session.channel);

    // Pub/Sub: the worker is stopped while the jobs are published.
    session.progress(text('Pub/Sub: starting and then stopping the worker…', 'Pub/Sub：ワーカーを起動してから停止しています…'), 0.02);
    const first = await session.startWorker({ delivery: 'pubsub' });
    await first.stop();
    const lost = session.makeJobs(p.jobs, { durationMs: p.durationMs, label: 'While down (Pub/Sub)' });
    session.progress(text(`Pub/Sub: publishing ${p.jobs} jobs while no worker listens…`, `Pub/Sub：誰も購読していない間にジョブを ${p.jobs} 件発行しています…`), 0.1);
    const published = await session.publish(lost, 'pubsub');
    session.progress(text('Pub/Sub: starting the worker again and watching…', 'Pub/Sub：ワーカーを再び起動して観察しています…'), 0.2);
    const second = await session.startWorker({ delivery: 'pubsub' });
    await session.sleep(p.listenMs);
    await second.stop();
    const pubsubRecovered = new Set(session.runsOf(lost).map((r) => r.jobId)).size;

    // Streams: one job is running when its worker is killed; more jobs arrive while no worker runs.
    session.progress(text('Streams: starting a worker and giving it a long job…', 'Streams：ワーカーを起動し、長いジョブを渡しています…'), 0.35);
    const doomed = await session.startWorker({ delivery: 'stream', claimIdleMs: p.claimIdleMs });
    const [victim] = session.makeJobs(1, { durationMs: p.victimMs, label: 'Killed mid-task' });
    await session.publish([victim], 'stream');
    await session.waitFor(
      () => session.recorder.events.some((e) => e.type === 'TaskStarted' && e.jobId === victim.jobId && e.workerId === doomed.workerId),
      'the long job to start',
      WAIT_MARGIN_MS,
    );
    session.progress(text('Streams: killing the worker mid-task (SIGKILL)…', 'Streams：実行中のワーカーを強制終了しています（SIGKILL）…'), 0.45);
    await session.killWorker(doomed, 1);
    const waiting = session.makeJobs(p.jobs, { durationMs: p.durationMs, label: 'While down (Streams)' });
    session.progress(text(`Streams: publishing ${p.jobs} jobs while no worker runs…`, `Streams：ワーカーがいない間にジョブを ${p.jobs} 件発行しています…`), 0.5);
    const added = await session.publish(waiting, 'stream');
    const pendingAfterKill = await pendingCount(session.redis.call('XPENDING', stream, STREAM_GROUP, '-', '+', '100', doomed.workerId));

    session.progress(text(`Streams: starting a new worker (it claims entries idle for ${ms(p.claimIdleMs)})…`, `Streams：新しいワーカーを起動しています（${ms(p.claimIdleMs)} 放置されたエントリを引き取ります）…`), 0.6);
    const rescuer = await session.startWorker({ delivery: 'stream', claimIdleMs: p.claimIdleMs });
    const wanted = [...waiting, victim];
    const rescued = () => session.runsOf(wanted).filter((r) => r.workerId === rescuer.workerId && r.finishedAt !== undefined);
    await session.waitFor(() => rescued().length >= wanted.length, 'the waiting and the reclaimed jobs', p.claimIdleMs + p.victimMs + p.durationMs * p.jobs + WAIT_MARGIN_MS);
    session.progress(text('Streams: checking what is left pending…', 'Streams：保留中のエントリを確認しています…'), 0.95);
    // Acknowledgements follow the task's end; give the last one a moment to land.
    await session.sleep(200);
    const pendingAtEnd = await groupPending(session.redis.call('XPENDING', stream, STREAM_GROUP));

    const victimRuns = session.runsOf([victim]);
    const firstRun = victimRuns.find((r) => r.workerId === doomed.workerId);
    const secondRun = victimRuns.find((r) => r.workerId === rescuer.workerId);
    const victimReclaimed = !!firstRun && firstRun.finishedAt === undefined && secondRun?.outcome === 'completed';
    const reclaimedAfter = firstRun && secondRun ? (secondRun.receivedAt ?? secondRun.startedAt) - (firstRun.receivedAt ?? firstRun.startedAt) : NaN;
    const streamRecovered = new Set(rescued().filter((r) => r.jobId !== victim.jobId).map((r) => r.jobId)).size;
    const confirmed = pubsubRecovered === 0 && published.receivers.every((n) => n === 0) && streamRecovered === p.jobs && victimReclaimed;

    return {
      confirmed,
      summary: confirmed
        ? text(
            `Pub/Sub: PUBLISH answered 0 for each of the ${p.jobs} jobs — nobody was subscribed — and when the worker came back, ${pubsubRecovered} of them ran. Redis had not kept them. Streams: the ${p.jobs} jobs published while no worker ran were stored as entries and all ${streamRecovered} ran when a worker came back. The job whose worker was killed mid-task stayed pending for the dead worker; after ${ms(reclaimedAfter)} (the claim threshold is ${ms(p.claimIdleMs)}) the new worker claimed it with XAUTOCLAIM and ran it to the end. Note that it ran twice in part: work that is redone must be safe to redo.`,
            `Pub/Sub：${p.jobs} 件のジョブそれぞれに PUBLISH は 0 を返しました。購読者がいなかったからです。ワーカーが戻ってきても、実行されたのは ${pubsubRecovered} 件でした。Redis はジョブを保存していなかったのです。Streams：ワーカーがいない間に発行した ${p.jobs} 件はエントリとして保存され、ワーカーが戻ると ${streamRecovered} 件すべてが実行されました。実行中にワーカーを強制終了されたジョブは、死んだワーカーの保留分として残り、${ms(reclaimedAfter)} 後（引き取りの閾値は ${ms(p.claimIdleMs)}）に新しいワーカーが XAUTOCLAIM で引き取って最後まで実行しました。このジョブは途中まで 2 回実行されている点に注意してください。やり直される処理は、やり直しても安全でなければなりません。`,
          )
        : text(
            `The run did not come out as expected (Pub/Sub recovered ${pubsubRecovered} of ${p.jobs}, receivers ${published.receivers.join(', ')}; Streams recovered ${streamRecovered} of ${p.jobs}, killed job reclaimed: ${victimReclaimed ? 'yes' : 'no'}). Another worker on the channel changes the outcome; run the lab again.`,
            `期待どおりの結果になりませんでした（Pub/Sub で回復 ${pubsubRecovered} / ${p.jobs} 件、受信者数 ${published.receivers.join(', ')}、Streams で回復 ${streamRecovered} / ${p.jobs} 件、強制終了されたジョブの引き取り：${victimReclaimed ? 'あり' : 'なし'}）。チャンネルに別のワーカーがいると結果が変わります。もう一度実行してください。`,
          ),
      figures: [
        { label: text('PUBLISH replies while no worker listened', '誰も購読していないときの PUBLISH の戻り値'), value: published.receivers.join(', ') },
        { label: text('Jobs run after the restart, Pub/Sub', '再起動後に実行されたジョブ：Pub/Sub'), value: `${pubsubRecovered} / ${p.jobs}` },
        { label: text('Entry ids returned by XADD', 'XADD が返したエントリ ID'), value: added.ids.join(', ') },
        { label: text('Jobs run after the restart, Streams', '再起動後に実行されたジョブ：Streams'), value: `${streamRecovered} / ${p.jobs}` },
        { label: text('Pending at the killed worker', '強制終了されたワーカーの保留エントリ'), value: String(pendingAfterKill) },
        { label: text('Killed job reclaimed after', '強制終了されたジョブが引き取られるまで'), value: Number.isFinite(reclaimedAfter) ? `${ms(reclaimedAfter)} (threshold ${ms(p.claimIdleMs)})` : '—' },
        { label: text('Entries still pending at the end', '最後に残った保留エントリ'), value: count(pendingAtEnd) },
      ],
      tables: [
        {
          title: text('The killed worker\'s job', '強制終了されたワーカーのジョブ'),
          columns: [text('Worker', 'ワーカー'), text('received', '受信'), text('outcome', '結果')],
          rows: [
            [`pid ${doomed.pid} (SIGKILL)`, firstRun?.receivedAt ? '+0 ms' : '—', firstRun ? (firstRun.finishedAt === undefined ? 'never finished' : firstRun.outcome) : '—'],
            [`pid ${rescuer.pid}`, Number.isFinite(reclaimedAfter) ? `+${ms(reclaimedAfter)}` : '—', secondRun?.outcome ?? '—'],
          ],
        },
      ],
      notes: [
        text(
          'The killed worker could not report itself offline; the lab reported it on the status channel in its place, so the tree and the timeline show its task as abandoned.',
          '強制終了されたワーカーは自分でオフラインを報告できません。代わりにラボが status チャンネルで報告したので、ツリーとタイムラインではそのタスクが放棄されたものとして表示されます。',
        ),
        text(
          'A Stream gives at-least-once delivery: a job can run again after a crash. A job is done only when its worker acknowledges it (XACK).',
          'Stream の配信は「少なくとも 1 回」です。クラッシュの後、ジョブがもう一度実行されることがあります。ジョブが完了したとみなされるのは、ワーカーが確認応答（XACK）を返したときだけです。',
        ),
      ],
      data: {
        pubsub: { receivers: published.receivers, recovered: pubsubRecovered },
        stream: {
          ids: added.ids,
          pendingAfterKill,
          recovered: streamRecovered,
          victimReclaimed,
          victimReclaimedAfterMs: reclaimedAfter,
          killedWorkerId: doomed.workerId,
          reclaimedByWorkerId: secondRun ? rescuer.workerId : null,
          pendingAtEnd,
        },
      },
    };
  },
};

/** XPENDING with a range: one row per pending entry. */
async function pendingCount(reply: Promise<unknown>): Promise<number> {
  const rows = await reply.catch(() => []);
  return Array.isArray(rows) ? rows.length : 0;
}

/** XPENDING summary form: [count, lowest id, highest id, consumers]. */
async function groupPending(reply: Promise<unknown>): Promise<number> {
  const summary = await reply.catch(() => [0]);
  return Array.isArray(summary) ? Number(summary[0]) || 0 : 0;
}
