// The guided walkthrough (issue 5): the panel beside the worker's read-only source, the live lens
// in that source, and the command that opens them.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { WalkthroughController } from './controller';
import { LiveLens } from './liveLens';
import { SOURCE_SCHEME, WorkerSourceProvider } from './sourceDocuments';

export { WalkthroughController } from './controller';

export function registerWalkthrough(services: Services): vscode.Disposable {
  const provider = new WorkerSourceProvider(services.context.extensionUri);
  const controller = new WalkthroughController(services);
  const lens = new LiveLens(services.model, services.log);
  return vscode.Disposable.from(
    provider,
    vscode.workspace.registerTextDocumentContentProvider(SOURCE_SCHEME, provider),
    lens,
    controller,
    // An optional step id opens that step (used by the Get Started walkthrough and the tests).
    vscode.commands.registerCommand('concurrencyLab.startWalkthrough', async (stepId?: unknown) => {
      try {
        await controller.open(typeof stepId === 'string' ? stepId : undefined);
      } catch (error) {
        services.log.error(`startWalkthrough: ${(error as Error).message}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('The walkthrough cannot start: {0}', (error as Error).message));
      }
    }),
  );
}
