// Runs the browser scenarios (test/e2e/scenarios/*.ts) against code-server with the PACKAGED
// extension installed: one code-server per display language the scenarios ask for (English, and
// e.g. `locale: 'ja'` on a second one started with `--locale ja` and a stub language pack), and
// per scenario a fresh browser context, a fresh workspace folder and so a fresh extension host,
// whose log must stay free of uncaught errors and whose processes must all be gone once the
// window is closed.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { CodeServer, CodeServerModule, Profile } from './codeServer';
import { VIEWPORT } from './chromium';
import { STEP_TIMEOUT_MS, Workbench } from './helpers';
import { HostLogReader, summarizeErrors, unexpectedErrors } from './hostLog';
import { registerLanguagePacks, writeLanguagePackVsix, type Locale } from './languagePack';
import { alive, privateTmpEnv, waitForExit, type Cleanup } from './processes';
import { addFailure, describe, emptyResult, type SuiteResult } from './results';
import { loadScenarios, type LoadedScenario, type ScenarioContext } from './scenario';
import { commandOf, describePid } from './exthostSuite';

export interface BrowserOptions {
  readonly cs: CodeServerModule;
  readonly entry: string;
  readonly browser: Browser;
  readonly root: string;
  readonly vsix: string;
  readonly screenshots: string;
  readonly cleanup: Cleanup;
  readonly grep?: string;
  readonly log: (line: string) => void;
  /** True once the run is being interrupted: start no further scenario. */
  readonly aborted?: () => boolean;
}

/**
 * Settings of every scenario unless it overrides them. The Redis URL stays empty on purpose: the
 * packaged extension then starts its private redis-server, the zero-configuration path a user
 * takes first. (The extension-host suite covers a configured Redis URL.)
 */
const SUITE_SETTINGS: Record<string, unknown> = {
  'concurrencyLab.redisUrl': '',
  'workbench.colorTheme': 'Default Light Modern',
};

const SIDEBAR_WIDTH = 560;
const DEFAULT_TIMEOUT_MS = 90_000;

/**
 * Extension-host log errors of every non-English window: the web workbench fetches the
 * translations of VS Code's BUILT-IN extensions from the gallery (offline: none), and the host logs
 * one error per built-in extension it activates. Only `vscode.*` ids: the same error for our
 * extension (whose l10n bundle ships inside it) still fails the scenario.
 */
const LOCALE_HOST_ERRORS: readonly RegExp[] = [/\[error\] No bundle location found for extension vscode\.[\w-]+\s*$/];

/** A code-server of the suite: the English one, or one per display language scenarios ask for. */
interface SuiteServer {
  readonly locale?: Locale;
  readonly profile: Profile;
  readonly server: CodeServer;
  readonly hostLog: HostLogReader;
  /** Its extension host processes right now. */
  extensionHosts(): number[];
  /** Stops it and everything below it; resolves with the pids that survived. */
  stop(): Promise<number[] | undefined>;
}

