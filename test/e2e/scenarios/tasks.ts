// The Tasks view of the packaged extension, driven as a user drives it (issue 3).
import type { Scenario } from '../scenario';

const WORKER_ROW = /^Worker \d+ @ /;
const JOB_ROW = /^Job #\d+$/;

export const scenarios: Scenario[] = [
  {
    name: 'tasks-publish-from-palette',
    async run({ wb, shot }) {
      const worker = wb.treeRow(WORKER_ROW).filter({ has: wb.page.locator('.label-description', { hasText: /^online/ }) });
      await worker.first().waitFor({ timeout: 30_000 });
      await wb.statusBarItem().filter({ hasText: /Worker: running/ }).waitFor();
      await shot('worker-online');

      await wb.runCommand('Concurrency Lab: Publish Job');
      const running = wb.treeRow(JOB_ROW).filter({ has: wb.page.locator('.label-description', { hasText: /^running/ }) });
      await running.first().waitFor();
      const label = (await running.first().locator('.label-name').innerText()).trim();
      await shot('task-running');

      const done = wb.treeRow(label).filter({ has: wb.page.locator('.label-description', { hasText: /^completed in/ }) });
      await done.waitFor();
      await wb.until('the worker row counts the completed task', async () =>
        /1 done/.test(await worker.first().locator('.label-description').innerText()),
      );
      await wb.statusBarItem().filter({ hasText: /Worker: running · 0 tasks/ }).waitFor();
      await shot('task-completed');
    },
  },
  {
    name: 'tasks-stop-and-start-worker',
    async run({ wb, shot }) {
      const online = wb.treeRow(WORKER_ROW).filter({ has: wb.page.locator('.label-description', { hasText: /^online/ }) });
      await online.first().waitFor({ timeout: 30_000 });
      const firstLabel = (await online.first().locator('.label-name').innerText()).trim();
      const status = wb.statusBarItem();
      await status.filter({ hasText: /Worker: running/ }).waitFor();

      await wb.clickViewTitleAction('Stop Worker');
      await status.filter({ hasText: /Worker: stopped/ }).waitFor();
      await wb.treeRow(firstLabel).filter({ has: wb.page.locator('.label-description', { hasText: /^offline/ }) }).waitFor();
      await wb.viewTitleAction('Start Worker').waitFor();
      await shot('worker-stopped');

      await wb.clickViewTitleAction('Start Worker');
      await status.filter({ hasText: /Worker: running/ }).waitFor();
      const restarted = online.filter({ hasNot: wb.page.locator('.label-name', { hasText: firstLabel }) });
      await restarted.first().waitFor();
      await wb.viewTitleAction('Stop Worker').waitFor();
      await shot('worker-started');
    },
  },
  {
    // The same view in a Japanese workbench (code-server --locale ja): titles from
    // package.nls.ja.json, rows and status bar from l10n/bundle.l10n.ja.json.
    name: 'tasks-ja',
    locale: 'ja',
    async run({ wb, shot }) {
      await wb.page.locator('[id="workbench.parts.sidebar"] .title-label', { hasText: 'Concurrency Lab: タスク' }).waitFor();
      const worker = wb.treeRow(/^ワーカー \d+ @ /).filter({ has: wb.page.locator('.label-description', { hasText: /^オンライン/ }) });
      await worker.first().waitFor({ timeout: 30_000 });
      await wb.statusBarItem().filter({ hasText: /ワーカー: 実行中 · 0 タスク/ }).waitFor();

      await wb.runCommand('Concurrency Lab: ジョブを発行');
      await wb.treeRowWithDescription(/で完了$/).first().waitFor();
      await wb.until('the worker row counts the completed task in Japanese', async () =>
        /完了 1/.test(await worker.first().locator('.label-description').innerText()),
      );
      await shot('task-completed-ja');
    },
  },
  {
    name: 'tasks-no-redis-welcome',
    // No Redis URL and no redis-server to start: the view must explain what to do.
    settings: { 'concurrencyLab.redisUrl': '', 'concurrencyLab.redisServerPath': '/nonexistent/redis-server' },
    async run({ wb, shot }) {
      const welcome = wb.welcomeContent();
      await welcome.filter({ hasText: 'No Redis is connected' }).waitFor({ timeout: 30_000 });
      for (const text of ['Install redis-server', 'sudo apt-get install redis-server']) {
        await welcome.filter({ hasText: text }).waitFor();
      }
      for (const button of ['Retry', 'Set Redis URL', 'Show Log']) {
        await welcome.getByRole('button', { name: button, exact: true }).waitFor();
      }
      await wb.statusBarItem().filter({ hasText: /no Redis/ }).waitFor();
      if ((await wb.treeRows().count()) !== 0) throw new Error('the view shows rows although there is no Redis');
      const errors = await wb.page.locator('.notifications-toasts .notification-list-item .codicon-error').count();
      if (errors) throw new Error(`an error notification appeared: ${(await wb.notificationTexts()).join(' | ')}`);
      await shot('no-redis-welcome');
    },
  },
];
