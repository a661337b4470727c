// The live timeline in the real workbench (issue 4): open it, publish a burst of 200 one-second
// jobs from the command palette, watch 200 bars overlap in one worker's lanes while the running
// count rises to 200 and falls back to 0, hover and click a bar, and read it in a light theme too.
import type { ConsoleMessage, Frame, Page } from 'playwright-core';
import type { Scenario } from '../scenario';
import { STEP_TIMEOUT_MS } from '../helpers';

const BURST = 200;

/** The frame of the timeline page (webviews are nested iframes). */
async function timelineFrame(page: Page, timeoutMs = STEP_TIMEOUT_MS): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.$('#gantt').catch(() => null)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`the timeline page did not appear within ${timeoutMs} ms`);
    await page.waitForTimeout(200);
  }
}

/** Pixels in the lanes (below the axis and the first header) unlike the editor background, and one bar pixel of a colour. */
function lanePixels(frame: Frame, colorVar: string): Promise<{ inked: number; area: number; hit?: { x: number; y: number } }> {
  return frame.evaluate((colorVar) => {
    const canvas = document.querySelector('#gantt') as HTMLCanvasElement;
    const dpr = canvas.width / canvas.clientWidth;
    const top = Math.round(42 * dpr);
    const ctx = canvas.getContext('2d')!;
    const { data, width, height } = ctx.getImageData(0, top, canvas.width, canvas.height - top);
    const style = getComputedStyle(document.documentElement);
    const rgb = (css: string) => {
      const probe = document.createElement('canvas').getContext('2d')!;
      probe.fillStyle = css.trim();
      probe.fillRect(0, 0, 1, 1);
      return Array.from(probe.getImageData(0, 0, 1, 1).data.slice(0, 3));
    };
    const bg = rgb(style.getPropertyValue('--vscode-editor-background'));
    const want = rgb(style.getPropertyValue(colorVar));
    let inked = 0;
    let hit: { x: number; y: number } | undefined;
    for (let i = 0; i < data.length; i += 4) {
      const px = [data[i]!, data[i + 1]!, data[i + 2]!];
      if (px.some((v, k) => Math.abs(v - bg[k]!) > 8)) inked++;
      if (!hit && px.every((v, k) => Math.abs(v - want[k]!) <= 3)) {
        const p = i / 4;
        hit = { x: (p % width) / dpr, y: (Math.floor(p / width) + top) / dpr };
      }
    }
    return { inked, area: width * height, hit };
  }, colorVar);
}

