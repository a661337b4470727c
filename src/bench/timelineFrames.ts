// The timeline's frame rate with 10,000 tasks: loads the built page in headless Chromium, streams
// a 10,000-task burst into it the way the host does (one update per 100 ms tick: 1,000 starts a
// tick for a second, each task finishing a second after it started, a heartbeat a second), and
// prints frames/s and frame times measured from requestAnimationFrame. Figures only, no verdict.
import { makeHeartbeats, makeWorker, openTimelinePage, snapshotMessage } from './timelinePage';
import type { TimelineTask, UpdateMessage } from '../shared/timelineProtocol';

export interface TimelineFramesOptions {
  readonly tasks?: number;
  readonly durationMs?: number;
  readonly tickMs?: number;
  readonly startsPerTick?: number;
  readonly width?: number;
  readonly height?: number;
}

function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (v: number) => `${v.toFixed(1)} ms`;

export async function benchTimelineFrames(options: TimelineFramesOptions = {}): Promise<void> {
  const total = options.tasks ?? 10_000;
  const durationMs = options.durationMs ?? 1000;
  const tickMs = options.tickMs ?? 100;
  const startsPerTick = options.startsPerTick ?? 1000;
  const width = options.width ?? 1280;
  const height = options.height ?? 800;

  const t = await openTimelinePage({ width, height, instrument: true });
  try {
    const t0 = Date.now();
    const worker = makeWorker(1, t0 - 1000);
    await t.send(snapshotMessage(t0, [worker], [], makeHeartbeats(worker, t0 - 10_000, t0)));
    await t.page.waitForSelector('#empty:not([hidden])');
    await t.page.evaluate(() => {
      const w = window as unknown as { __frames: number[]; __stopFrames: boolean; __perf: { frame: number[]; message: number[] } };
      w.__perf.frame.length = 0;
      w.__perf.message.length = 0;
      w.__frames = [];
      w.__stopFrames = false;
      const loop = (ts: number) => {
        w.__frames.push(ts);
        if (!w.__stopFrames) requestAnimationFrame(loop);
      };
      requestAnimationFrame(loop);
    });

    // Stream: the host's ticks, as the store would produce them.
    const running = new Map<string, TimelineTask>();
    let startedCount = 0;
    let finishedCount = 0;
    let nextBeat = t0 + 1000;
    const streamStart = Date.now();
    while (finishedCount < total) {
      const now = Date.now();
      const changed: TimelineTask[] = [];
      for (let i = 0; i < startsPerTick && startedCount < total; i++, startedCount++) {
        const jobId = `job-${startedCount}`;
        const task: TimelineTask = {
          key: `${worker.workerId}/${jobId}`, jobId, workerId: worker.workerId, state: 'running', kind: 'sleep',
          seq: startedCount, durationMs, createdAt: now - 3, receivedAt: now - 1, startedAt: now,
        };
        running.set(task.key, task);
        changed.push(task);
      }
      for (const task of running.values()) {
        if (task.startedAt! + durationMs > now) continue;
        running.delete(task.key);
        changed.push({ ...task, state: 'completed', finishedAt: task.startedAt! + durationMs });
        finishedCount++;
      }
      const heartbeats = now >= nextBeat ? makeHeartbeats(worker, now, now, 1000, () => 4) : [];
      if (heartbeats.length) nextBeat += 1000;
      const update: UpdateMessage = { type: 'update', now, workers: [], tasks: changed, removed: [], heartbeats };
      await t.send(update);
      await sleep(Math.max(0, tickMs - (Date.now() - now)));
    }
    const streamMs = Date.now() - streamStart;
    await sleep(300);
    const result = await t.page.evaluate(() => {
      const w = window as unknown as { __frames: number[]; __stopFrames: boolean; __perf: { frame: number[]; message: number[] } };
      w.__stopFrames = true;
      return { frames: w.__frames.slice(), draw: w.__perf.frame.slice(), messages: w.__perf.message.slice(), summary: document.querySelector('#summary')?.textContent ?? '' };
    });
    const intervals = result.frames.slice(1).map((ts, i) => ts - result.frames[i]!);
    const span = (result.frames.at(-1)! - result.frames[0]!) / 1000;
    // The page's draw is one rAF callback per frame; the recorder's own callbacks take ~0 ms.
    const draws = result.draw.filter((d) => d > 0.05);

    // Then a snapshot of the same 10,000 finished tasks at once (what a reopened panel receives).
    const snapNow = Date.now();
    const finished: TimelineTask[] = [];
    for (let i = 0; i < total; i++) {
      const startedAt = snapNow - 4000 + Math.floor((i / total) * 1000);
      finished.push({ key: `${worker.workerId}/s${i}`, jobId: `s${i}`, workerId: worker.workerId, state: 'completed', kind: 'sleep', seq: i, durationMs, startedAt, finishedAt: startedAt + durationMs });
    }
    const snapshotJson = JSON.stringify(snapshotMessage(snapNow, [worker], finished));
    const snapshot = await t.page.evaluate(
      (json) =>
        new Promise<{ ms: number; frames: number }>((resolve) => {
          const summary = document.querySelector('#summary')!;
          let frames = 0;
          const count = () => {
            frames++;
            requestAnimationFrame(count);
          };
          requestAnimationFrame(count);
          const t0 = performance.now();
          new MutationObserver((_, observer) => {
            if (!summary.textContent?.startsWith('0 running · 10000 finished')) return;
            observer.disconnect();
            resolve({ ms: performance.now() - t0, frames });
          }).observe(summary, { childList: true, characterData: true, subtree: true });
          window.postMessage(JSON.parse(json), '*');
        }),
      snapshotJson,
    );

    console.log(`timeline: ${total} tasks of ${durationMs} ms streamed in ${(streamMs / 1000).toFixed(1)} s (${startsPerTick} starts per ${tickMs} ms tick), ${width}×${height}, headless Chromium (software rendering)`);
    console.log(`  frames/s            ${(intervals.length / span).toFixed(1)}  (${intervals.length} frames in ${span.toFixed(1)} s)`);
    console.log(`  frame time          p50 ${ms(percentile(intervals, 50))}  p95 ${ms(percentile(intervals, 95))}  max ${ms(Math.max(...intervals))}`);
    console.log(`  page work per frame p50 ${ms(percentile(draws, 50))}  p95 ${ms(percentile(draws, 95))}  (checking arrived tasks in slices + drawing; ${draws.length} rAF callbacks)`);
    console.log(`  message arrival     p50 ${ms(percentile(result.messages, 50))}  p95 ${ms(percentile(result.messages, 95))}  (envelope check; ${result.messages.length} updates)`);
    console.log(`  10,000-task snapshot shown ${ms(snapshot.ms)} after it arrived (checked over ${snapshot.frames} frames)`);
    console.log(`  page after the run: ${result.summary}`);
  } finally {
    await t.close();
  }
}
