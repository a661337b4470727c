// The worker's shipped source, opened read-only. The documents of the `concurrency-lab-source:`
// scheme are the bytes of the files the extension ships (src/worker/*.ts, media/python/*.py), read
// from the extension folder each time VS Code asks — not a copy kept in a string. A content
// provider's documents cannot be edited, and the TypeScript service leaves this scheme alone, so the
// learner sees the running code without red squiggles for modules the .vsix does not ship.
import * as vscode from 'vscode';
import { isAllowedSourceFile, type SourceKind } from '../../shared/lessons';

export const SOURCE_SCHEME = 'concurrency-lab-source';
export const WORKER_TS = 'src/worker/worker.ts';

export function sourceUri(file: string): vscode.Uri {
  return vscode.Uri.from({ scheme: SOURCE_SCHEME, path: `/${file}` });
}

/** The shipped file a `concurrency-lab-source:` URI stands for, if it is one we serve. */
export function shippedFileOf(uri: vscode.Uri): { kind: SourceKind; file: string } | undefined {
  if (uri.scheme !== SOURCE_SCHEME) return undefined;
  const file = uri.path.replace(/^\/+/, '');
  if (isAllowedSourceFile('ts', file)) return { kind: 'ts', file };
  if (isAllowedSourceFile('py', file)) return { kind: 'py', file };
  return undefined;
}

/** True for the worker source in our read-only view, or the real file (in this extension's own repository). */
export function isWorkerSource(document: vscode.TextDocument): boolean {
  if (document.uri.scheme === SOURCE_SCHEME) return shippedFileOf(document.uri)?.file === WORKER_TS;
  return document.uri.scheme === 'file' && document.uri.path.endsWith(`/${WORKER_TS}`);
}

export class WorkerSourceProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this._onDidChange.event;
  private readonly watcher: vscode.FileSystemWatcher;

  constructor(private readonly extensionUri: vscode.Uri) {
    // When the files change under a development host, the open views follow.
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(extensionUri, '{src/worker/*.ts,media/python/*.py}'));
    const changed = (uri: vscode.Uri) => {
      const file = uri.path.slice(extensionUri.path.replace(/\/$/, '').length + 1);
      this._onDidChange.fire(sourceUri(file));
    };
    this.watcher.onDidChange(changed);
    this.watcher.onDidCreate(changed);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const shipped = shippedFileOf(uri);
    if (!shipped) throw new Error(`not a Concurrency Lab source: ${uri.toString()}`);
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.extensionUri, ...shipped.file.split('/')));
    return new TextDecoder('utf-8').decode(bytes);
  }

  dispose(): void {
    this.watcher.dispose();
    this._onDidChange.dispose();
  }
}
