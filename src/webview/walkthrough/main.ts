// The walkthrough panel's page. It asks the host for a snapshot (`ready`), renders the current
// step or the pattern table in the chosen language, and reports navigation, predictions and button
// presses back. Every host message is checked against the shared protocol before it is read; all
// text reaches the DOM through textContent (lesson text, source lines, error messages alike).
import './walkthrough.css';
import { check } from '../../shared/protocol';
import { choiceFor, format, type Language, type UiKey, type UiStrings } from '../../shared/lessons';
import {
  HostMessage,
  type LiveView,
  type MeasurementView,
  type PageMessage,
  type PatternView,
  type Snapshot,
  type StepView,
} from '../../shared/walkthroughProtocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Tab = 'steps' | 'patterns';

const vscode = acquireVsCodeApi();
const post = (message: PageMessage) => vscode.postMessage(message);

const state: {
  snapshot?: Snapshot;
  index: number;
  language: Language;
  tab: Tab;
  /** Choices selected but not yet locked in, per step. */
  pending: Map<string, number>;
  /** Steps whose prediction the learner chose to skip (this page's life only). */
  skipped: Set<string>;
  /** Errors of non-measured buttons, per step and action. */
  errors: Map<string, string>;
} = {
  index: 0,
  language: 'en',
  tab: readSavedTab(),
  pending: new Map(),
  skipped: new Set(),
  errors: new Map(),
};

function readSavedTab(): Tab {
  const saved = vscode.getState() as { tab?: unknown } | undefined;
  return saved?.tab === 'patterns' ? 'patterns' : 'steps';
}

// ── DOM helpers ──

type Child = Node | string | null | undefined | false;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

