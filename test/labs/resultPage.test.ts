// The built lab result page (dist/webview/labResult.js + .css) in real Chromium, under the host's
// own HTML and CSP, with a stand-in for acquireVsCodeApi. Needs `npm run build` first.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchHeadlessChromium, serveWebviewPage } from '../../src/node/webviewPage';
import { makeNonce, renderWebviewHtml } from '../../src/extension/webviewHtml';
import type { LabResultView, LabSnapshotMessage } from '../../src/shared/labProtocol';

const root = join(__dirname, '..', '..', '..');
const shots = join(root, 'test-results', 'screenshots', 'labs');
const XSS = '<img src=x onerror="window.__xss=1">';

function result(overrides: Partial<LabResultView> = {}): LabResultView {
  return {
    labId: 'pubsub-fan-out',
    number: 7,
    title: 'Pub/Sub fans out',
    claim: 'Pub/Sub delivers every message to every subscriber.',
    confirmed: true,
    summary: `Every job ran twice. ${XSS}`,
    figures: [
      { label: 'Runs, Pub/Sub', value: '12 (2, 2, 2, 2, 2, 2)' },
      { label: `Label ${XSS}`, value: '6 (1, 1, 1, 1, 1, 1)' },
    ],
    tables: [{ title: 'Runs per job', columns: ['Job', 'Pub/Sub', 'Streams'], rows: [['#1', '2', '1'], ['#2', '2', '1']] }],
    notes: ['Fan-out is what Pub/Sub is for.'],
    walkthroughStep: 'pubsub-vs-streams',
    channel: 'jobs',
    startedAt: 1_700_000_000_000,
    finishedAt: 1_700_000_008_000,
    eventCount: 120,
    ...overrides,
  };
}

function snapshot(results: LabResultView[], selected?: string): LabSnapshotMessage {
  return {
    type: 'snapshot',
    locale: 'en',
    strings: {
      title: 'Lab Results',
      empty: 'No lab has run yet.',
      runLab: 'Run a Lab…',
      claim: 'Claim:',
      confirmed: 'Shown',
      notShown: 'Not shown this run',
      figures: 'Measured',
      notes: 'Notes',
      openTimeline: 'Open Timeline',
      openWalkthrough: 'Open the Walkthrough Step',
      runAgain: 'Run Again',
      meta: 'Finished at {0} after {1}, on channel "{2}", from {3} lifecycle events.',
      previous: 'Labs run in this window',
    },
    results,
    selected,
  };
}

describe('lab result page (Chromium)', function () {
  this.timeout(30_000);
  let browser: Browser;
  let server: Server;
  let page: Page;
  let problems: string[];

  before(async function () {
    if (!existsSync(join(root, 'dist', 'webview', 'labResult.js'))) throw new Error('dist/webview/labResult.js is missing: run `npm run build` first');
    const nonce = makeNonce();
    let origin = '';
    ({ server, origin } = await serveWebviewPage(root, () =>
      renderWebviewHtml({
        cspSource: origin,
        nonce,
        scriptUri: `${origin}/webview/labResult.js`,
        styleUris: [`${origin}/codicons/codicon.css`, `${origin}/webview/labResult.css`],
        lang: 'en',
        title: 'Lab Results',
      }),
    ));
    browser = await launchHeadlessChromium();
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    problems = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.addInitScript(() => {
      const w = window as unknown as Record<string, unknown>;
      const posted: unknown[] = [];
      const csp: string[] = [];
      let state: unknown;
      w.__posted = posted;
      w.__csp = csp;
      w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))), getState: () => state, setState: (s: unknown) => (state = s) });
      document.addEventListener('securitypolicyviolation', (e) => csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(origin);
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  const posted = () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted.slice());
  const send = (message: unknown) => page.evaluate((m) => window.postMessage(m, '*'), message);

  it('asks for a snapshot first, then shows the result with every text as text', async () => {
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    assert.deepEqual((await posted())[0], { type: 'ready' });
    await send(snapshot([result()]));
    await page.waitForSelector('article.result[data-lab-id="pubsub-fan-out"][data-confirmed="true"]');
    assert.equal((await page.textContent('.lab-title'))?.trim(), '7. Pub/Sub fans out');
    assert.ok((await page.textContent('.summary'))?.includes(XSS), 'the markup is shown as text');
    assert.equal(await page.$$eval('img', (imgs) => imgs.length), 0, 'no element was made from result text');
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    const figures = await page.$$eval('table.figures tr', (rows) => rows.map((r) => [r.querySelector('th')!.textContent, r.querySelector('td')!.textContent]));
    assert.deepEqual(figures[0], ['Runs, Pub/Sub', '12 (2, 2, 2, 2, 2, 2)']);
    assert.equal(await page.$$eval('table.data tbody tr', (rows) => rows.length), 2);
    assert.match((await page.textContent('.meta')) ?? '', /on channel "jobs", from 120 lifecycle events/);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'result-page.png'), fullPage: true });
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), [], 'no CSP violation');
    assert.deepEqual(problems, []);
  });

  it('links to the timeline, to the walkthrough step and to running the lab again', async () => {
    const before = (await posted()).length;
    await page.click('button:has-text("Open Timeline")');
    await page.click('button:has-text("Open the Walkthrough Step")');
    await page.click('button:has-text("Run Again")');
    await page.click('button:has-text("Run a Lab…")');
    assert.deepEqual((await posted()).slice(before), [
      { type: 'openTimeline' },
      { type: 'openWalkthrough', step: 'pubsub-vs-streams' },
      { type: 'runLab', labId: 'pubsub-fan-out' },
      { type: 'runLab' },
    ]);
  });

  it('ignores a malformed message and keeps what it shows', async () => {
    await send({ type: 'snapshot', results: 'nope' });
    await send({ type: 'other' });
    await page.waitForTimeout(100);
    assert.equal(await page.$$eval('article.result', (a) => a.length), 1);
    assert.deepEqual(problems, []);
  });

  it('switches between the results of several labs', async () => {
    const blocking = result({ labId: 'await-vs-blocking', number: 2, title: 'await hands control back', confirmed: false, walkthroughStep: 'blocking' });
    await send(snapshot([blocking, result()], 'pubsub-fan-out'));
    await page.waitForSelector('nav.labs .tab[data-lab-id="await-vs-blocking"]');
    assert.equal(await page.getAttribute('article.result', 'data-lab-id'), 'pubsub-fan-out');
    await page.click('nav.labs .tab[data-lab-id="await-vs-blocking"]');
    await page.waitForSelector('article.result[data-lab-id="await-vs-blocking"][data-confirmed="false"]');
    assert.equal((await page.textContent('.badge'))?.trim(), 'Not shown this run');
    const before = (await posted()).length;
    await page.click('button:has-text("Open the Walkthrough Step")');
    assert.deepEqual((await posted()).slice(before), [{ type: 'openWalkthrough', step: 'blocking' }]);
  });
});
