// The lab result page. It asks the host for a snapshot (`ready`) and shows the chosen lab's result:
// the claim, the conclusion, the measured figures and tables, and links to the timeline and to the
// walkthrough step the lab illustrates. Every message is checked against the shared protocol first;
// every text reaches the DOM through textContent only.
import './labResult.css';
import { check } from '../../shared/protocol';
import { LabHostMessage, type LabPageMessage, type LabResultView, type LabSnapshotMessage, type LabStrings } from '../../shared/labProtocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: LabPageMessage) => vscode.postMessage(message);
let snapshot: LabSnapshotMessage | undefined;
let selected: string | undefined;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(label: string, icon: string, onClick: () => void, className = 'action'): HTMLButtonElement {
  const b = el('button', className);
  b.type = 'button';
  b.append(el('span', `codicon codicon-${icon}`), el('span', undefined, label));
  b.addEventListener('click', onClick);
  return b;
}

function format(template: string, ...values: string[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => values[Number(i)] ?? m);
}

function render(): void {
  const root = document.getElementById('root') ?? document.body.appendChild(Object.assign(el('main'), { id: 'root' }));
  root.replaceChildren();
  if (!snapshot) return;
  const { strings, results } = snapshot;
  document.documentElement.lang = snapshot.locale;

  const header = el('header', 'bar');
  header.append(el('h1', 'page-title', strings.title));
  if (results.length > 1) {
    const nav = el('nav', 'labs');
    nav.setAttribute('aria-label', strings.previous);
    for (const r of results) {
      const tab = el('button', r.labId === selected ? 'tab selected' : 'tab');
      tab.type = 'button';
      tab.dataset.labId = r.labId;
      tab.setAttribute('aria-pressed', String(r.labId === selected));
      tab.append(el('span', `codicon codicon-${r.confirmed ? 'pass' : 'circle-slash'}`), el('span', undefined, `${r.number}. ${r.title}`));
      tab.addEventListener('click', () => {
        selected = r.labId;
        vscode.setState({ selected });
        render();
      });
      nav.append(tab);
    }
    header.append(nav);
  }
  header.append(button(strings.runLab, 'beaker', () => post({ type: 'runLab' }), 'action secondary'));
  root.append(header);

  const result = results.find((r) => r.labId === selected) ?? results[results.length - 1];
  if (!result) {
    root.append(el('p', 'empty', strings.empty));
    return;
  }
  root.append(renderResult(result, strings));
}

function renderResult(r: LabResultView, s: LabStrings): HTMLElement {
  const article = el('article', 'result');
  article.dataset.labId = r.labId;
  article.dataset.confirmed = String(r.confirmed);

  const heading = el('div', 'heading');
  heading.append(el('h2', 'lab-title', `${r.number}. ${r.title}`));
  const badge = el('span', r.confirmed ? 'badge confirmed' : 'badge not-shown');
  badge.append(el('span', `codicon codicon-${r.confirmed ? 'pass-filled' : 'warning'}`), el('span', undefined, r.confirmed ? s.confirmed : s.notShown));
  heading.append(badge);
  article.append(heading);

  const claim = el('blockquote', 'claim');
  claim.append(el('strong', undefined, `${s.claim} `), el('span', undefined, r.claim));
  article.append(claim);
  article.append(el('p', 'summary', r.summary));

  const actions = el('div', 'actions');
  actions.append(
    button(s.openTimeline, 'graph-line', () => post({ type: 'openTimeline' })),
    button(s.openWalkthrough, 'book', () => post({ type: 'openWalkthrough', step: r.walkthroughStep })),
    button(s.runAgain, 'debug-restart', () => post({ type: 'runLab', labId: r.labId }), 'action secondary'),
  );
  article.append(actions);

  article.append(el('h3', undefined, s.figures));
  const figures = el('table', 'figures');
  const body = el('tbody');
  for (const f of r.figures) {
    const row = el('tr');
    row.append(el('th', undefined, f.label), el('td', undefined, f.value));
    body.append(row);
  }
  figures.append(body);
  article.append(figures);

  for (const t of r.tables) {
    article.append(el('h3', undefined, t.title));
    const table = el('table', 'data');
    const head = el('thead');
    const headRow = el('tr');
    for (const c of t.columns) headRow.append(el('th', undefined, c));
    head.append(headRow);
    const rows = el('tbody');
    for (const cells of t.rows) {
      const row = el('tr');
      for (const c of cells) row.append(el('td', undefined, c));
      rows.append(row);
    }
    table.append(head, rows);
    const wrap = el('div', 'table-wrap');
    wrap.append(table);
    article.append(wrap);
  }

  if (r.notes.length) {
    article.append(el('h3', undefined, s.notes));
    const list = el('ul', 'notes');
    for (const n of r.notes) list.append(el('li', undefined, n));
    article.append(list);
  }

  const finished = new Date(r.finishedAt).toLocaleTimeString(snapshot?.locale);
  const took = `${((r.finishedAt - r.startedAt) / 1000).toFixed(1)} s`;
  article.append(el('p', 'meta', format(s.meta, finished, took, r.channel, String(r.eventCount))));
  return article;
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = check(LabHostMessage, event.data);
  if (!message.ok) {
    console.warn(`lab result page: ignored a message: ${message.reason}`);
    return;
  }
  snapshot = message.value;
  const remembered = (vscode.getState() as { selected?: unknown } | undefined)?.selected;
  const wanted = snapshot.selected ?? (typeof remembered === 'string' ? remembered : undefined);
  selected = snapshot.results.some((r) => r.labId === wanted) ? wanted : snapshot.results[snapshot.results.length - 1]?.labId;
  vscode.setState({ selected });
  render();
});

post({ type: 'ready' });