function button(label: string, attrs: Record<string, string>, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** Lesson text with `code` and *emphasis*, built from text nodes only. */
function rich(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  text.split(/(`[^`]+`)/).forEach((part) => {
    if (part.startsWith('`') && part.endsWith('`') && part.length > 2) {
      fragment.append(el('code', {}, part.slice(1, -1)));
      return;
    }
    part.split(/(\*[^*\s][^*]*\*)/).forEach((piece) => {
      if (piece.length > 2 && piece.startsWith('*') && piece.endsWith('*')) fragment.append(el('em', {}, piece.slice(1, -1)));
      else if (piece) fragment.append(document.createTextNode(piece));
    });
  });
  return fragment;
}

function ui(key: UiKey, values: Record<string, string | number> = {}): string {
  const strings: UiStrings | undefined = state.snapshot?.ui[state.language];
  return strings ? format(strings[key], values) : key;
}

const root = el('div', { id: 'app', class: 'app' });
document.body.append(root);

// ── rendering ──

function render(): void {
  const snap = state.snapshot;
  root.replaceChildren();
  document.documentElement.lang = state.language;
  if (!snap) {
    root.append(el('p', { class: 'loading' }, 'Loading…'));
    return;
  }
  root.append(renderHeader());
  const panel = el('div', { class: 'tabpanel', role: 'tabpanel', id: `panel-${state.tab}`, 'aria-labelledby': `tab-${state.tab}` });
  panel.append(state.tab === 'steps' ? renderStep(snap.steps[state.index]!) : renderPatterns(snap.patterns));
  root.append(panel);
}

function renderHeader(): HTMLElement {
  const tab = (id: Tab, label: string) => {
    const b = button(label, { id: `tab-${id}`, role: 'tab', 'aria-selected': String(state.tab === id), 'aria-controls': `panel-${id}`, class: 'tab' }, () => {
      state.tab = id;
      vscode.setState({ tab: id });
      render();
    });
    return b;
  };
  const select = el('select', { id: 'language', 'aria-label': ui('language') });
  for (const [value, label] of [['en', 'English'], ['ja', '日本語']] as const) {
    const option = el('option', { value }, label);
    option.selected = value === state.language;
    select.append(option);
  }
  select.addEventListener('change', () => {
    const language = select.value === 'ja' ? 'ja' : 'en';
    state.language = language;
    post({ type: 'setLanguage', language });
    render();
  });
  return el(
    'header',
    { class: 'header' },
    el('h1', { class: 'title' }, ui('title')),
    el('div', { class: 'tabs', role: 'tablist' }, tab('steps', ui('tabSteps')), tab('patterns', ui('tabPatterns'))),
    el('label', { class: 'language' }, el('span', {}, ui('language')), select),
  );
}

function renderNav(): HTMLElement {
  const snap = state.snapshot!;
  const total = snap.steps.length;
  const list = el('select', { id: 'step-list', 'aria-label': ui('stepsList') });
  snap.steps.forEach((step, i) => {
    const option = el('option', { value: String(i) }, `${i + 1}. ${step.spec.text[state.language].title}`);
    option.selected = i === state.index;
    list.append(option);
  });
  list.addEventListener('change', () => goTo(Number(list.value)));
  const back = button(ui('back'), { id: 'back', class: 'secondary' }, () => goTo(state.index - 1));
  back.disabled = state.index === 0;
  const next = button(ui('next'), { id: 'next' }, () => goTo(state.index + 1));
  next.disabled = state.index >= total - 1;
  return el(
    'nav',
    { class: 'step-nav' },
    back,
    el('span', { class: 'step-count', id: 'step-count' }, ui('stepOf', { n: state.index + 1, total })),
    list,
    next,
    el('span', { class: 'hint' }, ui('keyboardHint')),
  );
}

function renderStep(step: StepView): HTMLElement {
  const text = step.spec.text[state.language];
  const section = el('section', { class: 'step', id: 'step', 'data-step': step.spec.id });
  section.append(renderNav(), el('h2', { id: 'step-title' }, text.title));
  const body = el('div', { class: 'body' });
  for (const paragraph of text.body) body.append(el('p', {}, rich(paragraph)));
  section.append(body);

  section.append(renderCode(step, 'ts'), renderCode(step, 'py'));
  section.append(el('div', { class: 'observe callout' }, el('h3', {}, ui('observeHeading')), el('p', {}, rich(text.observe))));
  if (step.spec.live) {
    section.append(el('div', { class: 'live callout' }, el('h3', {}, ui('liveHeading')), el('p', { id: 'live-figure', 'aria-live': 'polite' }, liveText(step))));
  }
  if (step.spec.predict && text.predict) section.append(renderPredict(step));
  if (step.spec.actions.length) section.append(renderActions(step));
  return section;
}

function renderCode(step: StepView, source: 'ts' | 'py'): HTMLElement {
  const ref = step.code[source];
  const box = el('div', { class: `code code-${source}`, id: `code-${source}` });
  box.append(el('h3', {}, ui(source === 'ts' ? 'tsHeading' : 'pyHeading')));
  const show = button(ui('showInEditor'), { class: 'link', 'data-reveal': source }, () => post({ type: 'reveal', owner: 'step', id: step.spec.id, source }));
  if (!ref.ok) {
    box.append(el('p', { class: 'error' }, ui('anchorMissing', { file: ref.file, reason: ref.reason })));
    return box;
  }
  box.append(el('p', { class: 'where' }, el('span', {}, ui('linesLabel', { file: ref.file, from: ref.from, to: ref.to })), ' ', show));
  if (source === 'py') {
    const pre = el('pre', { class: 'listing' });
    const width = String(ref.to).length;
    ref.lines.forEach((line, i) => {
      pre.append(el('span', { class: 'ln' }, String(ref.from + i).padStart(width, ' ')), el('span', { class: 'src' }, line), '\n');
    });
    box.append(pre);
  }
  return box;
}

function renderPredict(step: StepView): HTMLElement {
  const text = step.spec.text[state.language].predict!;
  const locked = state.snapshot!.predictions[step.spec.id];
  const box = el('div', { class: 'predict callout', id: 'predict' }, el('h3', {}, ui('predictHeading')), el('p', { class: 'question' }, rich(text.question)));
  if (locked !== undefined) {
    box.append(el('p', { class: 'predicted', id: 'predicted' }, ui('youPredicted', { choice: text.choices[locked] ?? '?' })));
    box.append(button(ui('predictChange'), { class: 'link', id: 'predict-change' }, () => setPrediction(step.spec.id, null)));
  } else {
    const group = el('div', { class: 'choices', role: 'radiogroup' });
    text.choices.forEach((choice, i) => {
      const input = el('input', { type: 'radio', name: `choice-${step.spec.id}`, value: String(i), id: `choice-${i}` });
      input.checked = state.pending.get(step.spec.id) === i;
      input.addEventListener('change', () => {
        state.pending.set(step.spec.id, i);
        lock.disabled = false;
      });
      group.append(el('label', { class: 'choice', for: `choice-${i}` }, input, el('span', {}, choice)));
    });
    const lock = button(ui('predictLock'), { id: 'predict-lock' }, () => {
      const choice = state.pending.get(step.spec.id);
      if (choice !== undefined) setPrediction(step.spec.id, choice);
    });
    lock.disabled = !state.pending.has(step.spec.id);
    box.append(group, el('div', { class: 'row' }, lock, state.skipped.has(step.spec.id) ? null : button(ui('predictSkip'), { class: 'link', id: 'predict-skip' }, () => {
      state.skipped.add(step.spec.id);
      render();
    })));
    box.append(el('p', { class: 'hint' }, ui('predictFirst')));
  }
  box.append(el('div', { id: 'measurement', 'aria-live': 'polite' }, ...measurementNodes(step)));
  return box;
}

function measurementNodes(step: StepView): Node[] {
  const m: MeasurementView | undefined = state.snapshot!.measurements[step.spec.id];
  const spec = step.spec.predict;
  const text = step.spec.text[state.language].predict;
  if (!m || !spec || !text) return [];
  const nodes: Node[] = [el('p', { class: `measured ${m.status}`, id: 'measured' }, measurementText(m))];
  if (m.status === 'done' && m.value !== undefined) {
    const right = choiceFor(spec, m.value);
    const predicted = state.snapshot!.predictions[step.spec.id];
    let verdict: string;
    if (right < 0) verdict = ui('predictNone');
    else if (predicted === right) verdict = ui('predictRight');
    else verdict = ui('predictWrong', { choice: text.choices[right] ?? '?' });
    nodes.push(el('p', { class: `verdict ${predicted === right ? 'right' : 'other'}`, id: 'verdict' }, verdict));
    nodes.push(el('p', { class: 'explain' }, rich(text.explain)));
  }
  return nodes;
}

function measurementText(m: MeasurementView): string {
  switch (m.status) {
    case 'running':
      return ui('measuring', { finished: m.finished, total: m.total });
    case 'timeout':
      return ui('measureTimeout', { seconds: Math.round((m.timeoutMs ?? 0) / 1000) });
    case 'failed':
      return ui('measureFailed', { reason: m.reason ?? '' });
    case 'done': {
      let line: string;
      if (m.measure === 'makespan') line = ui('measuredMakespan', { total: m.total, seconds: ((m.makespanMs ?? 0) / 1000).toFixed(2) });
      else if (m.measure === 'peakRunning') line = ui('measuredPeak', { peak: m.peak ?? 0 });
      else if (m.value === 1) line = ui('measuredInOrder', { finished: (m.finishedOrder ?? []).join(', ') });
      else line = ui('measuredOutOfOrder', { published: (m.published ?? []).join(', '), finished: (m.finishedOrder ?? []).join(', ') });
      return m.workers > 1 ? `${line} ${ui('measuredWorkers', { workers: m.workers })}` : line;
    }
  }
}

function renderActions(step: StepView): HTMLElement {
  const text = step.spec.text[state.language];
  const box = el('div', { class: 'actions callout', id: 'actions' }, el('h3', {}, ui('tryHeading')));
  const row = el('div', { class: 'row' });
  const predictAction = step.spec.predict?.action;
  const waitingForPrediction =
    predictAction !== undefined && state.snapshot!.predictions[step.spec.id] === undefined && !state.skipped.has(step.spec.id);
  const measurement = state.snapshot!.measurements[step.spec.id];
  for (const action of step.spec.actions) {
    const measured = action.id === predictAction;
    const label = measured && measurement && measurement.status !== 'running' ? `${text.actions[action.id]} — ${ui('runAgain')}` : text.actions[action.id]!;
    const b = button(label, { 'data-action': action.id, class: action.type === 'publish' ? 'primary' : 'secondary' }, () => {
      state.errors.delete(`${step.spec.id}/${action.id}`);
      post({ type: 'runAction', stepId: step.spec.id, actionId: action.id });
    });
    b.disabled = measured && (waitingForPrediction || measurement?.status === 'running');
    row.append(b);
  }
  box.append(row);
  for (const action of step.spec.actions) {
    const error = state.errors.get(`${step.spec.id}/${action.id}`);
    if (error) box.append(el('p', { class: 'error' }, error));
  }
  return box;
}

function liveText(step: StepView): string {
  const live: LiveView = state.snapshot!.live;
  if (live.workersOnline === 0 && step.spec.live !== 'cores') return ui('live.noWorker');
  switch (step.spec.live) {
    case 'workers':
      return ui('live.workers', { n: live.workersOnline, inFlight: live.inFlight });
    case 'inFlight':
      return ui('live.inFlight', { n: live.inFlight });
    case 'sleeping':
      return ui('live.sleeping', { n: live.sleeping });
    case 'blocked':
      return ui('live.blocked', { n: live.blocked });
    case 'queued':
      return ui('live.queued', { n: live.queued, running: live.running });
    case 'cores':
      return live.cores.length ? ui('live.cores', { cores: live.cores.join(', '), last: live.lastCore ?? '?' }) : ui('live.noCores');
    default:
      return '';
  }
}

function renderPatterns(patterns: readonly PatternView[]): HTMLElement {
  const section = el('section', { class: 'patterns', id: 'patterns' }, el('p', { class: 'intro' }, ui('patternsIntro')));
  const head = el('tr', {}, ...(['col.pattern', 'col.idea', 'col.seed', 'col.ours', 'col.code'] as const).map((k) => el('th', { scope: 'col' }, ui(k))));
  const body = el('tbody', {});
  for (const pattern of patterns) {
    const t = pattern.spec.text[state.language];
    const links = el('td', { class: 'links' });
    for (const source of ['ts', 'py'] as const) {
      const ref = pattern.code[source];
      if (!ref) continue;
      if (!ref.ok) {
        links.append(el('span', { class: 'error', title: ref.reason }, `${ui(source === 'ts' ? 'jumpTs' : 'jumpPy')} ?`));
        continue;
      }
      const link = button(`${ui(source === 'ts' ? 'jumpTs' : 'jumpPy')} ${ref.from}–${ref.to}`, { class: 'link', 'data-pattern': pattern.spec.id, 'data-source': source }, () =>
        post({ type: 'reveal', owner: 'pattern', id: pattern.spec.id, source }),
      );
      links.append(link);
    }
    if (!links.childNodes.length) links.append(ui('noCode'));
    body.append(
      el(
        'tr',
        { 'data-pattern-row': pattern.spec.id },
        el('th', { scope: 'row' }, t.name),
        el('td', {}, rich(t.idea)),
        el('td', {}, badge(pattern.spec.seed), ' ', rich(t.seed)),
        el('td', {}, badge(pattern.spec.ours), ' ', rich(t.ours)),
        links,
      ),
    );
  }
  const columns = el('colgroup', {}, ...['pattern', 'idea', 'seed', 'ours', 'code'].map((c) => el('col', { class: `c-${c}` })));
  section.append(el('table', { class: 'pattern-table', id: 'pattern-table' }, columns, el('thead', {}, head), body));
  return section;
}

function badge(match: 'strong' | 'weak' | 'none'): HTMLElement {
  return el('span', { class: `badge ${match}` }, ui(`match.${match}`));
}

// ── behaviour ──

/** Predictions live in the host (they survive the panel); the page shows them at once. */
function setPrediction(stepId: string, choice: number | null): void {
  const predictions = state.snapshot!.predictions;
  if (choice === null) delete predictions[stepId];
  else predictions[stepId] = choice;
  post({ type: 'predict', stepId, choice });
  render();
}

function goTo(index: number): void {
  const snap = state.snapshot;
  if (!snap) return;
  const next = Math.max(0, Math.min(snap.steps.length - 1, index));
  if (next === state.index && state.tab === 'steps') return;
  state.index = next;
  state.tab = 'steps';
  post({ type: 'goToStep', stepId: snap.steps[next]!.spec.id });
  render();
  document.getElementById('step-title')?.scrollIntoView({ block: 'nearest' });
}

document.addEventListener('keydown', (event) => {
  if (!state.snapshot || state.tab !== 'steps' || event.altKey || event.ctrlKey || event.metaKey) return;
  const target = event.target as HTMLElement | null;
  if (target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return;
  switch (event.key) {
    case 'ArrowRight':
    case 'PageDown':
      goTo(state.index + 1);
      break;
    case 'ArrowLeft':
    case 'PageUp':
      goTo(state.index - 1);
      break;
    case 'Home':
      goTo(0);
      break;
    case 'End':
      goTo(state.snapshot.steps.length - 1);
      break;
    default:
      return;
  }
  event.preventDefault();
});

function updateLive(): void {
  const figure = document.getElementById('live-figure');
  const step = state.snapshot?.steps[state.index];
  if (figure && step) figure.textContent = liveText(step);
}

function updateMeasurement(stepId: string): void {
  const step = state.snapshot?.steps[state.index];
  if (!step || step.spec.id !== stepId || state.tab !== 'steps') return;
  render();
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = check(HostMessage, event.data);
  if (!message.ok) {
    console.warn(`walkthrough: ignored a message from the host: ${message.reason}`);
    return;
  }
  const m = message.value;
  switch (m.type) {
    case 'snapshot': {
      state.snapshot = m;
      state.language = m.language;
      const index = m.steps.findIndex((s) => s.spec.id === m.stepId);
      state.index = index >= 0 ? index : 0;
      render();
      return;
    }
    case 'live':
      if (state.snapshot) {
        state.snapshot.live = m.live;
        updateLive();
      }
      return;
    case 'measurement':
      if (state.snapshot) {
        state.snapshot.measurements[m.stepId] = m.measurement;
        updateMeasurement(m.stepId);
      }
      return;
    case 'showStep': {
      const index = state.snapshot?.steps.findIndex((s) => s.spec.id === m.stepId) ?? -1;
      if (index >= 0) {
        state.index = index;
        state.tab = 'steps';
        render();
      }
      return;
    }
    case 'actionResult':
      if (!m.ok && m.error) state.errors.set(`${m.stepId}/${m.actionId}`, m.error);
      else state.errors.delete(`${m.stepId}/${m.actionId}`);
      if (state.snapshot?.steps[state.index]?.spec.id === m.stepId) render();
      return;
  }
});

render();
post({ type: 'ready' });