export async function runBrowserSuite(o: BrowserOptions): Promise<SuiteResult> {
  const result = emptyResult();
  let scenarios: LoadedScenario[];
  try {
    scenarios = loadScenarios();
  } catch (error) {
    addFailure(result, 'browser: loading scenarios', error);
    return result;
  }
  if (o.grep) scenarios = scenarios.filter((s) => s.name.includes(o.grep!));
  if (!scenarios.length) {
    addFailure(result, 'browser: scenarios', new Error(o.grep ? `no scenario matches "${o.grep}"` : 'no scenarios found'));
    return result;
  }

  // The code-servers the selected scenarios need, started side by side.
  const servers = new Map<Locale | undefined, SuiteServer>();
  const serverName = (locale?: Locale) => `code-server${locale ? ` --locale ${locale}` : ''}`;
  // A closed window's extension host takes a few seconds to deactivate and exit; the next scenario
  // starts meanwhile, and the closed one is judged once its processes are gone.
  const outcomes: Promise<void>[] = [];
  try {
    const locales = [...new Set(scenarios.map((s) => s.locale))];
    const starts = await Promise.allSettled(
      locales.map(async (locale) => {
        servers.set(locale, await startServer(locale));
      }),
    );
    for (const [i, start] of starts.entries()) {
      if (start.status === 'rejected') addFailure(result, `browser: ${serverName(locales[i])}`, start.reason);
    }
    if (result.failed) return result;

    for (const [index, scenario] of scenarios.entries()) {
      if (o.aborted?.()) break;
      const started = Date.now();
      const { failure, afterClose } = await runScenario(index, scenario);
      outcomes.push(
        afterClose.then((problems) => {
          const error = problems.length ? [failure ? describe(failure) : '', ...problems].filter(Boolean).join('\n') : failure;
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          if (error) {
            addFailure(result, `browser: ${scenario.name}`, error);
            o.log(`✗ ${scenario.name} (${seconds} s)\n${describe(error)}`);
          } else {
            result.passed++;
            o.log(`✓ ${scenario.name} (${seconds} s)`);
          }
        }),
      );
    }
    await Promise.all(outcomes);
  } finally {
    await Promise.allSettled(outcomes);
    for (const [locale, s] of servers) {
      const survivors = await s.stop();
      if (survivors?.length) addFailure(result, `browser: ${serverName(locale)} stopped`, new Error(`processes survived: ${survivors.join(', ')}`));
    }
  }
  return result;

  /**
   * Installs the packaged extension into a fresh profile and starts code-server on it. For a
   * display language, the profile gets its own folder, a stub language pack for it (installed
   * with the extension, registered in languagepacks.json) and code-server runs with `--locale`.
   */
  async function startServer(locale?: Locale): Promise<SuiteServer> {
    const t = Date.now();
    const root = locale ? join(o.root, locale) : o.root;
    const profile = o.cs.prepareProfile(root, SUITE_SETTINGS);
    const vsix = locale ? [o.vsix, writeLanguagePackVsix(join(root, 'language-pack'), locale)] : [o.vsix];
    await o.cs.installVsix(o.entry, profile, vsix);
    if (locale) {
      const languages = registerLanguagePacks(profile);
      if (!languages.includes(locale)) throw new Error(`no language pack for "${locale}" in ${profile.extensionsDir} (found: ${languages.join(', ') || 'none'})`);
    }
    // Sockets of every server in one short private temporary folder (see privateTmpEnv).
    const server = await o.cs.startCodeServer({ entry: o.entry, profile, env: privateTmpEnv(o.root), locale });
    const stop = o.cleanup.add(`${serverName(locale)} (browser)`, () => server.stop());
    o.log(`${serverName(locale)}: installed ${vsix.map((f) => basename(f)).join(' + ')} and started in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return {
      locale,
      profile,
      server,
      hostLog: new HostLogReader(profile.userDataDir),
      extensionHosts: () => server.processes().filter((pid) => commandOf(pid).includes('--type=extensionHost')),
      stop,
    };
  }

  async function runScenario(index: number, scenario: LoadedScenario): Promise<{ failure: unknown; afterClose: Promise<string[]> }> {
    const { server, profile, hostLog, extensionHosts } = servers.get(scenario.locale)!;
    const workspace = join(o.root, `ws-${index + 1}`);
    mkdirSync(workspace, { recursive: true });
    writeSettings(profile.settingsFile, { ...o.cs.BASE_SETTINGS, ...SUITE_SETTINGS, ...scenario.settings });
    const shots = join(o.screenshots, scenario.name);
    rmSync(shots, { recursive: true, force: true });
    mkdirSync(shots, { recursive: true });
    const hostsBefore = new Set(extensionHosts());
    /** Every process below this window's extension host, sampled while the scenario runs. */
    const seen = new Set<number>();
    /** This window's extension host(s). */
    const hosts = new Set<number>();
    const sample = setInterval(() => {
      for (const host of extensionHosts()) {
        if (hostsBefore.has(host)) continue;
        hosts.add(host);
        seen.add(host);
        for (const pid of o.cs.descendants(host)) seen.add(pid);
      }
    }, 250);
    const context = await o.browser.newContext({ viewport: VIEWPORT });
    const closeContext = o.cleanup.add(`browser context (${scenario.name})`, () => context.close());
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    let shotCount = 0;
    const t: ScenarioContext = {
      page,
      wb: new Workbench(page),
      workspace,
      serverUrl: server.url,
      log: (line) => o.log(`  [${scenario.name}] ${line}`),
      shot: async (label) => {
        const file = join(shots, `${String(++shotCount).padStart(2, '0')}-${label.replace(/[^\w.-]+/g, '-')}.png`);
        await page.screenshot({ path: file });
      },
      updateSettings: async (patch) => {
        const current = JSON.parse(readFileSync(profile.settingsFile, 'utf8')) as Record<string, unknown>;
        writeSettings(profile.settingsFile, { ...current, ...patch });
      },
    };

    let failure: unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeoutMs = scenario.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      await Promise.race([
        (async () => {
          const loading = Date.now();
          await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
          await t.wb.ready();
          if (scenario.locale) {
            // Set by the nls.messages.js the server built from the language pack; without it the
            // window (and the extension host) silently run in English.
            const language = await page.evaluate(() => (globalThis as unknown as { _VSCODE_NLS_LANGUAGE?: string })._VSCODE_NLS_LANGUAGE);
            if (language !== scenario.locale) throw new Error(`the workbench runs in "${language ?? 'en'}", not "${scenario.locale}": code-server did not load the language pack`);
          }
          if (scenario.openView !== false) {
            await t.wb.openViewContainer();
            await t.wb.resizeSidebar(SIDEBAR_WIDTH);
          }
          const running = Date.now();
          await scenario.run(t);
          t.log(`workbench ready in ${((running - loading) / 1000).toFixed(1)} s, scenario ran ${((Date.now() - running) / 1000).toFixed(1)} s`);
        })(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`scenario timed out after ${timeoutMs / 1000} s`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      const messages = await t.wb.visibleMessages();
      failure = messages.length ? `${describe(error)}\nthe workbench shows: ${messages.join(' | ')}` : error;
      await t.shot('failure').catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }

    const closedAt = Date.now();
    // Close the window: the extension deactivates, its host exits, and so must every process it started.
    await page.close({ runBeforeUnload: true }).catch(() => undefined);
    await closeContext();
    clearInterval(sample);
    if (pageErrors.length) t.log(`workbench page errors (not failing): ${pageErrors.join(' | ')}`);
    const afterClose = (async () => {
      const problems: string[] = [];
      const left = await waitForExit([...seen], 20_000);
      t.log(`window closed; its extension host and ${Math.max(0, seen.size - 1)} process(es) below it exited in ${((Date.now() - closedAt) / 1000).toFixed(1)} s`);
      if (left.length) {
        problems.push(`processes still running 20 s after the window closed: ${left.map(describePid).join(', ')}`);
        for (const pid of left) if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      if (!hosts.size && !failure) problems.push('no extension host was seen for this window');
      const entries = [...hosts].flatMap((pid) => hostLog.entriesOf(pid));
      const errors = unexpectedErrors(entries, [...(scenario.expectedHostErrors ?? []), ...(scenario.locale ? LOCALE_HOST_ERRORS : [])]);
      if (errors.length) problems.push(`uncaught errors in the extension host log:\n${summarizeErrors(errors)}`);
      return problems;
    })();
    return { failure, afterClose };
  }
}

function writeSettings(file: string, settings: Record<string, unknown>): void {
  writeFileSync(file, JSON.stringify(settings, null, 2));
}
