// The lab result panel: one webview that shows the newest result of each lab run in this window.
// It follows the house protocol: the page sends `ready`, the host answers with a full snapshot; a
// hidden panel is sent nothing (it asks again when shown). Page messages are checked on arrival.
import * as vscode from 'vscode';
import { check } from '../../shared/protocol';
import { LabPageMessage, type LabSnapshotMessage, type LabStrings } from '../../shared/labProtocol';
import { errorMessage } from '../../shared/log';
import type { LabId, LabResult, Language } from '../../labs';
import { makeNonce, renderWebviewHtml } from '../webviewHtml';
import { toResultView } from './resultView';

export interface LabPanelActions {
  runLab(labId?: string): void;
}

export class LabResultPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly results = new Map<LabId, LabResult>();
  private selected: LabId | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly actions: LabPanelActions,
  ) {}

  /** Shows a new result (and keeps it as the newest of its lab). */
  show(result: LabResult): void {
    this.results.set(result.labId, result);
    this.selected = result.labId;
    if (this.panel) {
      this.panel.reveal(undefined, false);
      this.postSnapshot();
    } else {
      this.panel = this.create();
    }
  }

  private create(): vscode.WebviewPanel {
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel('concurrencyLab.labResult', vscode.l10n.t('Lab Results'), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(dist, 'webview'), vscode.Uri.joinPath(dist, 'codicons')],
    });
    const webview = panel.webview;
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview', 'labResult.js')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css')).toString(), webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview', 'labResult.css')).toString()],
      lang: vscode.env.language,
      title: vscode.l10n.t('Lab Results'),
    });
    const subscriptions = [
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidDispose(() => {
        subscriptions.forEach((d) => d.dispose());
        if (this.panel === panel) this.panel = undefined;
      }),
    ];
    return panel;
  }

  private onMessage(raw: unknown): void {
    const message = check(LabPageMessage, raw);
    if (!message.ok) {
      this.log.warn(`lab results: ignored a message from the page: ${message.reason}`);
      return;
    }
    const m = message.value;
    switch (m.type) {
      case 'ready':
        this.postSnapshot();
        return;
      case 'openTimeline':
        void this.run('concurrencyLab.openTimeline');
        return;
      case 'openWalkthrough':
        void this.run('concurrencyLab.startWalkthrough', m.step);
        return;
      case 'runLab':
        this.actions.runLab(m.labId);
        return;
    }
  }

  private async run(command: string, ...args: unknown[]): Promise<void> {
    try {
      await vscode.commands.executeCommand(command, ...args);
    } catch (error) {
      this.log.error(`lab results: ${command}: ${errorMessage(error)}`);
      void vscode.window.showErrorMessage(errorMessage(error));
    }
  }

  private postSnapshot(): void {
    const panel = this.panel;
    if (!panel?.visible) return;
    const language = uiLanguage();
    const results = [...this.results.values()].sort((a, b) => a.number - b.number).map((r) => toResultView(r, language));
    const snapshot: LabSnapshotMessage = { type: 'snapshot', locale: vscode.env.language, strings: labStrings(), results, selected: this.selected };
    void panel.webview.postMessage(snapshot);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

export function uiLanguage(): Language {
  return vscode.env.language.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

function labStrings(): LabStrings {
  return {
    title: vscode.l10n.t('Lab Results'),
    empty: vscode.l10n.t('No lab has run yet.'),
    runLab: vscode.l10n.t('Run a Lab…'),
    claim: vscode.l10n.t('Claim:'),
    confirmed: vscode.l10n.t('Shown'),
    notShown: vscode.l10n.t('Not shown this run'),
    figures: vscode.l10n.t('Measured'),
    notes: vscode.l10n.t('Notes'),
    openTimeline: vscode.l10n.t('Open Timeline'),
    openWalkthrough: vscode.l10n.t('Open the Walkthrough Step'),
    runAgain: vscode.l10n.t('Run Again'),
    meta: vscode.l10n.t('Finished at {0} after {1}, on channel "{2}", from {3} lifecycle events.'),
    previous: vscode.l10n.t('Labs run in this window'),
  };
}