export const scenarios: Scenario[] = [
  {
    name: 'timeline-burst',
    timeoutMs: 120_000,
    // Dark first (the suite's default is light); the scenario switches to light later.
    settings: { 'workbench.colorTheme': 'Default Dark Modern' },
    async run({ wb, page, shot, log }) {
      const cspLines: string[] = [];
      page.on('console', (m: ConsoleMessage) => {
        if (/Content Security Policy/i.test(m.text())) cspLines.push(m.text());
      });
      await wb.statusBarItem().filter({ hasText: /Worker: running/ }).waitFor({ timeout: 30_000 });

      // Open it from the command palette: an empty timeline that says what to do.
      await wb.runCommand('Concurrency Lab: Open Timeline');
      await wb.editorTab(/Timeline/).first().waitFor();
      await page.locator('.monaco-workbench.vs-dark').waitFor();
      const frame = await timelineFrame(page);
      await frame.waitForSelector('#empty:not([hidden])');
      const hint = (await frame.textContent('#empty p')) ?? '';
      if (!/Publish Job/.test(hint)) throw new Error(`the empty state says "${hint}"`);
      await shot('timeline-empty');

      // The page records the most tasks it ever showed running at once.
      await frame.evaluate(() => {
        const summary = document.querySelector('#summary')!;
        const w = window as unknown as { __maxRunning: number };
        w.__maxRunning = 0;
        new MutationObserver(() => {
          const running = Number(/^(\d+)/.exec(summary.textContent ?? '')?.[1] ?? 0);
          w.__maxRunning = Math.max(w.__maxRunning, running);
        }).observe(summary, { childList: true, characterData: true, subtree: true });
      });

      await wb.runCommand('Concurrency Lab: Publish Jobs…');
      await wb.pickQuickItem(`${BURST} jobs`);
      await wb.pickQuickItem('1 s sleep');
      await frame.waitForFunction((n) => /^(\d+) running/.exec(document.querySelector('#summary')?.textContent ?? '')?.[1] === String(n), BURST, { timeout: 30_000 });
      await shot('timeline-running');
      await frame.waitForFunction((n) => document.querySelector('#summary')?.textContent === `0 running · ${n} finished · 0 failed`, BURST, { timeout: 30_000 });
      const maxRunning = await frame.evaluate(() => (window as unknown as { __maxRunning: number }).__maxRunning);
      log(`the page showed at most ${maxRunning} tasks running at once`);
      if (maxRunning !== BURST) throw new Error(`at most ${maxRunning} of ${BURST} tasks ran at once`);

      // 200 bars, in lanes under one worker.
      const header = await frame.getAttribute('#gantt', 'aria-label');
      log(`canvas label: ${header}`);
      const dark = await lanePixels(frame, '--vscode-charts-green');
      if (!dark.hit || dark.inked < 2000) throw new Error(`the lanes look empty: ${dark.inked} of ${dark.area} pixels drawn`);
      await shot('timeline-finished-dark');

      // Pause (the bars stop sliding), hover a bar: the tooltip names the job; click it: the tree selects that task.
      await frame.click('#follow');
      await frame.waitForSelector('#follow[aria-pressed="false"]');
      await page.waitForTimeout(100);
      // (Sampled again: on a busy machine the bars may have slid on since the last look.)
      const paused = await lanePixels(frame, '--vscode-charts-green');
      if (!paused.hit) throw new Error('no bar in sight after pausing');
      await frame.hover('#gantt', { position: paused.hit });
      await frame.waitForSelector('#tooltip:not([hidden])');
      const jobId = (await frame.textContent('#tooltip dd')) ?? '';
      log(`hovered job ${jobId}`);
      if (!jobId) throw new Error('the tooltip shows no job id');
      await shot('timeline-tooltip');
      await frame.click('#gantt', { position: paused.hit });
      await wb.viewContainer().locator('.monaco-list-row.selected').first().waitFor({ timeout: STEP_TIMEOUT_MS });
      const selected = (await wb.viewContainer().locator('.monaco-list-row.selected .label-name').first().innerText()).trim();
      log(`the tree selected "${selected}"`);
      if (!/^Job #\d+/.test(selected)) throw new Error(`the tree selected "${selected}" instead of a task`);

      // A light theme: the page takes VS Code's colours and stays readable.
      // Switched as a user does: Preferences: Color Theme, then Light Modern.
      await wb.runCommand('Preferences: Color Theme');
      await wb.quickInputBox().fill('Light Modern');
      await wb.pickQuickItem(/^\s*Light Modern\s*$/);
      await page.locator('.monaco-workbench.vs').waitFor({ timeout: STEP_TIMEOUT_MS });
      await wb.editorTab(/Timeline/).first().click();
      const lightFrame = await timelineFrame(page);
      await lightFrame.waitForFunction(() => document.body.classList.contains('vscode-light'));
      await page.waitForTimeout(500);
      const light = await lanePixels(lightFrame, '--vscode-charts-green');
      if (!light.hit || light.inked < 2000) throw new Error(`the lanes look empty in the light theme: ${light.inked} pixels drawn`);
      await shot('timeline-finished-light');

      if (cspLines.length) throw new Error(`CSP violations in the console:\n${cspLines.join('\n')}`);
    },
  },
];
