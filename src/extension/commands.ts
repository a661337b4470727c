// The foundation's commands: publish, start/stop/restart the worker, log, history, Redis settings.
import * as vscode from 'vscode';
import { errorMessage } from '../shared/log';
import { DEFAULT_DURATION_MS, MAX_DURATION_MS, type JobKind } from '../shared/protocol';
import type { Services } from './services';
import type { PublishResult } from './jobPublisher';

/** Bursts at least this large show a progress notification. */
const PROGRESS_FROM = 500;

export function registerCommands(services: Services): vscode.Disposable {
  const { workerHost, publisher, model, log, redis, settings } = services;
  const register = (id: string, run: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(`concurrencyLab.${id}`, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (error) {
        log.error(`${id}: ${errorMessage(error)}`);
        void vscode.window.showErrorMessage(errorMessage(error), vscode.l10n.t('Show Log')).then((a) => a && log.show());
        return undefined;
      }
    });

  const warnIfNobodyListened = (result: PublishResult) => {
    if (result.jobs.length && result.receivers.every((n) => n === 0) && settings.current.delivery === 'pubsub') {
      void vscode.window
        .showWarningMessage(
          vscode.l10n.t('Nobody received the job: no worker is subscribed to "{0}". With Pub/Sub a job published while no one listens is lost.', settings.current.channel),
          vscode.l10n.t('Start Worker'),
        )
        .then((a) => a && vscode.commands.executeCommand('concurrencyLab.startWorker'));
    }
  };

  return vscode.Disposable.from(
    // One press, one 1 s job.
    register('publishJob', async () => {
      const result = await publisher.publishBurst({ count: 1, durationMs: DEFAULT_DURATION_MS });
      warnIfNobodyListened(result);
      return result;
    }),

    register('publishJobs', async (arg?: unknown) => {
      const options = isBurst(arg) ? arg : await askBurst();
      if (!options) return undefined;
      const run = (progress?: vscode.Progress<{ message?: string; increment?: number }>, token?: vscode.CancellationToken) => {
        let last = 0;
        return publisher.publishBurst(
          options,
          (done, total) => {
            progress?.report({ message: `${done} / ${total}`, increment: ((done - last) / total) * 100 });
            last = done;
          },
          token,
        );
      };
      const result =
        options.count >= PROGRESS_FROM
          ? await vscode.window.withProgress(
              { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Publishing {0} jobs', options.count), cancellable: true },
              (progress, token) => run(progress, token),
            )
          : await run();
      warnIfNobodyListened(result);
      return result;
    }),

    register('startWorker', async () => {
      if (redis.state === 'unavailable' && !(await redis.restart())) {
        throw new Error(redis.problem ?? vscode.l10n.t('Redis is not connected.'));
      }
      await workerHost.start();
    }),
    register('stopWorker', () => workerHost.stop()),
    register('restartWorker', () => workerHost.restart()),
    register('showLog', () => log.show()),
    register('clearHistory', () => model.clear()),

    register('setRedisUrl', async () => {
      const value = await vscode.window.showInputBox({
        title: vscode.l10n.t('Redis URL'),
        prompt: vscode.l10n.t('For example redis://127.0.0.1:6379. Leave empty to use a private redis-server. Put a password in "Set Redis Password…", not here.'),
        value: settings.current.redisUrl,
        validateInput: validateRedisUrl,
        ignoreFocusOut: true,
      });
      if (value === undefined) return;
      await settings.update('redisUrl', value.trim());
    }),

    register('setRedisPassword', async () => {
      const value = await vscode.window.showInputBox({
        title: vscode.l10n.t('Redis password'),
        prompt: vscode.l10n.t('Kept in VS Code Secret Storage. Leave empty to remove it.'),
        password: true,
        ignoreFocusOut: true,
      });
      if (value === undefined) return;
      await redis.setPassword(value || undefined);
      log.info(value ? 'a Redis password was stored in Secret Storage' : 'the Redis password was removed');
      if (await redis.restart()) await workerHost.restart();
    }),
  );
}

export function validateRedisUrl(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  try {
    const url = new URL(v);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return vscode.l10n.t('The URL must start with redis:// or rediss://');
    if (url.password) return vscode.l10n.t('Do not put the password in the URL: use "Set Redis Password…".');
    return undefined;
  } catch {
    return vscode.l10n.t('Not a valid URL');
  }
}

interface Burst {
  count: number;
  durationMs: number;
  kind?: JobKind;
}

function isBurst(arg: unknown): arg is Burst {
  if (typeof arg !== 'object' || arg === null) return false;
  const { count, durationMs } = arg as Record<string, unknown>;
  return Number.isInteger(count) && (count as number) > 0 && Number.isInteger(durationMs) && (durationMs as number) >= 0;
}

async function askBurst(): Promise<Burst | undefined> {
  type CountItem = vscode.QuickPickItem & { count?: number };
  const counts: CountItem[] = [1, 5, 10, 50, 200, 1000, 10_000].map((count) => ({
    label: vscode.l10n.t('{0} jobs', count),
    description: count >= 1000 ? vscode.l10n.t('a large burst') : undefined,
    count,
  }));
  counts.push({ label: vscode.l10n.t('Other…') });
  const countPick = await vscode.window.showQuickPick(counts, { title: vscode.l10n.t('Publish Jobs (1/2): how many?'), ignoreFocusOut: true });
  if (!countPick) return undefined;
  let count = countPick.count;
  if (count === undefined) {
    const typed = await vscode.window.showInputBox({
      title: vscode.l10n.t('How many jobs?'),
      validateInput: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 100_000 ? undefined : vscode.l10n.t('A whole number from 1 to 100000')),
    });
    if (!typed) return undefined;
    count = Number(typed);
  }
  type DurationItem = vscode.QuickPickItem & { durationMs: number; jobKind: JobKind };
  const durations: DurationItem[] = [
    { label: vscode.l10n.t('1 s sleep'), description: vscode.l10n.t('awaits a timer, like asyncio.sleep(1)'), durationMs: 1000, jobKind: 'sleep' },
    { label: vscode.l10n.t('100 ms sleep'), durationMs: 100, jobKind: 'sleep' },
    { label: vscode.l10n.t('500 ms sleep'), durationMs: 500, jobKind: 'sleep' },
    { label: vscode.l10n.t('3 s sleep'), durationMs: 3000, jobKind: 'sleep' },
    { label: vscode.l10n.t('1 s CPU-bound'), description: vscode.l10n.t('busy work that never awaits: blocks the event loop'), durationMs: 1000, jobKind: 'cpu' },
    { label: vscode.l10n.t('1 s then fail'), description: vscode.l10n.t('shows a failed task'), durationMs: 1000, jobKind: 'fail' },
  ];
  const durationPick = await vscode.window.showQuickPick(durations, { title: vscode.l10n.t('Publish Jobs (2/2): what should each job do?'), ignoreFocusOut: true });
  if (!durationPick) return undefined;
  return { count, durationMs: Math.min(durationPick.durationMs, MAX_DURATION_MS), kind: durationPick.jobKind };
}
