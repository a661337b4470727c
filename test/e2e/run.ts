// The workbench test runner:
//   node out/test/e2e/run.js [--only exthost|browser] [--grep text] [--vsix other.vsix] [--keep]
// (after `npm run build`, `npm run package` and `npm run compile-tests`).
//
// 1. installs code-server into the cache folder when it is missing (scripts/codeServer.mjs),
// 2. starts a throw-away Redis and Debian's Chromium,
// 3. runs the extension-host suite (test/exthost, in code-server) -> test-results/exthost.json,
// 4. runs the browser scenarios against the packaged .vsix        -> test-results/browser.json,
// 5. stops everything it started, checks that no process is left, and exits non-zero on any failure.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RedisServer } from '../../src/node/redisServer';
import { codeServerModule, repoRoot } from './codeServer';
import { launchChromium } from './chromium';
import { runExthostSuite } from './exthostSuite';
import { runBrowserSuite } from './browserSuite';
import { Cleanup, processesMentioning, waitForExit } from './processes';
import { addFailure, describe, emptyResult, writeResult, type SuiteResult } from './results';

type SuiteName = 'exthost' | 'browser';

interface Args {
  only?: SuiteName;
  grep?: string;
  /** Another .vsix to test instead of concurrency-lab.vsix. */
  vsix?: string;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? '';
    if (a === '--only') args.only = value() as SuiteName;
    else if (a.startsWith('--only=')) args.only = a.slice(7) as SuiteName;
    else if (a === '--grep') args.grep = value();
    else if (a.startsWith('--grep=')) args.grep = a.slice(7);
    else if (a === '--vsix') args.vsix = value();
    else if (a.startsWith('--vsix=')) args.vsix = a.slice(7);
    else if (a === '--keep') args.keep = true; // keep the temporary folder (logs, profiles) for debugging
    else throw new Error(`unknown argument ${a}`);
  }
  if (args.only && args.only !== 'exthost' && args.only !== 'browser') throw new Error(`--only takes exthost or browser, not ${args.only}`);
  return args;
}

const log = (line: string) => console.log(line);

/** Set on Ctrl+C / SIGTERM: the suites start nothing new. */
const aborted = { value: false };

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const wanted = (suite: SuiteName) => !args.only || args.only === suite;
  const resultsDir = join(repoRoot, 'test-results');
  const screenshots = join(resultsDir, 'screenshots');
  mkdirSync(screenshots, { recursive: true });
  const results: Partial<Record<SuiteName, SuiteResult>> = {};
  for (const suite of ['exthost', 'browser'] as const) if (wanted(suite)) results[suite] = emptyResult();
  const cleanup = new Cleanup();
  const runRoot = mkdtempSync(join(tmpdir(), 'concurrency-lab-e2e-'));
  const started = Date.now();

  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    aborted.value = true;
    log(`\n${signal}: stopping everything the workbench tests started...`);
    void cleanup
      .runAll()
      .then(() => waitForExit(processesMentioning(runRoot).map((p) => p.pid), 3000))
      .finally(() => {
        if (!args.keep) rmSync(runRoot, { recursive: true, force: true });
        process.exit(signal === 'SIGINT' ? 130 : 143);
      });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  /** A failure before the suites could run counts against every wanted suite. */
  const failAll = (title: string, error: unknown) => {
    for (const r of Object.values(results)) addFailure(r!, title, error);
  };

  try {
    const missing = [
      ['dist/extension.js', 'npm run build'],
      ['concurrency-lab.vsix', 'npm run package'],
      ['out/test/exthost/index.js', 'npm run compile-tests'],
    ].filter(([file]) => !existsSync(join(repoRoot, file)));
    if (missing.length) throw new Error(`missing ${missing.map(([f, how]) => `${f} (run "${how}")`).join(', ')}`);

    const cs = await codeServerModule();
    const system = cs.missingSystemPackages({ forBrowser: true });
    if (system.length) {
      throw new Error(`missing system packages: ${system.map((m) => m.name).join(', ')}; install: sudo apt-get install -y ${system.map((m) => m.apt).join(' ')}`);
    }
    const { entry, installed, seconds } = await cs.ensureCodeServer({ log: (l) => log(`[code-server] ${l}`) });
    log(installed ? `code-server installed in ${seconds.toFixed(1)} s` : `code-server ${cs.CODE_SERVER_VERSION} from ${cs.codeServerDir()}`);

    const redis = await RedisServer.start();
    cleanup.add('redis-server', () => redis.stop());
    log(`redis-server for the tests: ${redis.url} (pid ${redis.pid})`);
    const browser = await launchChromium(cs.chromiumPath());
    const closeBrowser = cleanup.add('chromium', () => browser.close());

    if (wanted('exthost')) {
      const t = Date.now();
      log('\n── extension-host suite (mocha inside VS Code) ──');
      results.exthost = await runExthostSuite({
        cs, entry, browser, root: join(runRoot, 'exthost'), redisUrl: redis.url, screenshots, cleanup, grep: args.grep, log,
      });
      log(`extension-host suite: ${summary(results.exthost)} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    if (wanted('browser') && !aborted.value) {
      const t = Date.now();
      log('\n── browser suite (packaged .vsix, Chromium) ──');
      results.browser = await runBrowserSuite({
        cs, entry, browser, root: join(runRoot, 'browser'), vsix: args.vsix ? resolve(args.vsix) : join(repoRoot, 'concurrency-lab.vsix'), screenshots, cleanup, grep: args.grep, log, aborted: () => aborted.value,
      });
      log(`browser suite: ${summary(results.browser)} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    await closeBrowser();
  } catch (error) {
    log(`workbench tests could not run: ${describe(error)}`);
    failAll('workbench tests: setup', error);
  } finally {
    await cleanup.runAll();
  }

  // Nothing this run started may survive it: code-server, extension hosts, workers and private
  // redis-servers mention the run folder or sit below us; Chromium and the test Redis sit below us.
  const { descendants } = await codeServerModule();
  const leftovers = [...new Set([...processesMentioning(runRoot).map((p) => p.pid), ...descendants(process.pid)])];
  const stillThere = await waitForExit(leftovers, 3000);
  if (stillThere.length) {
    const last = results.browser ?? results.exthost;
    if (last) addFailure(last, 'workbench tests: no process left behind', new Error(`still running: ${stillThere.join(', ')}`));
    for (const pid of stillThere) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  if (!args.keep) rmSync(runRoot, { recursive: true, force: true });
  else log(`kept ${runRoot}`);

  for (const [suite, result] of Object.entries(results)) writeResult(join(resultsDir, `${suite}.json`), result!);
  log(`\nworkbench tests: ${Object.entries(results).map(([s, r]) => `${s} ${summary(r!)}`).join(', ')} — ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const r of Object.values(results)) for (const f of r!.failures) log(`  ✗ ${f.title}\n    ${f.error.split('\n').slice(0, 6).join('\n    ')}`);
  return Object.values(results).some((r) => r!.failed > 0) ? 1 : 0;
}

function summary(r: SuiteResult): string {
  return `${r.passed} passed, ${r.failed} failed`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
