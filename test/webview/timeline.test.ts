// The built timeline page (dist/webview/timeline.js + .css) in real Chromium, under the host's own
// HTML and CSP, with a stand-in for acquireVsCodeApi. Needs `npm run build` first (npm test does it).
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import {
  findRepoRoot,
  makeBurst,
  makeHeartbeats,
  makeWorker,
  openTimelinePage,
  snapshotMessage,
  type ThemeName,
  type TimelinePage,
} from '../../src/bench/timelinePage';
import { launchHeadlessChromium } from '../../src/node/webviewPage';
import { AXIS_PX } from '../../src/webview/timeline/renderer';
import { TimeScale, assignLanes, fitRows, DEFAULT_SPAN_MS } from '../../src/shared/timelineModel';
import type { TimelineTask, TimelineWorker, UpdateMessage } from '../../src/shared/timelineProtocol';

const root = findRepoRoot(__dirname);
const shots = join(root, 'test-results', 'screenshots');
const XSS = '<img src=x onerror=alert(1)>';

interface Scene {
  readonly now: number;
  readonly workers: TimelineWorker[];
  readonly tasks: TimelineTask[];
}

/** 10,000 one-second tasks of one worker, started 0.6 ms apart and all finished; every 50th failed. */
function tenThousand(): Scene {
  const now = Date.now();
  const worker = makeWorker(1, now - 60_000);
  const tasks = makeBurst({ worker, count: 10_000, startAt: now - 8000, spacingMs: 0.6, durationMs: 1000, failEvery: 50, now, label: (i) => (i === 37 ? XSS : `job number ${i}`) });
  return { now, workers: [worker], tasks };
}

function update(now: number, patch: Partial<Omit<UpdateMessage, 'type' | 'now'>>): UpdateMessage {
  return { type: 'update', now, workers: [], tasks: [], removed: [], heartbeats: [], ...patch };
}

/** Pixels of a canvas region (CSS px; the pages run at device scale 1) that differ from the background. */
async function inkedPixels(t: TimelinePage, selector: string, region: { x: number; y: number; w: number; h: number }, color?: string): Promise<number> {
  return t.page.evaluate(
    ({ selector, region, color }) => {
      const canvas = document.querySelector(selector) as HTMLCanvasElement;
      const ctx = canvas.getContext('2d')!;
      const { data } = ctx.getImageData(region.x, region.y, region.w, region.h);
      const parse = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.trim().slice(i, i + 2), 16));
      const bg = parse(getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-background'));
      const want = color ? parse(getComputedStyle(document.documentElement).getPropertyValue(color)) : undefined;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        const px = [data[i]!, data[i + 1]!, data[i + 2]!];
        if (want ? px.every((v, k) => Math.abs(v - want[k]!) <= 2) : px.some((v, k) => Math.abs(v - bg[k]!) > 8)) n++;
      }
      return n;
    },
    { selector, region, color },
  );
}

async function geometry(t: TimelinePage): Promise<{ left: number; top: number; width: number; height: number; scrollTop: number }> {
  return t.page.evaluate(() => {
    const canvas = document.querySelector('#gantt') as HTMLCanvasElement;
    const scroller = document.querySelector('.scroller') as HTMLElement;
    const r = canvas.getBoundingClientRect();
    return { left: r.left, top: r.top, width: scroller.clientWidth, height: scroller.clientHeight, scrollTop: scroller.scrollTop };
  });
}

/** Where the middle of a task's bar is on the screen, computed with the same model the page uses. */
async function barCenter(t: TimelinePage, scene: Scene, key: string): Promise<{ x: number; y: number }> {
  const g = await geometry(t);
  const layout = assignLanes(scene.workers, scene.tasks);
  const metrics = fitRows(layout, g.height - AXIS_PX);
  const row = layout.indexOf(key);
  assert.ok(row !== undefined, `no lane for ${key}`);
  const task = scene.tasks.find((x) => x.key === key)!;
  // The view is paused, so its window is exactly what the page saved.
  const view = await t.page.evaluate(() => (window as unknown as { __getState(): { follow: boolean; span: number; end: number } }).__getState());
  assert.equal(view.follow, false, 'pause the view before computing positions');
  const scale = TimeScale.endingAt(view.end, view.span, g.width);
  const mid = (task.startedAt! + (task.finishedAt ?? Date.now())) / 2;
  return { x: g.left + scale.x(mid), y: g.top + AXIS_PX + layout.top(row, metrics) - g.scrollTop + metrics.lane / 2 };
}

