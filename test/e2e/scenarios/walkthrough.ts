// The guided walkthrough (issue 5), driven as a learner drives it: Start Walkthrough from the
// palette, the worker's read-only source beside the panel, Next/Back and the keyboard, a
// prediction, a step's publish button, the live count in the editor rising and falling, the
// measured answer, the pattern table's links, and the step kept across closing the panel.
// Once in English and once in a Japanese workbench (`locale: 'ja'`: code-server `--locale ja` with
// a language pack, so `vscode.env.language` is "ja"): the command's title (package.nls.ja.json),
// the panel's default language (the lessons follow the display language without its switch) and
// the live lens (l10n/bundle.l10n.ja.json) are all checked in the window's language.
import type { Frame, Locator, Page } from 'playwright-core';
import type { Scenario, ScenarioContext } from '../scenario';
import { STEP_TIMEOUT_MS, exactly } from '../helpers';

/** What the panel shows (media/lessons, in the display language unless switched in the panel). */
interface PanelTexts {
  readonly language: 'en' | 'ja';
  readonly stepTitle: { first: string; awaitSleep: string };
  readonly back: string;
  readonly patternsTab: string;
  readonly stepsTab: string;
  readonly measuredPeak: RegExp;
}

/** What the workbench shows in its display language (package.nls, vscode.l10n). */
interface WorkbenchTexts {
  readonly language: 'en' | 'ja';
  /** The live lens text at the sleep line, with the count as its one group. */
  readonly awaiting: RegExp;
  readonly waiting: RegExp;
  readonly workerRunning: RegExp;
  readonly startCommand: string;
  readonly panelTitle: string;
}

const PANEL_EN: PanelTexts = {
  language: 'en',
  stepTitle: { first: 'Concurrent is not the same as parallel', awaitSleep: 'The awaited sleep: where tasks pile up' },
  back: 'Back',
  patternsTab: 'Patterns',
  stepsTab: 'Steps',
  measuredPeak: /Measured: at most (\d+) tasks were running at the same time\./,
};

const PANEL_JA: PanelTexts = {
  language: 'ja',
  stepTitle: { first: '「並行」と「並列」は別物', awaitSleep: 'await する sleep：タスクが積み上がる場所' },
  back: '戻る',
  patternsTab: 'パターン',
  stepsTab: 'ステップ',
  measuredPeak: /測定結果：同時に実行中だったタスクは最大 (\d+)。/,
};

const WORKBENCH_EN: WorkbenchTexts = {
  language: 'en',
  awaiting: /(\d+) tasks? awaiting here/,
  waiting: /waiting for messages/,
  workerRunning: /Worker: running/,
  startCommand: 'Concurrency Lab: Start Walkthrough',
  panelTitle: 'Concurrency Lab Walkthrough',
};

const WORKBENCH_JA: WorkbenchTexts = {
  language: 'ja',
  awaiting: /ここで待機中のタスク (\d+)/,
  waiting: /メッセージ待ち/,
  workerRunning: /ワーカー: 実行中/,
  startCommand: 'Concurrency Lab: ウォークスルーを開始',
  panelTitle: 'Concurrency Lab ウォークスルー',
};

/** The frame of the walkthrough page (webviews are nested iframes; find the one that holds it). */
async function panelFrame(page: Page, timeoutMs = STEP_TIMEOUT_MS): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const found = await frame.$('#step, #patterns').catch(() => null);
      if (found) return frame;
    }
    if (Date.now() > deadline) throw new Error(`the walkthrough panel did not appear within ${timeoutMs} ms`);
    await page.waitForTimeout(200);
  }
}

/** The lines the editor of worker.ts draws. */
function sourceLines(page: Page): Locator {
  return page.locator('.editor-instance .monaco-editor .view-lines .view-line');
}

/** The text the editor of worker.ts draws: its lines and the CodeLens above them (the live lens). */
async function visibleSourceText(page: Page): Promise<string> {
  const lines = await sourceLines(page).allInnerTexts();
  const lenses = await page.locator('.editor-instance .monaco-editor .codelens-decoration').allInnerTexts();
  return [...lines, ...lenses].join('\n').replace(/\u00a0/g, ' ');
}

