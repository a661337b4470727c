// The extension-host suite under @vscode/test-electron, for machines that can download VS Code
// (this offline one cannot: there `node out/test/e2e/run.js` runs the same suite in code-server).
//
//   npm run build && npm run compile-tests && node out/test/exthost/runElectron.js
//   (headless Linux: xvfb-run -a node out/test/exthost/runElectron.js)
//
// Env: VSCODE_VERSION (default "stable"), CONCURRENCY_LAB_EXTHOST_GREP (mocha grep).
// Writes test-results/exthost-electron.json ({passed, failed, failures}) and exits non-zero on failure.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { RedisServer } from '../../src/node/redisServer';

const repoRoot = resolve(__dirname, '..', '..', '..');

async function main(): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'concurrency-lab-electron-'));
  const redis = await RedisServer.start();
  try {
    const userDataDir = join(root, 'ud');
    const workspace = join(root, 'ws');
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    mkdirSync(workspace, { recursive: true });
    // The same profile as the code-server run: the test Redis, a channel of our own, no distractions.
    writeFileSync(
      join(userDataDir, 'User', 'settings.json'),
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'security.workspace.trust.enabled': false,
          'telemetry.telemetryLevel': 'off',
          'update.mode': 'none',
          'extensions.autoUpdate': false,
          'concurrencyLab.redisUrl': redis.url,
          'concurrencyLab.channel': `exthost-electron-${process.pid}`,
        },
        null,
        2,
      ),
    );
    const results = join(repoRoot, 'test-results', 'exthost-electron.json');
    rmSync(results, { force: true });
    const env: Record<string, string> = { CONCURRENCY_LAB_EXTHOST_RESULTS: results };
    if (process.env.CONCURRENCY_LAB_EXTHOST_GREP) env.CONCURRENCY_LAB_EXTHOST_GREP = process.env.CONCURRENCY_LAB_EXTHOST_GREP;
    const code = await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: join(__dirname, 'index.js'),
      extensionTestsEnv: env,
      launchArgs: [workspace, '--user-data-dir', userDataDir, '--extensions-dir', join(root, 'exts'), '--disable-extensions', '--disable-workspace-trust'],
    });
    return code;
  } finally {
    await redis.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
