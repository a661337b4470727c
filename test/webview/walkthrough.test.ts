// The built walkthrough page (dist/webview/walkthrough.js + .css) in Debian's Chromium, under the
// host's own HTML and CSP, with a stand-in for acquireVsCodeApi that records what the page posts.
// The snapshot is built from the real lesson files and the real sources. Needs `npm run build`.
import * as assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchHeadlessChromium, serveWebviewPage } from '../../src/node/webviewPage';
import { parseLessons, type Lessons } from '../../src/shared/lessons';
import { readLessonFiles } from '../../src/extension/walkthrough/lessonFiles';
import { buildViews, sourceFiles } from '../../src/extension/walkthrough/views';
import { makeNonce, renderWebviewHtml } from '../../src/extension/webviewHtml';
import type { HostMessage, LiveView, PageMessage, Snapshot } from '../../src/shared/walkthroughProtocol';

const ROOT = join(__dirname, '..', '..', '..');
const SHOTS = join(ROOT, 'test-results', 'screenshots');
const XSS = '<img src=x onerror="window.__xss=1">';

/** A subset of the variables of VS Code's Dark Modern theme. */
const DARK: Record<string, string> = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Noto Sans CJK JP", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
  '--vscode-editor-font-size': '13px',
  '--vscode-editorWidget-background': '#202020',
  '--vscode-widget-border': '#313131',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#026ec1',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-dropdown-background': '#313131',
  '--vscode-dropdown-foreground': '#cccccc',
  '--vscode-dropdown-border': '#3c3c3c',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-textPreformat-foreground': '#d0d0d0',
  '--vscode-textCodeBlock-background': '#2b2b2b',
  '--vscode-editorLineNumber-foreground': '#6e7681',
  '--vscode-badge-background': '#616161',
  '--vscode-badge-foreground': '#f8f8f8',
  '--vscode-errorForeground': '#f85149',
  '--vscode-panelTitle-activeBorder': '#0078d4',
};

const LIVE: LiveView = { workersOnline: 1, inFlight: 0, running: 0, sleeping: 0, blocked: 0, failing: 0, queued: 0, cores: [0, 1], lastCore: 1 };

function snapshotOf(lessons: Lessons, language: 'en' | 'ja', stepId = lessons.steps[0]!.id): Snapshot {
  const sources = new Map(sourceFiles(lessons).map(({ file }) => [file, readFileSync(join(ROOT, file), 'utf8')]));
  const { steps, patterns } = buildViews(lessons, sources);
  return { type: 'snapshot', language, stepId, steps, patterns, ui: lessons.ui, predictions: {}, measurements: {}, live: LIVE };
}

/** The page at `/` under the host's own HTML and CSP, with the built bundles beside it. */
function serve(): Promise<{ server: Server; origin: string }> {
  let origin = '';
  return serveWebviewPage(ROOT, () =>
    renderWebviewHtml({ cspSource: origin, nonce: makeNonce(), scriptUri: `${origin}/webview/walkthrough.js`, styleUris: [`${origin}/webview/walkthrough.css`], lang: 'en', title: 'Walkthrough' }),
  ).then((served) => {
    origin = served.origin;
    return served;
  });
}

interface WalkthroughPage {
  readonly page: Page;
  readonly console: string[];
  posted(): Promise<PageMessage[]>;
  send(message: HostMessage | unknown): Promise<void>;
  csp(): Promise<string[]>;
}

