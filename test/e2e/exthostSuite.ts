// Runs test/exthost (mocha inside VS Code's extension host) in code-server: the workbench loads
// the extension from the repository (extensionDevelopmentPath) and the suite (extensionTestsPath)
// through the `payload` URL parameter, as VS Code's own browser integration tests do.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import type { Browser } from 'playwright-core';
import { repoRoot, type CodeServerModule } from './codeServer';
import { addFailure, describe, emptyResult, type SuiteResult } from './results';
import { HostLogReader, summarizeErrors, unexpectedErrors } from './hostLog';
import { VIEWPORT } from './chromium';
import { privateTmpEnv, waitForExit, type Cleanup } from './processes';

export interface ExthostOptions {
  readonly cs: CodeServerModule;
  readonly entry: string;
  readonly browser: Browser;
  readonly root: string;
  readonly redisUrl: string;
  readonly screenshots: string;
  readonly cleanup: Cleanup;
  readonly grep?: string;
  readonly timeoutMs?: number;
  readonly log: (line: string) => void;
}

const RESULT_LINE = 'CONCURRENCY_LAB_EXTHOST_RESULT ';

export async function runExthostSuite(o: ExthostOptions): Promise<SuiteResult> {
  const result = emptyResult();
  const testsPath = join(repoRoot, 'out', 'test', 'exthost');
  if (!existsSync(join(testsPath, 'index.js'))) {
    addFailure(result, 'exthost: suite', new Error(`${testsPath}/index.js is missing: run "npm run compile-tests" first`));
    return result;
  }
  const workspace = join(o.root, 'ws');
  mkdirSync(workspace, { recursive: true });
  const resultFile = join(o.root, 'exthost-result.json');
  const profile = o.cs.prepareProfile(o.root, {
    // The runner's Redis, deliberately: the suite also switches to the private redis-server and back.
    'concurrencyLab.redisUrl': o.redisUrl,
    'concurrencyLab.channel': `exthost-${process.pid}-${Date.now().toString(36)}`,
  });
  const env: Record<string, string> = { ...privateTmpEnv(o.root), CONCURRENCY_LAB_EXTHOST_RESULTS: resultFile };
  if (o.grep) env.CONCURRENCY_LAB_EXTHOST_GREP = o.grep;

  const server = await o.cs.startCodeServer({ entry: o.entry, profile, env });
  const stopServer = o.cleanup.add('code-server (exthost)', () => server.stop());
  const hostLog = new HostLogReader(profile.userDataDir);
  const context = await o.browser.newContext({ viewport: VIEWPORT });
  const closeContext = o.cleanup.add('browser context (exthost)', () => context.close());
  let reported: SuiteResult | undefined;
  try {
    const page = await context.newPage();
    let exit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    await page.exposeFunction('codeAutomationExit', (code: number) => exit(Number(code)));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      // The workbench forwards console calls as (format, ...values), as mocha's reporter makes them.
      const text = format(...(Array.isArray(args) ? args : [args]));
      for (const line of text.split('\n')) {
        if (line.startsWith(RESULT_LINE)) reported = JSON.parse(line.slice(RESULT_LINE.length)) as SuiteResult;
        else o.log(`[exthost${type === 'error' ? ' error' : ''}] ${line}`);
      }
    });
    const host = `${server.host}:${server.port}`;
    const remote = (path: string) => `vscode-remote://${host}${path}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(repoRoot)],
      ['extensionTestsPath', remote(testsPath)],
      ['skipWelcome', 'true'],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
    const timeoutMs = o.timeoutMs ?? 240_000;
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<number>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the extension-host suite did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    await page.screenshot({ path: join(o.screenshots, 'exthost', 'end.png') }).catch(() => undefined);

    const fromFile = existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as SuiteResult) : undefined;
    const suite = fromFile ?? reported;
    if (!suite) {
      addFailure(result, 'exthost: suite', new Error(`the suite ended with code ${code} without reporting results (did it load? see the [exthost] lines)`));
    } else {
      result.passed += suite.passed;
      result.failed += suite.failed;
      result.failures.push(...suite.failures.map((f) => ({ title: `exthost: ${f.title}`, error: f.error })));
      if (code !== 0 && suite.failed === 0) addFailure(result, 'exthost: suite', new Error(`the workbench reported exit code ${code}`));
    }

    // Closing the window deactivates the extension for real; its host must then exit cleanly.
    const hostPids = server.processes().filter((pid) => commandOf(pid).includes('--type=extensionHost'));
    const below = new Set(hostPids.flatMap((pid) => o.cs.descendants(pid)));
    await page.close({ runBeforeUnload: true });
    const left = await waitForExit([...hostPids, ...below], 20_000);
    if (left.length) addFailure(result, 'exthost: closing the window', new Error(`processes still running 20 s after the window closed: ${left.map(describePid).join(', ')}`));
    const errors = unexpectedErrors(hostLog.readNew());
    for (const e of errors) o.log(`[exthost log error] ${e.text.split('\n')[0]}`);
    if (errors.length) {
      addFailure(result, 'exthost: extension host log has no uncaught errors', summarizeErrors(errors));
    }
  } catch (error) {
    addFailure(result, 'exthost: suite', error);
    o.log(`exthost suite: ${describe(error)}`);
  } finally {
    await closeContext();
    const survivors = await stopServer();
    if (survivors?.length) addFailure(result, 'exthost: code-server stopped', new Error(`processes survived: ${survivors.join(', ')}`));
  }
  return result;
}

export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

export function describePid(pid: number): string {
  return `${pid} (${commandOf(pid).slice(0, 120) || 'gone'})`;
}
