// Concurrency Lab: Run Lab… — pick a lab, confirm a heavy one, run it with a cancellable progress
// notification, and show the result with its measured figures. The experiments themselves are
// plain Node code in src/labs; this file only connects them to VS Code.
import * as vscode from 'vscode';
import { errorMessage, type Logger } from '../../shared/log';
import { LABS, LabCancelledError, labById, type LabEntry, type LabHost, type LabResult } from '../../labs';
import type { Services } from '../services';
import { LabResultPanel, uiLanguage } from './resultPanel';

/** `concurrencyLab.runLab` arguments: a lab id, or `{ labId, confirmed }` to skip the question of a heavy lab. */
interface RunLabArgs {
  readonly labId: string;
  readonly confirmed?: boolean;
}

export function registerLabs(services: Services): vscode.Disposable {
  const { context, log } = services;
  let running: { lab: LabEntry; abort: AbortController } | undefined;
  const panel = new LabResultPanel(context.extensionUri, log, {
    runLab: (labId) => void vscode.commands.executeCommand('concurrencyLab.runLab', labId),
  });

  const runLab = async (arg?: unknown): Promise<LabResult | undefined> => {
    const args = parseArgs(arg);
    const lab = args ? labById(args.labId) : await pickLab();
    if (args && !lab) throw new Error(vscode.l10n.t('There is no lab "{0}".', args.labId));
    if (!lab) return undefined;
    if (running) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Lab {0} is still running. Cancel it from its notification first.', running.lab.number));
      return undefined;
    }
    const language = uiLanguage();
    if (lab.confirmation && !args?.confirmed) {
      const go = vscode.l10n.t('Run');
      const answer = await vscode.window.showWarningMessage(lab.confirmation[language], { modal: true }, go);
      if (answer !== go) return undefined;
    }
    const abort = new AbortController();
    running = { lab, abort };
    try {
      const host = await labHost(services);
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Lab {0}: {1}', lab.number, lab.title[language]), cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          let done = 0;
          return lab.run(host, {
            signal: abort.signal,
            onProgress: ({ message, fraction }) => {
              const increment = fraction !== undefined && fraction > done ? (fraction - done) * 100 : undefined;
              if (increment !== undefined) done = fraction!;
              progress.report({ message: message[language], increment });
            },
          });
        },
      );
      panel.show(result);
      return result;
    } catch (error) {
      if (error instanceof LabCancelledError) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Lab {0} was cancelled. Its workers were stopped and the normal setup is back.', lab.number));
        return undefined;
      }
      throw error;
    } finally {
      running = undefined;
    }
  };

  return vscode.Disposable.from(
    panel,
    vscode.commands.registerCommand('concurrencyLab.runLab', async (arg?: unknown) => {
      try {
        return await runLab(arg);
      } catch (error) {
        log.error(`runLab: ${errorMessage(error)}`);
        const showLog = vscode.l10n.t('Show Log');
        void vscode.window
          .showErrorMessage(vscode.l10n.t('The lab did not finish: {0}', errorMessage(error)), showLog)
          .then((a) => a === showLog && log.show());
        return undefined;
      }
    }),
    // Closing the window mid-lab: stop the experiment so its clean-up runs.
    { dispose: () => running?.abort.abort() },
  );
}

/**
 * Lab workers may still print while the window closes, after the output channel is gone; writing
 * to a closed channel throws, and a throw in a stream handler would be an uncaught error.
 */
function quietAfterClose(log: vscode.LogOutputChannel): Logger {
  const safe = (write: (message: string) => void) => (message: string) => {
    try {
      write(message);
    } catch {
      // the channel is closed: nobody can read this line any more
    }
  };
  return {
    trace: safe((m) => log.trace(m)),
    debug: safe((m) => log.debug(m)),
    info: safe((m) => log.info(m)),
    warn: safe((m) => log.warn(m)),
    error: safe((m) => log.error(m)),
  };
}

function parseArgs(arg: unknown): RunLabArgs | undefined {
  if (typeof arg === 'string') return { labId: arg };
  if (typeof arg === 'object' && arg !== null && typeof (arg as Record<string, unknown>).labId === 'string') {
    const { labId, confirmed } = arg as Record<string, unknown>;
    return { labId: labId as string, confirmed: confirmed === true };
  }
  return undefined;
}

async function pickLab(): Promise<LabEntry | undefined> {
  const language = uiLanguage();
  type LabItem = vscode.QuickPickItem & { lab?: LabEntry };
  const items: LabItem[] = [];
  for (const kind of ['claim', 'blind-spot'] as const) {
    items.push({
      label: kind === 'claim' ? vscode.l10n.t("The chapter's claims") : vscode.l10n.t('What the chapter leaves out'),
      kind: vscode.QuickPickItemKind.Separator,
    });
    for (const lab of LABS.filter((l) => l.kind === kind)) {
      items.push({
        label: `$(beaker) ${lab.number}. ${lab.title[language]}`,
        description: vscode.l10n.t('about {0} s', Math.max(1, Math.round(lab.estimateMs / 1000))),
        detail: lab.description[language],
        lab,
      });
    }
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Run a Lab'),
    placeHolder: vscode.l10n.t('Each lab starts workers of its own, runs an experiment, and then restores the normal worker'),
    matchOnDetail: true,
    ignoreFocusOut: true,
  });
  return picked?.lab;
}

/** Where the lab runs: the extension's Redis and channel, its bundled worker script and log. */
async function labHost({ redis, settings, workerHost, log, context }: Services): Promise<LabHost> {
  if (!(await redis.ensureStarted()) || !redis.url) {
    throw new Error(redis.problem ?? vscode.l10n.t('Redis is not connected.'));
  }
  return {
    workerScript: vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath,
    redisUrl: redis.url,
    password: (await redis.password()) || undefined,
    channel: settings.current.channel,
    log: quietAfterClose(log),
    // The normal worker would take the lab's jobs too (Pub/Sub gives every subscriber a copy):
    // it steps aside for the lab and comes back afterwards.
    suspendNormalWorker: async () => {
      const wasRunning = workerHost.state === 'running' || workerHost.state === 'starting';
      if (wasRunning) await workerHost.stop();
      return async () => {
        if (wasRunning) await workerHost.start();
      };
    },
  };
}