async function openPage(browser: Browser, origin: string): Promise<WalkthroughPage> {
  const context = await browser.newContext({ viewport: { width: 900, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  // Runs before the page's own script, as VS Code's webview bootstrap does.
  await page.addInitScript((vars: Record<string, string>) => {
    const w = window as unknown as Record<string, unknown>;
    const posted: unknown[] = [];
    const csp: string[] = [];
    let state: unknown;
    w.__posted = posted;
    w.__csp = csp;
    w.acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => state,
      setState: (s: unknown) => (state = s),
    });
    document.addEventListener('securitypolicyviolation', (e) => csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    const apply = () => {
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
      if (document.body) document.body.className = 'vscode-dark';
    };
    if (document.documentElement) apply();
    document.addEventListener('DOMContentLoaded', apply);
  }, DARK);
  await page.goto(`${origin}/`);
  return {
    page,
    console: lines,
    posted: () => page.evaluate(() => (window as unknown as { __posted: PageMessage[] }).__posted.slice()),
    send: (message) => page.evaluate((m) => window.postMessage(m, '*'), message as object),
    csp: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp.slice()),
  };
}

async function shot(t: WalkthroughPage, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await t.page.screenshot({ path: join(SHOTS, `walkthrough-${name}.png`), fullPage: false });
}

describe('walkthrough page in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: Server;
  let origin: string;
  let lessons: Lessons;
  let open: WalkthroughPage[] = [];

  const page = async () => {
    const t = await openPage(browser, origin);
    open.push(t);
    await t.page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'ready'));
    return t;
  };
  const lastOf = async <T extends PageMessage['type']>(t: WalkthroughPage, type: T) =>
    (await t.posted()).filter((m): m is Extract<PageMessage, { type: T }> => m.type === type).at(-1);

  before(async () => {
    if (!existsSync(join(ROOT, 'dist', 'webview', 'walkthrough.js'))) throw new Error('dist/webview/walkthrough.js is missing: run `npm run build` first');
    const parsed = parseLessons(await readLessonFiles(ROOT));
    if (!parsed.ok) throw new Error(parsed.reason);
    lessons = parsed.value;
    ({ server, origin } = await serve());
    browser = await launchHeadlessChromium();
  });
  afterEach(async () => {
    for (const t of open) {
      assert.deepEqual(await t.csp(), [], 'the page caused CSP violations');
      assert.deepEqual(t.console.filter((l) => l.startsWith('pageerror') || l.startsWith('error')), [], 'the page logged errors');
      await t.page.context().close();
    }
    open = [];
  });
  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('asks for a snapshot, then shows the saved step in the given language', async () => {
    const t = await page();
    assert.deepEqual((await t.posted())[0], { type: 'ready' });
    const third = lessons.steps[2]!;
    await t.send(snapshotOf(lessons, 'en', third.id));
    await t.page.locator('#step-title').filter({ hasText: third.text.en.title }).waitFor();
    assert.equal(await t.page.locator('#step-count').innerText(), `Step 3 of ${lessons.steps.length}`);
  });

  it('navigates with Next and Back, and with the keyboard, telling the host each step', async () => {
    const t = await page();
    await t.send(snapshotOf(lessons, 'en'));
    const title = t.page.locator('#step-title');
    const [s1, s2, s3] = lessons.steps;
    await title.filter({ hasText: s1!.text.en.title }).waitFor();
    assert.equal(await t.page.locator('#back').isDisabled(), true, 'no Back on the first step');

    await t.page.locator('#next').click();
    await title.filter({ hasText: s2!.text.en.title }).waitFor();
    assert.deepEqual(await lastOf(t, 'goToStep'), { type: 'goToStep', stepId: s2!.id });

    await t.page.keyboard.press('ArrowRight');
    await title.filter({ hasText: s3!.text.en.title }).waitFor();
    assert.deepEqual(await lastOf(t, 'goToStep'), { type: 'goToStep', stepId: s3!.id });

    await t.page.keyboard.press('ArrowLeft');
    await title.filter({ hasText: s2!.text.en.title }).waitFor();
    await t.page.locator('#back').click();
    await title.filter({ hasText: s1!.text.en.title }).waitFor();
    assert.deepEqual(await lastOf(t, 'goToStep'), { type: 'goToStep', stepId: s1!.id });

    await t.page.keyboard.press('End');
    const last = lessons.steps.at(-1)!;
    await title.filter({ hasText: last.text.en.title }).waitFor();
    assert.equal(await t.page.locator('#next').isDisabled(), true, 'no Next on the last step');

    // The step list jumps straight to a step.
    await t.page.locator('#step-list').selectOption(String(4));
    await title.filter({ hasText: lessons.steps[4]!.text.en.title }).waitFor();
  });

  it('shows the matching worker.py lines and the worker.ts range of each step, and reveals them on request', async () => {
    const t = await page();
    const snap = snapshotOf(lessons, 'en');
    await t.send(snap);
    for (let i = 0; i < snap.steps.length; i++) {
      const view = snap.steps[i]!;
      await t.page.locator('#step').and(t.page.locator(`[data-step="${view.spec.id}"]`)).waitFor();
      assert.ok(view.code.py.ok && view.code.ts.ok);
      const listing = (await t.page.locator('#code-py pre.listing .src').allTextContents()).join('\n');
      assert.equal(listing, view.code.py.lines.join('\n'), `${view.spec.id}: the Python lines`);
      assert.equal(await t.page.locator('#code-ts .where span').innerText(), `${view.code.ts.file}, lines ${view.code.ts.from}–${view.code.ts.to}`);
      if (i < snap.steps.length - 1) await t.page.keyboard.press('ArrowRight');
    }
    await t.page.locator('#code-ts [data-reveal="ts"]').click();
    assert.deepEqual(await lastOf(t, 'reveal'), { type: 'reveal', owner: 'step', id: lessons.steps.at(-1)!.id, source: 'ts' });
  });

  it('switches language, and every step reads in Japanese', async () => {
    const t = await page();
    await t.send(snapshotOf(lessons, 'en'));
    await t.page.locator('#step-title').filter({ hasText: lessons.steps[0]!.text.en.title }).waitFor();
    await shot(t, 'step-en');
    await t.page.locator('#language').selectOption('ja');
    await t.page.locator('#step-title').filter({ hasText: lessons.steps[0]!.text.ja.title }).waitFor();
    assert.deepEqual(await lastOf(t, 'setLanguage'), { type: 'setLanguage', language: 'ja' });
    assert.equal(await t.page.locator('#next').innerText(), lessons.ui.ja.next);
    assert.equal(await t.page.evaluate(() => document.documentElement.lang), 'ja');
    await shot(t, 'step-ja');
    for (const step of lessons.steps.slice(1)) {
      await t.page.locator('#next').click();
      await t.page.locator('#step-title').filter({ hasText: step.text.ja.title }).waitFor();
      const body = await t.page.locator('#step .body').innerText();
      assert.ok(body.includes(step.text.ja.body[0]!.replace(/`/g, '').slice(0, 20)), `${step.id}: Japanese body`);
    }
    await t.page.locator('#language').selectOption('en');
    await t.page.locator('#step-title').filter({ hasText: lessons.steps.at(-1)!.text.en.title }).waitFor();
  });

  it('asks for a prediction first, then shows the measured answer', async () => {
    const t = await page();
    const step = lessons.steps.find((s) => s.predict && s.predict.measure === 'makespan')!;
    await t.send(snapshotOf(lessons, 'en', step.id));
    const run = t.page.locator(`[data-action="${step.predict!.action}"]`);
    await run.waitFor();
    assert.equal(await run.isDisabled(), true, 'the run button waits for a prediction');
    assert.equal(await t.page.locator('#predict-lock').isDisabled(), true);

    await t.page.locator('label.choice').nth(2).click();
    await t.page.locator('#predict-lock').click();
    assert.deepEqual(await lastOf(t, 'predict'), { type: 'predict', stepId: step.id, choice: 2 });
    await t.page.locator('#predicted').filter({ hasText: step.text.en.predict!.choices[2]! }).waitFor();
    assert.equal(await run.isDisabled(), false);
    await run.click();
    assert.deepEqual(await lastOf(t, 'runAction'), { type: 'runAction', stepId: step.id, actionId: step.predict!.action });

    const base = { runId: 1, measure: 'makespan' as const, total: 5, workers: 1 };
    await t.send({ type: 'measurement', stepId: step.id, measurement: { ...base, status: 'running', finished: 2 } });
    await t.page.locator('#measured').filter({ hasText: 'Measuring… 2 of 5 tasks finished' }).waitFor();
    assert.equal(await run.isDisabled(), true, 'no second run while one is measured');
    await t.send({ type: 'measurement', stepId: step.id, measurement: { ...base, status: 'done', finished: 5, value: 1012, makespanMs: 1012, peak: 5, published: [0, 1, 2, 3, 4], finishedOrder: [0, 1, 2, 3, 4] } });
    await t.page.locator('#measured').filter({ hasText: 'Measured: 5 tasks, 1.01 s from the first start to the last finish.' }).waitFor();
    await t.page.locator('#verdict').filter({ hasText: `The measurement points to: ${step.text.en.predict!.choices[0]!}` }).waitFor();
    await t.page.locator('#predict .explain').waitFor();
    await t.send({ type: 'live', live: { ...LIVE, inFlight: 5, running: 5, sleeping: 5 } });
    await t.page.locator('#live-figure').filter({ hasText: '5 task(s) in flight' }).waitFor();
    await shot(t, 'predict-en');

    // Predict again in Japanese: the right answer this time.
    await t.page.locator('#language').selectOption('ja');
    await t.page.locator('#predict-change').click();
    assert.deepEqual(await lastOf(t, 'predict'), { type: 'predict', stepId: step.id, choice: null });
    await t.page.locator('label.choice').nth(0).click();
    await t.page.locator('#predict-lock').click();
    await t.page.locator('#verdict').filter({ hasText: lessons.ui.ja.predictRight }).waitFor();
    await shot(t, 'predict-ja');
  });

  it('shows the pattern table with all twelve patterns, and its links ask the host to reveal the lines', async () => {
    const t = await page();
    await t.send(snapshotOf(lessons, 'en'));
    await t.page.locator('#tab-patterns').click();
    const rows = t.page.locator('#pattern-table tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 12);
    const names = await t.page.locator('#pattern-table tbody th').allInnerTexts();
    assert.deepEqual(names, lessons.patterns.map((p) => p.text.en.name));
    const tpm = t.page.locator('[data-pattern-row="thread-per-message"]');
    assert.match(await tpm.innerText(), /strong/);
    await shot(t, 'patterns-en');
    await t.page.locator('[data-pattern="two-phase-termination"][data-source="ts"]').click();
    assert.deepEqual(await lastOf(t, 'reveal'), { type: 'reveal', owner: 'pattern', id: 'two-phase-termination', source: 'ts' });
    await t.page.locator('#language').selectOption('ja');
    await t.page.locator('#pattern-table thead th').first().filter({ hasText: lessons.ui.ja['col.pattern'] }).waitFor();
    assert.match(await tpm.innerText(), new RegExp(lessons.ui.ja['match.strong']));
    await shot(t, 'patterns-ja');
    // Arrow keys do not leave the pattern table.
    await t.page.keyboard.press('ArrowRight');
    assert.equal(await rows.count(), 12);
  });

  it('ignores malformed host messages and renders lesson text as text', async () => {
    const t = await page();
    await t.send({ type: 'snapshot', steps: 'nope' });
    await t.send({ type: 'live' });
    await t.send({ hello: 1 });
    const snap = snapshotOf(lessons, 'en');
    snap.steps[0]!.spec.text.en.title = XSS;
    snap.steps[0]!.spec.text.en.body = [`before \`${XSS}\` after *${XSS}*`];
    await t.send(snap);
    await t.page.locator('#step-title').filter({ hasText: XSS }).waitFor();
    assert.equal(await t.page.locator('img').count(), 0);
    assert.equal(await t.page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    const warnings = t.console.filter((l) => l.includes('ignored a message from the host'));
    assert.equal(warnings.length, 3);
  });
});
