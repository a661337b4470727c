// Lab 4 — No ordering guarantee: jobs published in order 1..N with different durations complete
// in another order. The durations come from a seeded shuffle, so a run can be repeated exactly.
import { completionOrder, outOfPlace } from '../analysis';
import { WAIT_MARGIN_MS } from '../labSession';
import { ms, text } from '../text';
import type { LabDefinition } from '../types';
import { WALKTHROUGH_STEP } from '../walkthroughSteps';

export interface OrderingParams {
  readonly jobs: number;
  /** The shortest job. */
  readonly minMs: number;
  /** The durations are minMs, minMs + stepMs, minMs + 2·stepMs, … in a shuffled order. */
  readonly stepMs: number;
  readonly seed: number;
}

export interface OrderingData {
  readonly seed: number;
  /** Durations in publish order. */
  readonly durations: readonly number[];
  /** Publish positions (1-based) in the order the tasks completed. */
  readonly completionOrder: readonly number[];
  readonly outOfPlace: number;
  readonly differs: boolean;
}

/** A small seeded generator (mulberry32): the same seed gives the same durations. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distinct durations in a seeded order that is never the identity (so the lab always has a story). */
export function shuffledDurations(jobs: number, minMs: number, stepMs: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: jobs }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  if (jobs > 1 && order.every((v, i) => v === i)) order.reverse();
  return order.map((k) => minMs + k * stepMs);
}

export const noOrdering: LabDefinition<OrderingParams, OrderingData> = {
  id: 'no-ordering',
  number: 4,
  kind: 'claim',
  title: text('No ordering guarantee', '順序は保証されない'),
  description: text(
    'Jobs 1 to 10 published in order, with different durations: see the order in which they complete.',
    '長さの違うジョブ 1〜10 を順番に発行し、完了する順番を見ます。',
  ),
  claim: text(
    'The chapter warns: jobs run concurrently, so the order in which they complete is not guaranteed.',
    '章の注意点：ジョブは並行に実行されるため、完了順は保証されない。',
  ),
  walkthroughStep: WALKTHROUGH_STEP['no-ordering'],
  defaults: { jobs: 10, minMs: 300, stepMs: 150, seed: 20240601 },
  estimateMs: (p) => p.minMs + (p.jobs - 1) * p.stepMs + 1000,

  async run(session, p) {
    const durations = shuffledDurations(p.jobs, p.minMs, p.stepMs, p.seed);
    session.progress(text('Starting one worker…', 'ワーカーを 1 つ起動しています…'), 0.05);
    await session.startWorker({ delivery: 'pubsub' });
    const jobs = session.makeJobs(p.jobs, { durationMs: p.minMs, durations, label: 'Job' });
    session.progress(text(`Publishing jobs 1 to ${p.jobs} in order…`, `ジョブ 1〜${p.jobs} を順番に発行しています…`), 0.2);
    await session.publish(jobs, 'pubsub');
    session.progress(text('Waiting for the tasks to complete…', 'タスクの完了を待っています…'), 0.4);
    const runs = await session.waitForFinished(jobs, 'every task to complete', p.minMs + p.jobs * p.stepMs + WAIT_MARGIN_MS);

    const published = jobs.map((j) => j.jobId);
    const completed = completionOrder(runs).map((r) => r.jobId);
    const position = new Map(published.map((id, i) => [id, i + 1]));
    const completedPositions = completed.map((id) => position.get(id) ?? 0);
    const misplaced = outOfPlace(published, completed);
    const differs = misplaced > 0;
    const durationOf = new Map(jobs.map((j) => [j.jobId, j.durationMs]));

    return {
      confirmed: differs,
      summary: differs
        ? text(
            `Published as 1, 2, 3, …, ${p.jobs}; completed as ${completedPositions.join(', ')}. ${misplaced} of ${p.jobs} jobs finished in a different place from where they were published: each task ends when its own wait ends, whatever the order of arrival. Code that needs an order has to restore it itself (a sequence number, a per-key queue), not rely on the worker.`,
            `発行順は 1, 2, 3, …, ${p.jobs}、完了順は ${completedPositions.join(', ')} でした。${p.jobs} 件中 ${misplaced} 件が、発行時と違う順位で終わっています。各タスクは届いた順ではなく、自分の待ちが終わった時点で終わるからです。順序が必要な処理は、ワーカーに頼らず自分で順序を取り戻す必要があります（連番、キーごとのキューなど）。`,
          )
        : text(
            'This time the jobs completed in the order they were published. Nothing guarantees this; run again with another seed.',
            '今回はたまたま発行順どおりに完了しました。これは保証されたものではありません。別のシードでもう一度実行してください。',
          ),
      figures: [
        { label: text('Seed', 'シード'), value: String(p.seed) },
        { label: text('Published order', '発行順'), value: published.map((_, i) => i + 1).join(', ') },
        { label: text('Completed order', '完了順'), value: completedPositions.join(', ') },
        { label: text('Jobs out of place', '順位が変わったジョブ'), value: `${misplaced} / ${p.jobs}` },
        { label: text('Durations', 'ジョブの長さ'), value: `${ms(p.minMs)} – ${ms(p.minMs + (p.jobs - 1) * p.stepMs)}` },
      ],
      tables: [
        {
          title: text('Side by side', '並べて比較'),
          columns: [text('Place', '順位'), text('published', '発行'), text('duration', '長さ'), text('completed', '完了'), text('duration', '長さ')],
          rows: published.map((id, i) => [
            String(i + 1),
            `#${i + 1}`,
            ms(durationOf.get(id) ?? 0),
            completed[i] ? `#${position.get(completed[i])}` : '—',
            completed[i] ? ms(durationOf.get(completed[i]) ?? 0) : '—',
          ]),
        },
      ],
      notes: [
        text(
          `The durations are a shuffle drawn from seed ${p.seed}: the same seed gives the same experiment.`,
          `ジョブの長さはシード ${p.seed} から作ったシャッフルです。同じシードなら同じ実験になります。`,
        ),
      ],
      data: { seed: p.seed, durations, completionOrder: completedPositions, outOfPlace: misplaced, differs },
    };
  },
};