async function walkthrough(t: ScenarioContext, x: PanelTexts, w: WorkbenchTexts): Promise<void> {
  const { wb, page, shot, log } = t;
  if (x.language !== w.language) throw new Error('the panel is checked in the window\'s language');
  await wb.statusBarItem().filter({ hasText: w.workerRunning }).waitFor({ timeout: 30_000 });

  // The command palette lists the command under its title in the window's language.
  await page.keyboard.press('F1');
  await wb.quickInputBox().fill('>Concurrency Lab: ');
  await wb.quickPickRows().filter({ has: page.locator('.label-name', { hasText: exactly(w.startCommand) }) }).first().waitFor();
  await shot('command-palette');
  await page.keyboard.press('Escape');

  // Start: the source opens read-only beside the panel, on the first step or the one saved before.
  await wb.runCommand(w.startCommand);
  await wb.editorTab('worker.ts').first().waitFor();
  let frame = await panelFrame(page);
  // The panel follows the display language by itself (no learner override in a fresh profile).
  const shown = await frame.locator('#language').inputValue();
  if (shown !== w.language) throw new Error(`the panel opened in "${shown}", the window's language is "${w.language}"`);
  log(`the panel opened in "${shown}", the window's language`);
  await frame.locator('#step-list').selectOption('0');
  await frame.locator('#step-title', { hasText: x.stepTitle.first }).waitFor();
  await wb.until('the step\'s lines are shown in the editor', async () => (await visibleSourceText(page)).includes('private async executeJob(job: JobCreated)'));
  await shot('first-step');

  // The source is read-only: typing into it changes nothing.
  // (Click near the line's start: its element is as wide as the longest line, and clicking its
  // middle would scroll the editor sideways.)
  await sourceLines(page).filter({ hasText: 'private async executeJob' }).first().click({ position: { x: 40, y: 5 } });
  await page.keyboard.type('XYZ');
  if ((await visibleSourceText(page)).includes('XYZ')) throw new Error('the worker source is editable');
  await page.keyboard.press('Escape');

  // Next, Back and the keyboard.
  await frame.locator('#next').click();
  await frame.locator('#step-title').filter({ hasNotText: x.stepTitle.first }).waitFor();
  await frame.locator('#back', { hasText: x.back }).click();
  await frame.locator('#step-title', { hasText: x.stepTitle.first }).waitFor();
  await frame.locator('#step-title').click();
  await page.keyboard.press('ArrowRight');
  await frame.locator('#step-title').filter({ hasNotText: x.stepTitle.first }).waitFor();
  await page.keyboard.press('ArrowLeft');
  await frame.locator('#step-title', { hasText: x.stepTitle.first }).waitFor();

  // The awaited-sleep step: predict, publish 20 jobs, watch the count beside the sleep line.
  const options = await frame.locator('#step-list option').allInnerTexts();
  const index = options.findIndex((o) => o.includes(x.stepTitle.awaitSleep));
  if (index < 0) throw new Error(`no step "${x.stepTitle.awaitSleep}" in ${options.join(' | ')}`);
  await frame.locator('#step-list').selectOption(String(index));
  await frame.locator('#step-title', { hasText: x.stepTitle.awaitSleep }).waitFor();
  await wb.until('the sleep line is in view with its lens', async () => w.awaiting.test(await visibleSourceText(page)));
  await shot('await-sleep-step');

  if (await frame.locator('#predict-change').count()) await frame.locator('#predict-change').click();
  await frame.locator('label.choice').last().click();
  await frame.locator('#predict-lock').click();
  await frame.locator('#predicted').waitFor();
  await frame.locator('[data-action="twenty"]').click();

  let peakSeen = 0;
  await wb.until(
    'the live count beside the sleep line rises',
    async () => {
      const m = w.awaiting.exec(await visibleSourceText(page));
      peakSeen = Math.max(peakSeen, m ? Number(m[1]) : 0);
      return peakSeen >= 10;
    },
    STEP_TIMEOUT_MS,
  );
  await shot('live-count-in-editor');
  log(`live lens showed up to ${peakSeen} tasks awaiting at the sleep line`);
  frame = await panelFrame(page);
  const measured = frame.locator('#measured').filter({ hasText: x.measuredPeak });
  await measured.waitFor({ timeout: 30_000 });
  const peak = Number(x.measuredPeak.exec(await measured.innerText())![1]);
  log(`measured peak: ${peak} tasks at once`);
  if (peak !== 20) throw new Error(`measured peak ${peak}, expected all 20 jobs to wait together`);
  await frame.locator('#verdict').waitFor();
  await wb.until('the live count falls back to 0', async () => {
    const m = w.awaiting.exec(await visibleSourceText(page));
    return m !== null && Number(m[1]) === 0;
  });
  await shot('measured-answer');

  // The subscribe line says the worker waits for messages.
  await frame.locator('#step-list').selectOption(String(options.findIndex((o) => /Worker Thread/.test(o))));
  await wb.until('the subscribe line shows "waiting for messages"', async () => w.waiting.test(await visibleSourceText(page)));

  // The pattern table: all twelve rows; a link lands on the lines.
  await frame.locator('#tab-patterns', { hasText: x.patternsTab }).click();
  await frame.locator('#pattern-table tbody tr').nth(11).waitFor();
  const rows = await frame.locator('#pattern-table tbody tr').count();
  if (rows !== 12) throw new Error(`the pattern table has ${rows} rows`);
  await frame.locator('[data-pattern="two-phase-termination"][data-source="ts"]').click();
  await wb.until('the two-phase stop is in view', async () => (await visibleSourceText(page)).includes('this.stopping ??= this.twoPhaseStop(timeoutMs, reason);'));
  await shot('pattern-table');

  // Close the panel and reopen it: the same step comes back.
  await frame.locator('#tab-steps', { hasText: x.stepsTab }).click();
  await frame.locator('#step-list').selectOption(String(index));
  await frame.locator('#step-title', { hasText: x.stepTitle.awaitSleep }).waitFor();
  await page.waitForTimeout(300); // let the host store the step
  await wb.editorTab(w.panelTitle).first().locator('.codicon-close').click({ force: true });
  await wb.until('the panel closed', async () => (await panelFrame(page, 0).catch(() => undefined)) === undefined);
  await wb.runCommand(w.startCommand);
  frame = await panelFrame(page);
  await frame.locator('#step-title', { hasText: x.stepTitle.awaitSleep }).waitFor();
  await shot('reopened-on-the-same-step');
}

export const scenarios: Scenario[] = [
  {
    name: 'walkthrough-en',
    timeoutMs: 150_000,
    run: (t) => walkthrough(t, PANEL_EN, WORKBENCH_EN),
  },
  {
    name: 'walkthrough-ja',
    locale: 'ja',
    timeoutMs: 150_000,
    run: (t) => walkthrough(t, PANEL_JA, WORKBENCH_JA),
  },
];
