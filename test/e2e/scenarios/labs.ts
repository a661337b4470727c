// The labs, run from the UI as a learner runs them (issue 6): Run Lab… in the command palette, a
// lab picked in the quick pick, its progress notification, then its result read from the result
// panel. Afterwards the normal worker must be back.
import type { Frame, Page } from 'playwright-core';
import type { Scenario, ScenarioContext } from '../scenario';
import { STEP_TIMEOUT_MS } from '../helpers';

/** The frame of the lab result page (webviews are nested iframes; find the one holding a result). */
async function resultFrame(page: Page, labId: string, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const found = await frame.$(`article.result[data-lab-id="${labId}"]`).catch(() => null);
      if (found) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no result of lab "${labId}" appeared within ${timeoutMs} ms`);
    await page.waitForTimeout(250);
  }
}

/** The measured figures of the shown result, label → value. */
async function figures(frame: Frame): Promise<Map<string, string>> {
  const rows = await frame.$$eval('table.figures tr', (trs) =>
    trs.map((tr) => [tr.querySelector('th')?.textContent ?? '', tr.querySelector('td')?.textContent ?? ''] as const),
  );
  return new Map(rows);
}

async function runLabFromUi(t: ScenarioContext, pick: RegExp, labId: string, shotPrefix: string): Promise<{ frame: Frame; summary: string; figures: Map<string, string> }> {
  const { wb, page, shot, log } = t;
  // The bundled worker is up first: the lab must stop it and bring it back.
  await wb.statusBarItem().filter({ hasText: /Worker: running/ }).waitFor({ timeout: 30_000 });
  await wb.runCommand('Concurrency Lab: Run Lab…');
  await wb.quickPickRows().first().waitFor({ timeout: STEP_TIMEOUT_MS });
  await shot(`${shotPrefix}-picker`);
  await wb.pickQuickItem(pick);
  await wb.notification(/^Lab \d+:/).first().waitFor({ timeout: STEP_TIMEOUT_MS });
  await shot(`${shotPrefix}-running`);
  const frame = await resultFrame(page, labId, 90_000);
  const summary = ((await frame.textContent('article.result .summary')) ?? '').trim();
  const confirmed = await frame.getAttribute('article.result', 'data-confirmed');
  const measured = await figures(frame);
  log(`lab ${labId}: confirmed=${confirmed}; ${summary}`);
  for (const [label, value] of measured) log(`  ${label}: ${value}`);
  await shot(`${shotPrefix}-result`);
  if (confirmed !== 'true') throw new Error(`lab ${labId} did not confirm its claim: ${summary}`);
  // Links to the timeline and the walkthrough step are there.
  for (const name of ['Open Timeline', 'Open the Walkthrough Step']) {
    if (!(await frame.$(`button:has-text("${name}")`))) throw new Error(`the result has no "${name}" button`);
  }
  // The normal setup is restored: the bundled worker runs again.
  await wb.statusBarItem().filter({ hasText: /Worker: running/ }).waitFor({ timeout: 30_000 });
  return { frame, summary, figures: measured };
}

export const scenarios: Scenario[] = [
  {
    name: 'labs-fan-out',
    timeoutMs: 150_000,
    async run(t) {
      const { figures: measured, frame } = await runLabFromUi(t, /7\. Pub\/Sub fans out/, 'pubsub-fan-out', 'fan-out');
      const pubsub = measured.get('Runs, Pub/Sub') ?? '';
      const stream = measured.get('Runs, Streams') ?? '';
      // 6 jobs on 2 workers: Pub/Sub runs each twice, the Streams mode once.
      if (!/^12 \(2, 2, 2, 2, 2, 2\)$/.test(pubsub)) throw new Error(`Pub/Sub runs: "${pubsub}"`);
      if (!/^6 \(1, 1, 1, 1, 1, 1\)$/.test(stream)) throw new Error(`Streams runs: "${stream}"`);
      if (measured.get('PUBLISH replies (receivers per job)') !== '2, 2, 2, 2, 2, 2') throw new Error('PUBLISH did not reach 2 workers');
      // The timeline link opens the timeline.
      await frame.click('button:has-text("Open Timeline")');
      await t.wb.editorTab(/Timeline/).first().waitFor({ timeout: STEP_TIMEOUT_MS });
      await t.shot('fan-out-timeline');
    },
  },
  {
    name: 'labs-blocking',
    timeoutMs: 150_000,
    async run(t) {
      const { figures: measured } = await runLabFromUi(t, /2\. await hands control back/, 'await-vs-blocking', 'blocking');
      // The first figure of a value such as "5,002 ms" or "1,000 ms (job: 1,000 ms)".
      const ms = (label: string) => Number(/^([\d,]+) ms/.exec(measured.get(label) ?? '')?.[1]?.replace(/,/g, '') ?? NaN);
      const sleepSpan = ms('Makespan, sleep jobs (await)');
      const cpuSpan = ms('Makespan, cpu jobs (blocking)');
      // 5 jobs of 1 s: overlapping sleeps end together; blocking jobs take their turn one by one.
      if (!(sleepSpan > 0 && cpuSpan >= 5000 && cpuSpan > 3 * sleepSpan)) throw new Error(`makespans: sleep ${sleepSpan} ms, cpu ${cpuSpan} ms`);
      // Each blocking job starts only once the one before has spun for its full second.
      const gap = ms('Smallest gap between two cpu starts');
      if (!(gap >= 1000)) throw new Error(`cpu start gap: "${measured.get('Smallest gap between two cpu starts')}"`);
    },
  },
];
