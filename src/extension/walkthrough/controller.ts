// The walkthrough panel's host: opens the panel beside the worker's read-only source, highlights
// each step's lines, answers the page (one schema per message, checked on arrival), runs the
// step buttons, measures prediction runs from the task model, and keeps the learner's place.
import * as vscode from 'vscode';
import { z } from 'zod';
import { Language, anchorFile, languageFor, resolveAnchor, type Anchor, type Lessons, type SourceKind, type StepAction, type StepSpec } from '../../shared/lessons';
import { check, newJob, type JobCreated } from '../../shared/protocol';
import { errorMessage } from '../../shared/log';
import { MeasurementView, PageMessage, type HostMessage, type LiveView, type PatternView, type Snapshot, type StepView } from '../../shared/walkthroughProtocol';
import type { Services } from '../services';
import { makeNonce, renderWebviewHtml } from '../webviewHtml';
import { CoreTracker, liveView } from './lensCounts';
import { loadLessons, readSource } from './lessonFiles';
import { evaluateRun, tasksOfRun, type TrackedRun } from './measure';
import { sourceUri } from './sourceDocuments';
import { buildViews, sourceFiles } from './views';

export const PANEL_VIEW_TYPE = 'concurrencyLab.walkthrough';
const STATE_KEY = 'concurrencyLab.walkthrough.state';
const LIVE_INTERVAL_MS = 100;
/** A measured run gives up this long after its jobs should have finished. */
const MEASURE_GRACE_MS = 15_000;

/** What survives closing the panel and restarting VS Code. */
const SavedState = z.object({
  stepId: z.string().optional(),
  language: Language.optional(),
  predictions: z.record(z.number().int().nonnegative()).default({}),
  measurements: z.record(MeasurementView).default({}),
});
type SavedState = z.infer<typeof SavedState>;

interface ActiveRun {
  readonly stepId: string;
  readonly run: TrackedRun;
  readonly timer: NodeJS.Timeout;
}

