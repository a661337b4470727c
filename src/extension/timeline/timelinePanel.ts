// The timeline's WebviewPanel: opens beside the editor, loads the page from dist/webview under a
// strict CSP, and connects it to the store through a TimelineChannel.
import * as vscode from 'vscode';
import type { TimelineStore } from '../../shared/timelineModel';
import type { Services } from '../services';
import { makeNonce, renderWebviewHtml } from '../webviewHtml';
import { timelineStrings } from './strings';
import { TimelineChannel } from './timelineChannel';

export const TIMELINE_VIEW_TYPE = 'concurrencyLab.timeline';

export class TimelinePanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  readonly channel: TimelineChannel;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    services: Services,
    store: TimelineStore,
    private readonly onDidDispose: () => void,
  ) {
    const { context, log } = services;
    const webviewRoot = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
    // esbuild.mjs copies codicon.css and codicon.ttf here; the .vsix ships them.
    const codiconsRoot = vscode.Uri.joinPath(context.extensionUri, 'dist', 'codicons');
    const strings = () => timelineStrings((message, ...args) => vscode.l10n.t(message, ...args));
    this.panel = vscode.window.createWebviewPanel(
      TIMELINE_VIEW_TYPE,
      strings().title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      {
        enableScripts: true,
        localResourceRoots: [webviewRoot, codiconsRoot],
        // The page rebuilds itself from a snapshot when shown again; no need to keep it alive.
        retainContextWhenHidden: false,
      },
    );
    this.panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.svg');
    const webview = this.panel.webview;
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'timeline.js')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(codiconsRoot, 'codicon.css')).toString(), webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'timeline.css')).toString()],
      lang: vscode.env.language,
      title: strings().title,
    });
    const panel = this.panel;
    this.channel = new TimelineChannel(store, {
      post: (message) => webview.postMessage(message),
      get visible() {
        return panel.visible;
      },
      execute: (command, ...args) => vscode.commands.executeCommand(command, ...args),
      strings,
      locale: vscode.env.language,
      log,
      now: () => Date.now(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => this.channel.receive(message)),
      this.panel.onDidChangeViewState(() => this.channel.visibilityChanged()),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.channel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.onDidDispose();
  }
}
