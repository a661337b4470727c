// Loads the built timeline page (dist/webview/timeline.js + .css) in Debian's Chromium, the way the
// webview would: the host's real HTML and CSP, the resources served from a local origin that plays
// `webview.cspSource`, a stand-in for `acquireVsCodeApi` that records what the page posts, and the
// theme variables VS Code would put on the page. Shared by the page tests and `npm run bench`.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchHeadlessChromium, serveWebviewPage } from '../node/webviewPage';
import { makeNonce, renderWebviewHtml } from '../extension/webviewHtml';
import { timelineStrings } from '../extension/timeline/strings';
import type { HostMessage, TimelineStrings, TimelineTask, TimelineWorker, HeartbeatPoint } from '../shared/timelineProtocol';

/** The repository root: the folder above this file's bundle or compiled copy that holds package.json. */
export function findRepoRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'esbuild.mjs'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no repository root above ${from}`);
    dir = up;
  }
}

export type ThemeName = 'dark' | 'light' | 'high-contrast';

/** A subset of the variables VS Code's Dark Modern, Light Modern and High Contrast themes define. */
export const THEMES: Record<ThemeName, { bodyClass: string; vars: Record<string, string> }> = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-foreground': '#cccccc',
      '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-editor-background': '#1f1f1f',
      '--vscode-panel-border': '#2b2b2b',
      '--vscode-editorWidget-border': '#454545',
      '--vscode-editorWidget-background': '#202020',
      '--vscode-sideBarSectionHeader-background': '#181818',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-focusBorder': '#0078d4',
      '--vscode-editorCursor-foreground': '#aeafad',
      '--vscode-icon-foreground': '#cccccc',
      '--vscode-toolbar-hoverBackground': '#5a5d5e50',
      '--vscode-inputOption-activeBackground': '#2489db82',
      '--vscode-inputOption-activeBorder': '#2488db',
      '--vscode-inputOption-activeForeground': '#ffffff',
      '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#026ec1',
      '--vscode-editorHoverWidget-background': '#202020',
      '--vscode-editorHoverWidget-foreground': '#cccccc',
      '--vscode-editorHoverWidget-border': '#454545',
      '--vscode-widget-shadow': '#0000005c',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-foreground': '#3b3b3b',
      '--vscode-descriptionForeground': '#717171',
      '--vscode-editor-background': '#ffffff',
      '--vscode-panel-border': '#e5e5e5',
      '--vscode-editorWidget-border': '#c8c8c8',
      '--vscode-editorWidget-background': '#f8f8f8',
      '--vscode-sideBarSectionHeader-background': '#f8f8f8',
      '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-green': '#388a34',
      '--vscode-charts-red': '#e51400',
      '--vscode-charts-yellow': '#bf8803',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-purple': '#652d90',
      '--vscode-focusBorder': '#005fb8',
      '--vscode-editorCursor-foreground': '#000000',
      '--vscode-icon-foreground': '#3b3b3b',
      '--vscode-toolbar-hoverBackground': '#b8b8b850',
      '--vscode-inputOption-activeBackground': '#bed6ed',
      '--vscode-inputOption-activeBorder': '#005fb8',
      '--vscode-inputOption-activeForeground': '#000000',
      '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#0258a8',
      '--vscode-editorHoverWidget-background': '#f8f8f8',
      '--vscode-editorHoverWidget-foreground': '#3b3b3b',
      '--vscode-editorHoverWidget-border': '#c8c8c8',
      '--vscode-widget-shadow': '#00000029',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-foreground': '#ffffff',
      '--vscode-descriptionForeground': '#ffffff',
      '--vscode-editor-background': '#000000',
      '--vscode-panel-border': '#6fc3df',
      '--vscode-contrastBorder': '#6fc3df',
      '--vscode-contrastActiveBorder': '#f38518',
      '--vscode-editorWidget-border': '#6fc3df',
      '--vscode-editorWidget-background': '#0c141f',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-yellow': '#ffd700',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-focusBorder': '#f38518',
      '--vscode-editorCursor-foreground': '#ffffff',
      '--vscode-icon-foreground': '#ffffff',
      '--vscode-inputOption-activeBackground': '#00000000',
      '--vscode-inputOption-activeBorder': '#6fc3df',
      '--vscode-button-background': '#000000',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-border': '#6fc3df',
      '--vscode-editorHoverWidget-background': '#0c141f',
      '--vscode-editorHoverWidget-foreground': '#ffffff',
      '--vscode-editorHoverWidget-border': '#6fc3df',
    },
  },
};

export interface TimelinePageOptions {
  readonly theme?: ThemeName;
  readonly width?: number;
  readonly height?: number;
  readonly root?: string;
  /** Launch options may be shared: pass a browser to open one more page in it. */
  readonly browser?: Browser;
  /**
   * Times the page's work (benchmark only): every rAF callback and every message handler, in
   * `window.__perf.frame` and `window.__perf.message` (milliseconds).
   */
  readonly instrument?: boolean;
}

export interface TimelinePage {
  readonly page: Page;
  readonly browser: Browser;
  /** Console lines and page errors, for failure messages. */
  readonly console: string[];
  /** Posts one message to the page as the host would (any value: the page must check it). */
  send(message: unknown): Promise<void>;
  /** What the page posted to the host so far. */
  posted(): Promise<unknown[]>;
  /** CSP violations the page reported. */
  cspViolations(): Promise<string[]>;
  setTheme(theme: ThemeName): Promise<void>;
  close(): Promise<void>;
}

export async function openTimelinePage(options: TimelinePageOptions = {}): Promise<TimelinePage> {
  const root = resolve(options.root ?? findRepoRoot());
  if (!existsSync(join(root, 'dist', 'webview', 'timeline.js'))) {
    throw new Error('dist/webview/timeline.js is missing: run `npm run build` first');
  }
  let origin = '';
  const nonce = makeNonce();
  const { server, origin: o } = await serveWebviewPage(root, () =>
    renderWebviewHtml({
      cspSource: origin,
      nonce,
      scriptUri: `${origin}/webview/timeline.js`,
      styleUris: [`${origin}/codicons/codicon.css`, `${origin}/webview/timeline.css`],
      lang: 'en',
      title: 'Timeline',
    }),
  );
  origin = o;
  const ownBrowser = !options.browser;
  const browser = options.browser ?? (await launchHeadlessChromium());
  const context = await browser.newContext({ viewport: { width: options.width ?? 1000, height: options.height ?? 640 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  const theme = THEMES[options.theme ?? 'dark'];
  // Runs before the page's own script, as VS Code's webview bootstrap does.
  await page.addInitScript((t: { bodyClass: string; vars: Record<string, string> }) => {
    const w = window as unknown as Record<string, unknown>;
    const posted: unknown[] = [];
    const csp: string[] = [];
    let state: unknown;
    w.__posted = posted;
    w.__csp = csp;
    w.acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => state,
      setState: (s: unknown) => {
        state = s;
      },
    });
    w.__getState = () => state;
    document.addEventListener('securitypolicyviolation', (e) => csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    const apply = (theme: { bodyClass: string; vars: Record<string, string> }) => {
      for (const [k, v] of Object.entries(theme.vars)) document.documentElement.style.setProperty(k, v);
      if (document.body) document.body.className = theme.bodyClass;
    };
    w.__applyTheme = (theme: { bodyClass: string; vars: Record<string, string> }) => {
      document.documentElement.removeAttribute('style');
      apply(theme);
    };
    // The init script runs before <html> exists: apply the variables as soon as it does.
    if (document.documentElement) apply(t);
    else new MutationObserver((_, observer) => {
      if (!document.documentElement) return;
      observer.disconnect();
      apply(t);
    }).observe(document, { childList: true });
    document.addEventListener('DOMContentLoaded', () => apply(t));
  }, theme);
  if (options.instrument) {
    await page.addInitScript(() => {
      const perf = { frame: [] as number[], message: [] as number[] };
      (window as unknown as { __perf: typeof perf }).__perf = perf;
      const raf = window.requestAnimationFrame.bind(window);
      window.requestAnimationFrame = (callback) =>
        raf((ts) => {
          const t0 = performance.now();
          callback(ts);
          perf.frame.push(performance.now() - t0);
        });
      const add = window.addEventListener.bind(window);
      window.addEventListener = ((type: string, listener: EventListener, opts?: boolean | AddEventListenerOptions) => {
        if (type !== 'message' || typeof listener !== 'function') return add(type, listener, opts);
        return add(type, (event: Event) => {
          const t0 = performance.now();
          listener(event);
          perf.message.push(performance.now() - t0);
        }, opts);
      }) as typeof window.addEventListener;
    });
  }
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => ((window as unknown as { __posted: unknown[] }).__posted ?? []).length > 0);
  return {
    page,
    browser,
    console: lines,
    send: async (message) => {
      // As text: Playwright serialises a large object argument value by value, slowly.
      await page.evaluate((json) => window.postMessage(JSON.parse(json), '*'), JSON.stringify(message));
    },
    posted: () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted.slice()),
    cspViolations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp.slice()),
    setTheme: async (name) => {
      await page.evaluate((t) => (window as unknown as { __applyTheme: (x: unknown) => void }).__applyTheme(t), THEMES[name]);
    },
    close: async () => {
      await context.close().catch(() => undefined);
      if (ownBrowser) await browser.close().catch(() => undefined);
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
    },
  };
}

// ── made-up timelines ──

export const englishStrings: TimelineStrings = timelineStrings((message, ...args) => message.replace(/\{(\d+)\}/g, (m, i: string) => args[Number(i)] ?? m));

export function makeWorker(n: number, at: number): TimelineWorker {
  return { workerId: `host-${n}:${1000 + n}:w${n}`, pid: 1000 + n, hostname: `host-${n}`, state: 'online', onlineAt: at, maxConcurrency: 0 };
}

export interface BurstOptions {
  readonly worker: TimelineWorker;
  readonly count: number;
  /** When the first job started. */
  readonly startAt: number;
  /** Jobs start this many ms apart. */
  readonly spacingMs: number;
  readonly durationMs: number;
  /** Every nth task fails (0: none). */
  readonly failEvery?: number;
  /** Tasks that started before this are finished; later ones are still running. */
  readonly now: number;
  readonly label?: (i: number) => string | undefined;
}

export function makeBurst(o: BurstOptions): TimelineTask[] {
  const tasks: TimelineTask[] = [];
  for (let i = 0; i < o.count; i++) {
    const startedAt = Math.round(o.startAt + i * o.spacingMs);
    const end = startedAt + o.durationMs;
    const done = end <= o.now;
    const failed = !!o.failEvery && i % o.failEvery === o.failEvery - 1;
    const jobId = `job-${i}`;
    tasks.push({
      key: `${o.worker.workerId}/${jobId}`,
      jobId,
      workerId: o.worker.workerId,
      state: done ? (failed ? 'failed' : 'completed') : 'running',
      kind: failed ? 'fail' : 'sleep',
      label: o.label?.(i),
      seq: i,
      durationMs: o.durationMs,
      createdAt: startedAt - 2,
      receivedAt: startedAt - 1,
      startedAt,
      finishedAt: done ? end : undefined,
      error: done && failed ? 'failed on purpose' : undefined,
    });
  }
  return tasks;
}

export function makeHeartbeats(worker: TimelineWorker, from: number, to: number, everyMs = 1000, delay = (i: number) => (i % 7 === 3 ? 180 : 2 + (i % 3))): HeartbeatPoint[] {
  const points: HeartbeatPoint[] = [];
  for (let at = from, i = 0; at <= to; at += everyMs, i++) {
    const maxMs = delay(i);
    points.push({ workerId: worker.workerId, at, loopDelay: { meanMs: maxMs / 4, p99Ms: maxMs * 0.9, maxMs } });
  }
  return points;
}

export function snapshotMessage(now: number, workers: TimelineWorker[], tasks: TimelineTask[], heartbeats: HeartbeatPoint[] = []): HostMessage {
  return { type: 'snapshot', now, locale: 'en', strings: englishStrings, workers, tasks, heartbeats };
}