export class WalkthroughController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private lessons: Lessons | undefined;
  private views: { steps: StepView[]; patterns: PatternView[] } | undefined;
  private state: SavedState;
  private readonly runs = new Map<string, ActiveRun>();
  private runCounter = 0;
  private jobCounter = 0;
  private readonly cores = new CoreTracker();
  private liveTimer: NodeJS.Timeout | undefined;
  private lastLiveRun = 0;
  private lastLive = '';
  private readonly highlight = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.rangeHighlightForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
  });
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services) {
    const saved = SavedState.safeParse(services.context.globalState.get(STATE_KEY) ?? {});
    this.state = saved.success ? saved.data : SavedState.parse({});
    // A run that was still being measured when VS Code closed can never finish now.
    for (const [stepId, m] of Object.entries(this.state.measurements)) if (m.status === 'running') delete this.state.measurements[stepId];
    this.disposables.push(
      this.highlight,
      services.model.onDidChange(({ events }) => {
        this.cores.observe(events);
        if (this.runs.size || this.panel?.visible) this.scheduleLive();
      }),
    );
  }

  get currentStepId(): string | undefined {
    return this.state.stepId;
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Opens (or reveals) the panel, on the saved step or on `stepId`. */
  async open(stepId?: string): Promise<void> {
    if (!this.lessons || !this.panel) {
      const loaded = await this.load();
      if (!loaded) return;
    }
    const steps = this.views!.steps;
    const wanted = stepId && steps.some((s) => s.spec.id === stepId) ? stepId : this.state.stepId;
    const step = steps.find((s) => s.spec.id === wanted) ?? steps[0]!;
    this.state.stepId = step.spec.id;
    void this.save();

    // The source first, so that the panel opens beside it.
    await this.showStepSource(step.spec, this.panel ? undefined : vscode.ViewColumn.One);
    if (this.panel) {
      this.panel.reveal(undefined, false);
      this.post({ type: 'showStep', stepId: step.spec.id });
      return;
    }
    this.createPanel();
  }

  private async load(): Promise<boolean> {
    const root = this.services.context.extensionUri.fsPath;
    const lessons = await loadLessons(root);
    if (!lessons.ok) {
      this.services.log.error(`walkthrough: the lesson data is invalid: ${lessons.reason}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('The walkthrough cannot start: its lesson data is invalid ({0}).', lessons.reason));
      return false;
    }
    const sources = new Map<string, string>();
    for (const { kind, file } of sourceFiles(lessons.value)) {
      try {
        sources.set(file, await readSource(root, kind, file));
      } catch (error) {
        this.services.log.warn(`walkthrough: cannot read ${file}: ${errorMessage(error)}`);
      }
    }
    this.lessons = lessons.value;
    this.views = buildViews(lessons.value, sources);
    for (const view of [...this.views.steps, ...this.views.patterns]) {
      for (const [kind, ref] of Object.entries(view.code)) {
        if (ref && !ref.ok) this.services.log.warn(`walkthrough: ${view.spec.id} (${kind}): ${ref.reason}`);
      }
    }
    return true;
  }

  private createPanel(): void {
    const { extensionUri } = this.services.context;
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      vscode.l10n.t('Concurrency Lab Walkthrough'),
      { viewColumn: vscode.ViewColumn.Two, preserveFocus: false },
      {
        enableScripts: true,
        enableCommandUris: false,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
      },
    );
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    const webview = panel.webview;
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'walkthrough.js')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'walkthrough.css')).toString()],
      lang: this.language(),
      title: vscode.l10n.t('Concurrency Lab Walkthrough'),
    });
    const subscriptions = [
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      // A hidden page is torn down and sends `ready` again when shown; nothing to do here but log.
      panel.onDidChangeViewState(() => this.services.log.trace(`walkthrough panel ${panel.visible ? 'shown' : 'hidden'}`)),
    ];
    panel.onDidDispose(() => {
      subscriptions.forEach((s) => s.dispose());
      this.panel = undefined;
      this.clearHighlights();
    });
    this.panel = panel;
  }

  private language(): Language {
    return this.state.language ?? languageFor(vscode.env.language);
  }

  // ── page → host ──

  private onMessage(raw: unknown): void {
    const message = check(PageMessage, raw);
    if (!message.ok) {
      this.services.log.warn(`walkthrough: ignored a message from the panel: ${message.reason}`);
      return;
    }
    const m = message.value;
    switch (m.type) {
      case 'ready':
        this.post(this.snapshot());
        return;
      case 'goToStep':
        void this.goTo(m.stepId);
        return;
      case 'setLanguage':
        // Kept only as an override: switching back to the display language follows it again.
        this.state.language = m.language === languageFor(vscode.env.language) ? undefined : m.language;
        void this.save();
        return;
      case 'predict':
        if (m.choice === null) delete this.state.predictions[m.stepId];
        else this.state.predictions[m.stepId] = m.choice;
        void this.save();
        return;
      case 'runAction':
        void this.runAction(m.stepId, m.actionId);
        return;
      case 'reveal':
        void this.reveal(m.owner, m.id, m.source);
        return;
    }
  }

  private snapshot(): Snapshot {
    return {
      type: 'snapshot',
      language: this.language(),
      stepId: this.state.stepId ?? this.views!.steps[0]!.spec.id,
      steps: this.views!.steps,
      patterns: this.views!.patterns,
      ui: this.lessons!.ui,
      predictions: { ...this.state.predictions },
      measurements: { ...this.state.measurements },
      live: this.live(),
    };
  }

  private post(message: HostMessage): void {
    if (this.panel?.visible) void this.panel.webview.postMessage(message);
  }

  async goTo(stepId: string): Promise<void> {
    const step = this.lessons?.steps.find((s) => s.id === stepId);
    if (!step) {
      this.services.log.warn(`walkthrough: no step "${stepId}"`);
      return;
    }
    this.state.stepId = stepId;
    void this.save();
    await this.showStepSource(step);
  }

  // ── the source editor ──

  /** Shows a step's worker.ts lines, highlighted and revealed, beside the panel. */
  private async showStepSource(step: StepSpec, column?: vscode.ViewColumn): Promise<void> {
    await this.showLines('ts', step.code.ts, column);
  }

  private async reveal(owner: 'step' | 'pattern', id: string, source: SourceKind): Promise<void> {
    const spec = owner === 'step' ? this.lessons?.steps.find((s) => s.id === id) : this.lessons?.patterns.find((p) => p.id === id);
    const anchor = spec?.code[source];
    if (!anchor) {
      this.services.log.warn(`walkthrough: nothing to reveal for ${owner} ${id} (${source})`);
      return;
    }
    await this.showLines(source, anchor);
  }

  private async showLines(kind: SourceKind, anchor: Anchor, column?: vscode.ViewColumn): Promise<vscode.TextEditor | undefined> {
    const file = anchorFile(kind, anchor);
    const uri = sourceUri(file);
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
      const viewColumn = column ?? visible?.viewColumn ?? this.sourceColumn();
      const editor = await vscode.window.showTextDocument(document, { viewColumn, preserveFocus: true, preview: false });
      const range = resolveAnchor(document.getText(), anchor);
      if (!range.ok) {
        this.services.log.warn(`walkthrough: ${file}: ${range.reason}`);
        editor.setDecorations(this.highlight, []);
        return editor;
      }
      const lines = new vscode.Range(range.value.startLine, 0, range.value.endLine, document.lineAt(range.value.endLine).text.length);
      this.clearHighlights();
      editor.setDecorations(this.highlight, [lines]);
      // Column 0 at both ends: reveal the lines without scrolling sideways to the end of a long one.
      editor.revealRange(new vscode.Range(range.value.startLine, 0, range.value.endLine, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      return editor;
    } catch (error) {
      this.services.log.error(`walkthrough: cannot open ${file}: ${errorMessage(error)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot open {0}: {1}', file, errorMessage(error)));
      return undefined;
    }
  }

  /** The column beside the panel. */
  private sourceColumn(): vscode.ViewColumn {
    return this.panel?.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
  }

  private clearHighlights(): void {
    for (const editor of vscode.window.visibleTextEditors) editor.setDecorations(this.highlight, []);
  }

  // ── step buttons ──

  async runAction(stepId: string, actionId: string): Promise<void> {
    const step = this.lessons?.steps.find((s) => s.id === stepId);
    const action = step?.actions.find((a) => a.id === actionId);
    if (!step || !action) {
      this.services.log.warn(`walkthrough: no action ${stepId}/${actionId}`);
      return;
    }
    const measured = step.predict?.action === action.id;
    try {
      await this.perform(step, action, measured);
      if (!measured) this.post({ type: 'actionResult', stepId, actionId, ok: true });
    } catch (error) {
      const reason = errorMessage(error);
      this.services.log.warn(`walkthrough: ${stepId}/${actionId}: ${reason}`);
      if (measured) this.finishRun(stepId, { runId: ++this.runCounter, measure: step.predict!.measure, status: 'failed', total: 0, finished: 0, workers: 0, reason });
      else this.post({ type: 'actionResult', stepId, actionId, ok: false, error: reason });
    }
  }

  private async perform(step: StepSpec, action: StepAction, measured: boolean): Promise<void> {
    switch (action.type) {
      case 'command':
        await vscode.commands.executeCommand(action.command);
        return;
      case 'setting':
        await vscode.commands.executeCommand('workbench.action.openSettings', action.setting);
        return;
      case 'openSource':
        await this.showLines(action.source, step.code[action.source]);
        return;
      case 'publish': {
        const jobs = this.makeJobs(step.id, action);
        const { services } = this;
        const result = await services.publisher.publish(jobs);
        const delivery = services.settings.current.delivery;
        const received = result.receivers.reduce((a, b) => a + b, 0);
        if (delivery === 'pubsub' && received === 0) {
          throw new Error(vscode.l10n.t('Nobody received the jobs: no worker is subscribed to "{0}". Start the worker and try again.', services.settings.current.channel));
        }
        if (measured) this.track(step, result.jobs, delivery === 'pubsub' ? received : result.jobs.length);
        return;
      }
    }
  }

  /** The jobs of a publish button, numbered in publish order (`seq`) across its groups. */
  makeJobs(stepId: string, action: Extract<StepAction, { type: 'publish' }>): JobCreated[] {
    const jobs: JobCreated[] = [];
    const stamp = Date.now().toString(36);
    for (const group of action.jobs) {
      for (let i = 0; i < group.count; i++) {
        const [min, max] = group.randomDurationMs ?? [group.durationMs, group.durationMs];
        const seq = jobs.length;
        jobs.push(
          newJob({
            jobId: `wt-${stamp}-${++this.jobCounter}`,
            durationMs: min + Math.floor(Math.random() * (max - min + 1)),
            kind: group.kind,
            label: `${stepId} #${seq + 1}`,
            seq,
          }),
        );
      }
    }
    return jobs;
  }

  // ── measurements ──

  private track(step: StepSpec, jobs: readonly JobCreated[], expected: number): void {
    this.cancelRun(step.id);
    const longest = jobs.reduce((sum, j) => sum + j.durationMs, 0);
    const run: TrackedRun = {
      runId: ++this.runCounter,
      measure: step.predict!.measure,
      seqByJob: new Map(jobs.map((j) => [j.jobId, j.seq ?? 0])),
      expected,
      timeoutMs: longest + MEASURE_GRACE_MS,
    };
    const timer = setTimeout(() => {
      const current = this.evaluate(run);
      this.finishRun(step.id, { ...current, status: current.status === 'done' ? 'done' : 'timeout', timeoutMs: run.timeoutMs });
    }, run.timeoutMs);
    this.runs.set(step.id, { stepId: step.id, run, timer });
    this.state.measurements[step.id] = this.evaluate(run);
    this.post({ type: 'measurement', stepId: step.id, measurement: this.state.measurements[step.id]! });
    this.scheduleLive();
  }

  private evaluate(run: TrackedRun): MeasurementView {
    const { model } = this.services;
    return evaluateRun(run, tasksOfRun(run, [...model.activeTasks, ...model.finishedTasks]));
  }

  private finishRun(stepId: string, measurement: MeasurementView): void {
    this.cancelRun(stepId);
    this.state.measurements[stepId] = measurement;
    void this.save();
    this.post({ type: 'measurement', stepId, measurement });
  }

  private cancelRun(stepId: string): void {
    const active = this.runs.get(stepId);
    if (active) clearTimeout(active.timer);
    this.runs.delete(stepId);
  }

  /** The measurement of a step as the panel sees it (for tests and the e2e suite). */
  measurement(stepId: string): MeasurementView | undefined {
    return this.state.measurements[stepId];
  }

  // ── live figures, coalesced ──

  private scheduleLive(): void {
    if (this.liveTimer) return;
    const wait = Math.max(0, this.lastLiveRun + LIVE_INTERVAL_MS - Date.now());
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      this.lastLiveRun = Date.now();
      this.flushLive();
    }, wait);
  }

  private flushLive(): void {
    for (const { stepId, run } of [...this.runs.values()]) {
      const m = this.evaluate(run);
      const before = this.state.measurements[stepId];
      if (m.status === 'done') this.finishRun(stepId, m);
      else if (!before || before.finished !== m.finished || before.total !== m.total) {
        this.state.measurements[stepId] = m;
        this.post({ type: 'measurement', stepId, measurement: m });
      }
    }
    if (!this.panel?.visible) return;
    const live = this.live();
    const json = JSON.stringify(live);
    if (json === this.lastLive) return;
    this.lastLive = json;
    this.post({ type: 'live', live });
  }

  private live(): LiveView {
    return liveView(this.services.model, this.cores);
  }

  private async save(): Promise<void> {
    await this.services.context.globalState.update(STATE_KEY, this.state);
  }

  dispose(): void {
    clearTimeout(this.liveTimer);
    for (const stepId of [...this.runs.keys()]) this.cancelRun(stepId);
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