async function screenshot(t: TimelinePage, name: string): Promise<void> {
  mkdirSync(shots, { recursive: true });
  await t.page.screenshot({ path: join(shots, `timeline-${name}.png`) });
}

function pageErrors(t: TimelinePage): string[] {
  return t.console.filter((l) => l.startsWith('pageerror') || l.startsWith('error'));
}

describe('timeline page in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let open: TimelinePage[] = [];
  const page = async (theme: ThemeName = 'dark') => {
    const t = await openTimelinePage({ browser, theme, root });
    open.push(t);
    return t;
  };

  before(async () => {
    browser = await launchHeadlessChromium();
  });
  afterEach(async () => {
    for (const t of open) {
      const csp = await t.cspViolations().catch(() => []);
      assert.deepEqual(csp, [], 'the page caused CSP violations');
      await t.close();
    }
    open = [];
  });
  after(async () => {
    await browser?.close();
  });

  it('asks for a snapshot first and shows the empty state with a Publish Job button', async () => {
    const t = await page();
    assert.deepEqual(await t.posted(), [{ type: 'ready' }]);
    const now = Date.now();
    await t.send(snapshotMessage(now, [makeWorker(1, now - 5000)], []));
    await t.page.waitForSelector('#empty:not([hidden])');
    assert.equal(await t.page.textContent('#empty h2'), 'No tasks yet');
    await screenshot(t, 'empty-dark');
    await t.page.click('#publishJob');
    assert.deepEqual((await t.posted()).at(-1), { type: 'publishJob' });
    assert.deepEqual(pageErrors(t), []);
  });

  it('draws 10,000 tasks from a snapshot and keeps drawing live updates', async () => {
    const t = await page();
    const scene = tenThousand();
    await t.send(snapshotMessage(scene.now, scene.workers, scene.tasks, makeHeartbeats(scene.workers[0]!, scene.now - 9000, scene.now)));
    await t.page.waitForFunction(() => document.querySelector('#summary')?.textContent === '0 running · 10000 finished · 200 failed');
    assert.equal(await t.page.isHidden('#empty'), true);
    const g = await geometry(t);
    // The lanes under the axis and the worker's header: bars of the first tasks are drawn.
    const lanes = { x: 0, y: AXIS_PX + 20, w: g.width, h: g.height - AXIS_PX - 20 };
    const inked = await inkedPixels(t, '#gantt', lanes);
    assert.ok(inked > lanes.w * lanes.h * 0.02, `only ${inked} non-background pixels in the lanes`);
    assert.ok((await inkedPixels(t, '#gantt', lanes, '--vscode-charts-green')) > 0, 'no completed (green) bar is drawn');
    assert.ok((await inkedPixels(t, '#gantt', lanes, '--vscode-charts-red')) > 0, 'no failed (red) bar is drawn');
    // Only the visible lanes exist on screen: 10,000 tasks make no per-task element.
    assert.ok((await t.page.evaluate(() => document.querySelectorAll('*').length)) < 100);

    // Live: a second worker comes online and starts 300 tasks; they run (blue) and grow.
    const now = Date.now();
    const worker2 = makeWorker(2, now - 500);
    const running = makeBurst({ worker: worker2, count: 300, startAt: now - 400, spacingMs: 1, durationMs: 5000, now });
    await t.send(update(now, { workers: [worker2], tasks: running, heartbeats: makeHeartbeats(worker2, now - 400, now, 200) }));
    await t.page.waitForFunction(() => document.querySelector('#summary')?.textContent === '300 running · 10000 finished · 200 failed');
    // The new worker's lanes come after the first worker's 10,000: scroll to them.
    await t.page.evaluate(() => {
      const s = document.querySelector('.scroller')!;
      s.scrollTop = s.scrollHeight;
    });
    await t.page.waitForTimeout(100);
    const bottom = { x: 0, y: g.height - 200, w: g.width, h: 200 };
    const blue1 = await inkedPixels(t, '#gantt', bottom, '--vscode-charts-blue');
    assert.ok(blue1 > 0, 'no running (blue) bar is drawn');
    await t.page.waitForTimeout(400);
    const blue2 = await inkedPixels(t, '#gantt', bottom, '--vscode-charts-blue');
    assert.ok(blue2 > blue1, `running bars did not grow (${blue1} → ${blue2} blue pixels)`);
    // The series: the in-flight line of the second worker (orange) shows its 300 running tasks.
    assert.ok((await inkedPixels(t, '#series', { x: 0, y: 0, w: g.width, h: 50 }, '--vscode-charts-orange')) > 0, 'no in-flight line for the second worker');
    assert.ok((await inkedPixels(t, '#series', { x: 0, y: 54, w: g.width, h: 50 }, '--vscode-charts-blue')) > 0, 'no loop-delay line for the first worker');

    // Three of them finish, one of them failing.
    const later = Date.now();
    const finished = running.slice(0, 3).map((task, i) => ({ ...task, state: i === 2 ? ('failed' as const) : ('completed' as const), finishedAt: later, error: i === 2 ? 'boom' : undefined }));
    await t.send(update(later, { tasks: finished }));
    await t.page.waitForFunction(() => document.querySelector('#summary')?.textContent === '297 running · 10003 finished · 201 failed');
    await t.page.evaluate(() => {
      document.querySelector('.scroller')!.scrollTop = 0;
    });
    await t.page.waitForTimeout(100);
    await screenshot(t, 'dark');
    assert.deepEqual(pageErrors(t), []);
  });

  for (const theme of ['light', 'high-contrast'] as const) {
    it(`is readable in the ${theme} theme`, async () => {
      const t = await page(theme);
      const scene = tenThousand();
      const worker2 = makeWorker(2, scene.now - 3000);
      const tasks = [...scene.tasks, ...makeBurst({ worker: worker2, count: 40, startAt: scene.now - 2500, spacingMs: 40, durationMs: 3000, failEvery: 9, now: scene.now })];
      await t.send(snapshotMessage(scene.now, [...scene.workers, worker2], tasks, [...makeHeartbeats(scene.workers[0]!, scene.now - 9000, scene.now), ...makeHeartbeats(worker2, scene.now - 3000, scene.now, 500, () => 12)]));
      await t.page.waitForFunction(() => /10040|10000 finished/.test(document.querySelector('#summary')?.textContent ?? ''));
      const g = await geometry(t);
      const inked = await inkedPixels(t, '#gantt', { x: 0, y: AXIS_PX + 20, w: g.width, h: g.height - AXIS_PX - 20 });
      assert.ok(inked > 1000, `only ${inked} non-background pixels`);
      await screenshot(t, theme);
    });
  }

  it('shows the hovered task as text, HTML in a label included, and reveals it on click', async () => {
    const t = await page();
    let dialogs = 0;
    t.page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const scene = tenThousand();
    await t.send(snapshotMessage(scene.now, scene.workers, scene.tasks));
    await t.page.waitForFunction(() => document.querySelector('#summary')?.textContent?.includes('10000'));
    // Paused, with the first lanes in sight (following live shows the newest ones).
    await t.page.click('#follow');
    await t.page.evaluate(() => {
      document.querySelector('.scroller')!.scrollTop = 0;
    });
    const target = scene.tasks[37]!;
    const at = await barCenter(t, scene, target.key);
    await t.page.mouse.move(at.x, at.y);
    await t.page.waitForSelector('#tooltip:not([hidden])');
    const tip = await t.page.evaluate(() => {
      const tooltip = document.querySelector('#tooltip')!;
      return {
        title: tooltip.querySelector('.tip-title')!.textContent,
        titleHtml: tooltip.querySelector('.tip-title')!.innerHTML,
        values: Array.from(tooltip.querySelectorAll("dd")).map((d) => d.textContent),
        terms: Array.from(tooltip.querySelectorAll("dt")).map((d) => d.textContent),
      };
    });
    assert.equal(tip.title, XSS, 'the label is shown literally');
    assert.equal(tip.titleHtml, '&lt;img src=x onerror=alert(1)&gt;');
    assert.equal(await t.page.evaluate(() => document.querySelectorAll('img').length), 0, 'an <img> element was created');
    assert.deepEqual(tip.terms.slice(0, 3), ['Job ID', 'Worker', 'State']);
    assert.deepEqual(tip.values.slice(0, 3), ['job-37', 'pid 1001 · host-1', 'Completed']);
    assert.ok(tip.terms.includes('Started') && tip.terms.includes('Finished') && tip.terms.includes('Duration'));
    assert.equal(tip.values[tip.terms.indexOf('Duration')], '1000 ms');
    await screenshot(t, 'tooltip-dark');

    // A neighbour lane is another task: hovering it shows that one.
    const other = await barCenter(t, scene, scene.tasks[120]!.key);
    await t.page.mouse.move(other.x, other.y);
    await t.page.waitForFunction(() => document.querySelector('#tooltip dd')?.textContent === 'job-120');

    await t.page.mouse.move(at.x, at.y);
    await t.page.waitForFunction(() => document.querySelector('#tooltip dd')?.textContent === 'job-37');
    await t.page.mouse.down();
    await t.page.mouse.up();
    assert.deepEqual((await t.posted()).at(-1), { type: 'revealTask', key: target.key });
    // Away from every bar: no tooltip.
    const g = await geometry(t);
    await t.page.mouse.move(g.left + g.width - 5, at.y);
    await t.page.waitForSelector('#tooltip', { state: 'hidden' });
    assert.equal(dialogs, 0);
    assert.deepEqual(pageErrors(t), []);
  });

  it('ignores malformed messages and keeps working', async () => {
    const t = await page();
    const now = Date.now();
    const worker = makeWorker(1, now - 5000);
    const tasks = makeBurst({ worker, count: 20, startAt: now - 3000, spacingMs: 10, durationMs: 1000, now });
    await t.send(snapshotMessage(now, [worker], tasks));
    await t.page.waitForFunction(() => document.querySelector('#summary')?.textContent === '0 running · 20 finished · 0 failed');
    const bad: unknown[] = [
      null,
      'snapshot',
      42,
      { type: 'nonsense' },
      { type: 'update' },
      { type: 'update', now, workers: [], tasks: [{ key: 'x' }], removed: [], heartbeats: [] },
      { type: 'update', now: -1, workers: [], tasks: [], removed: [], heartbeats: [] },
      { type: 'update', now, workers: [], tasks: [{ ...tasks[0], state: 'exploded' }], removed: [], heartbeats: [] },
      { type: 'update', now, workers: [], tasks: [{ ...tasks[0], label: 'x'.repeat(5000) }], removed: [], heartbeats: [] },
      { ...snapshotMessage(now, [worker], []), strings: { title: 'only a title' } },
      JSON.parse('{"type":"update","__proto__":{"polluted":true},"now":1}'),
    ];
    for (const message of bad) await t.send(message);
    // Still the same picture; nothing polluted.
    await t.page.waitForTimeout(100);
    assert.equal(await t.page.textContent('#summary'), '0 running · 20 finished · 0 failed');
    assert.equal(await t.page.evaluate(() => (Object.prototype as Record<string, unknown>).polluted), undefined);
    const warnings = t.console.filter((l) => l.includes('[timeline] ignored a message from the host'));
    assert.equal(warnings.length, bad.length, t.console.join('\n'));
    // And a good message afterwards still lands.
    const next = makeBurst({ worker, count: 5, startAt: Date.now() - 100, spacingMs: 1, durationMs: 2000, now: Date.now() }).map((x) => ({ ...x, key: `${x.key}-new`, jobId: `${x.jobId}-new` }));
    await t.send(update(Date.now(), { tasks: next }));
    await t.page.waitForFunction(() => document.querySelector('#summary')?.textContent === '5 running · 20 finished · 0 failed');
    assert.deepEqual(pageErrors(t), []);
  });

  it('follows live or pauses, zooms, pans and asks to clear history', async () => {
    const t = await page();
    const now = Date.now();
    const worker = makeWorker(1, now - 5000);
    await t.send(snapshotMessage(now, [worker], makeBurst({ worker, count: 50, startAt: now - 3000, spacingMs: 20, durationMs: 1000, now })));
    await t.page.waitForFunction(() => document.querySelector('#summary')?.textContent?.includes('50 finished'));
    const state = () => t.page.evaluate(() => (window as unknown as { __getState(): { follow: boolean; span: number; end: number } | undefined }).__getState());
    assert.equal(await t.page.getAttribute('#follow', 'aria-pressed'), 'true');
    await t.page.click('#zoomIn');
    assert.equal((await state())?.span, DEFAULT_SPAN_MS / 2);
    await t.page.click('#zoomOut');
    await t.page.click('#zoomOut');
    assert.equal((await state())?.span, DEFAULT_SPAN_MS * 2);
    await t.page.click('#follow');
    assert.equal(await t.page.getAttribute('#follow', 'aria-pressed'), 'false');
    assert.equal(await t.page.textContent('#follow .label'), 'Paused');
    const paused = (await state())!;
    assert.equal(paused.follow, false);
    // Dragging the lanes to the right shows earlier times.
    const g = await geometry(t);
    await t.page.mouse.move(g.left + 400, g.top + 200);
    await t.page.mouse.down();
    await t.page.mouse.move(g.left + 500, g.top + 200, { steps: 5 });
    await t.page.mouse.up();
    const panned = (await state())!;
    assert.ok(panned.end < paused.end, 'dragging right did not move the window back in time');
    assert.ok(Math.abs(paused.end - panned.end - (100 / g.width) * paused.span) < 1, 'the window moved by more or less than the drag');
    // Ctrl+wheel zooms around the pointer.
    await t.page.keyboard.down('Control');
    await t.page.mouse.wheel(0, -200);
    await t.page.keyboard.up('Control');
    await t.page.waitForFunction((span) => ((window as unknown as { __getState(): { span: number } }).__getState().span) < span, panned.span);
    // Show all tasks frames the 50 tasks.
    await t.page.click('#fitAll');
    const fitted = (await state())!;
    assert.ok(fitted.span >= 1980 && fitted.span < 2500, `fit gave a span of ${fitted.span} ms`);
    await t.page.click('#follow');
    assert.equal((await state())?.follow, true);
    await t.page.click('#clearHistory');
    assert.deepEqual((await t.posted()).at(-1), { type: 'clearHistory' });
    // The host answers a clear with a new snapshot: the page empties.
    await t.send(snapshotMessage(Date.now(), [worker], []));
    await t.page.waitForSelector('#empty:not([hidden])');
    assert.deepEqual(pageErrors(t), []);
  });

  it('runs under the CSP: an injected inline script is refused', async () => {
    const t = await page();
    const ran = await t.page.evaluate(async () => {
      const w = window as unknown as { __ran?: boolean };
      const s = document.createElement('script');
      s.textContent = 'window.__ran = true';
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 50));
      const csp = (window as unknown as { __csp: string[] }).__csp.splice(0);
      return { ran: w.__ran === true, csp };
    });
    assert.equal(ran.ran, false);
    assert.ok(ran.csp.some((c) => c.startsWith('script-src')), `no script-src violation: ${ran.csp.join(', ')}`);
    // The codicon font loaded from the allowed origin.
    assert.equal(await t.page.evaluate(async () => (await document.fonts.load('16px codicon')).length > 0), true);
  });
});
