// The live lens: above the lines of worker.ts where tasks are right now, a CodeLens such as
// "37 tasks awaiting here", in every editor that shows the worker source (our read-only view, or
// the real file in this extension's own repository). A CodeLens sits at the line's indentation, so
// it stays visible in a narrow editor, where text after a long line would be cut off. Fed by the
// task model; refreshed at most ten times a second, and only when a text changed.
import * as vscode from 'vscode';
import { resolvePoint } from '../../shared/lessons';
import type { TaskModel } from '../../shared/taskModel';
import { LENS_POINTS, countLive, lensTexts, type LensPointId, type Translate } from './lensCounts';
import { SOURCE_SCHEME, WORKER_TS, isWorkerSource } from './sourceDocuments';

const MIN_INTERVAL_MS = 100;

const translate: Translate = (message, ...args) => vscode.l10n.t(message, ...args);

/** The documents the lens shows in: our read-only view and a checkout's real file. */
export const LENS_SELECTOR: vscode.DocumentSelector = [
  { scheme: SOURCE_SCHEME, pattern: `**/${WORKER_TS}` },
  { scheme: 'file', pattern: `**/${WORKER_TS}` },
];

export class LiveLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly _onDidChangeCodeLenses = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this._onDidChangeCodeLenses.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** Lens lines per document version, so a refresh does not search the text again. */
  private readonly lines = new Map<string, { version: number; lines: Partial<Record<LensPointId, number>> }>();
  private timer: NodeJS.Timeout | undefined;
  private lastRun = 0;
  private lastTexts = '';
  private disposed = false;

  constructor(
    private readonly model: TaskModel,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this._onDidChangeCodeLenses,
      model.onDidChange(() => this.schedule()),
      vscode.workspace.onDidCloseTextDocument((d) => this.lines.delete(d.uri.toString())),
      vscode.languages.registerCodeLensProvider(LENS_SELECTOR, this),
      // VS Code asks an editor that has no focus for its lenses only when the provider signals a
      // change (a pending request is cancelled when the editor loses focus, e.g. to the
      // walkthrough panel): signal one whenever the worker source comes into view or scrolls.
      vscode.window.onDidChangeVisibleTextEditors((editors) => {
        if (editors.some((e) => isWorkerSource(e.document))) this._onDidChangeCodeLenses.fire();
      }),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        if (isWorkerSource(e.textEditor.document)) this._onDidChangeCodeLenses.fire();
      }),
    );
  }

  /** Coalesces model changes: at most one refresh per ~100 ms, none if no text changed. */
  schedule(): void {
    if (this.timer || this.disposed) return;
    const wait = Math.max(0, this.lastRun + MIN_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastRun = Date.now();
      const texts = JSON.stringify(lensTexts(countLive(this.model), translate));
      if (texts === this.lastTexts) return;
      this.lastTexts = texts;
      if (vscode.window.visibleTextEditors.some((e) => isWorkerSource(e.document))) this._onDidChangeCodeLenses.fire();
    }, wait);
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!isWorkerSource(document)) return [];
    return this.texts(document).map(
      ({ line, text }) => new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { title: `$(pulse) ${text}`, command: '' }),
    );
  }

  /** What the lens shows now, line by line (0-based), for one document. */
  texts(document: vscode.TextDocument): Array<{ line: number; text: string }> {
    const lines = this.linesOf(document);
    const texts = lensTexts(countLive(this.model), translate);
    this.lastTexts = JSON.stringify(texts);
    const result: Array<{ line: number; text: string }> = [];
    for (const [id, text] of Object.entries(texts) as Array<[LensPointId, string]>) {
      const line = lines[id];
      if (line !== undefined && text) result.push({ line, text });
    }
    return result.sort((a, b) => a.line - b.line);
  }

  private linesOf(document: vscode.TextDocument): Partial<Record<LensPointId, number>> {
    const key = document.uri.toString();
    const cached = this.lines.get(key);
    if (cached?.version === document.version) return cached.lines;
    const text = document.getText();
    const lines: Partial<Record<LensPointId, number>> = {};
    for (const [id, point] of Object.entries(LENS_POINTS) as Array<[LensPointId, (typeof LENS_POINTS)[LensPointId]]>) {
      const found = resolvePoint(text, point);
      if (found.ok) lines[id] = found.value;
      else this.log.warn(`walkthrough lens: ${id}: ${found.reason}`);
    }
    this.lines.set(key, { version: document.version, lines });
    return lines;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
