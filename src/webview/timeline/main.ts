// The timeline page. It asks the host for a snapshot (`ready`), then applies the updates the host
// streams, and draws on canvases at the display's frame rate while anything runs. Every message is
// checked against the shared protocol before it is read; text from jobs only ever reaches the page
// through textContent or a canvas' fillText.
import './timeline.css';
import {
  DEFAULT_SPAN_MS,
  HostMessageQueue,
  TimeScale,
  TimelineData,
  clampSpan,
  compareWorkers,
  fitRows,
  hitTest,
  type RowMetrics,
} from '../../shared/timelineModel';
import { type HostMessage, type TimelineStrings, type TimelineWorker, type WebviewMessage } from '../../shared/timelineProtocol';
import { AXIS_PX, SERIES_PX, drawGantt, drawSeries, format, tooltipLines } from './renderer';
import { readPalette, type Palette } from './theme';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface ViewState {
  follow: boolean;
  span: number;
  /** The right edge of the window while paused. */
  end: number;
}

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage) => vscode.postMessage(message);

/** While nothing runs, a following view only needs to slide now and then. */
const IDLE_FRAME_MS = 250;
const DRAG_THRESHOLD_PX = 4;
/** Time per frame for checking incoming tasks; the rest of the frame is for drawing. */
const CHECK_BUDGET_MS = 6;

// ── state ──
const data = new TimelineData();
let strings: TimelineStrings | undefined;
let clockOffset = 0;
let palette: Palette = readPalette();
const saved = vscode.getState() as Partial<ViewState> | undefined;
const view: ViewState = {
  follow: typeof saved?.follow === 'boolean' ? saved.follow : true,
  span: clampSpan(typeof saved?.span === 'number' ? saved.span : DEFAULT_SPAN_MS),
  end: typeof saved?.end === 'number' ? saved.end : Date.now(),
};
let hoverKey: string | undefined;
let pointer: { x: number; y: number } | undefined;
let frameHandle = 0;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let lastMetrics: RowMetrics = { header: 20, lane: 12 };
let lastLayoutHeight = -1;

const hostNow = () => Date.now() + clockOffset;

// ── DOM (built here; the host's HTML holds only the script and style links) ──
function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, parent?: Element): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  parent?.appendChild(node);
  return node;
}

function iconButton(parent: Element, icon: string, id: string): HTMLButtonElement {
  const button = el('button', 'tool', parent);
  button.id = id;
  button.type = 'button';
  el('span', `codicon codicon-${icon}`, button).setAttribute('aria-hidden', 'true');
  return button;
}

const app = el('div', 'app', document.body);
const toolbar = el('div', 'toolbar', app);
toolbar.setAttribute('role', 'toolbar');
const followButton = el('button', 'tool toggle', toolbar);
followButton.id = 'follow';
followButton.type = 'button';
const followIcon = el('span', 'codicon', followButton);
followIcon.setAttribute('aria-hidden', 'true');
const followLabel = el('span', 'label', followButton);
const zoomInButton = iconButton(toolbar, 'zoom-in', 'zoomIn');
const zoomOutButton = iconButton(toolbar, 'zoom-out', 'zoomOut');
const fitButton = iconButton(toolbar, 'screen-full', 'fitAll');
const clearButton = iconButton(toolbar, 'clear-all', 'clearHistory');
const summary = el('span', 'summary', toolbar);
summary.id = 'summary';
const legend = el('span', 'legend', toolbar);
const legendItems = (['running', 'completed', 'failed', 'waiting'] as const).map((kind) => {
  const item = el('span', `legend-item ${kind}`, legend);
  el('span', 'swatch', item);
  return { kind, text: el('span', '', item) };
});

const seriesBox = el('div', 'series', app);
const seriesCanvas = el('canvas', '', seriesBox);
seriesCanvas.id = 'series';
seriesCanvas.setAttribute('aria-hidden', 'true');

const gantt = el('div', 'gantt', app);
const scroller = el('div', 'scroller', gantt);
scroller.tabIndex = 0;
// + and - zoom, ← and → pan, 0 shows all tasks, L toggles following live.
scroller.setAttribute('aria-keyshortcuts', '+ - ArrowLeft ArrowRight 0 L');
const ganttCanvas = el('canvas', '', scroller);
ganttCanvas.id = 'gantt';
ganttCanvas.setAttribute('role', 'img');
const spacer = el('div', 'spacer', scroller);
const tooltip = el('div', 'tooltip', gantt);
tooltip.id = 'tooltip';
tooltip.setAttribute('role', 'tooltip');
tooltip.hidden = true;
const empty = el('div', 'empty', gantt);
empty.id = 'empty';
empty.hidden = true;
el('span', 'codicon codicon-pulse empty-icon', empty).setAttribute('aria-hidden', 'true');
const emptyTitle = el('h2', '', empty);
const emptyHint = el('p', '', empty);
const publishButton = el('button', 'primary', empty);
publishButton.id = 'publishJob';
publishButton.type = 'button';
el('span', 'codicon codicon-add', publishButton).setAttribute('aria-hidden', 'true');
const publishLabel = el('span', '', publishButton);

function applyStrings(s: TimelineStrings): void {
  document.title = s.title;
  const set = (button: HTMLButtonElement, text: string) => {
    button.title = text;
    button.setAttribute('aria-label', text);
  };
  set(zoomInButton, s.zoomIn);
  set(zoomOutButton, s.zoomOut);
  set(fitButton, s.fitAll);
  set(clearButton, s.clearHistory);
  emptyTitle.textContent = s.emptyTitle;
  emptyHint.textContent = s.emptyHint;
  publishLabel.textContent = s.publishJob;
  for (const item of legendItems) {
    item.text.textContent = { running: s.stateRunning, completed: s.stateCompleted, failed: s.stateFailed, waiting: s.stateQueued }[item.kind];
  }
  updateChrome();
}

function updateChrome(): void {
  if (!strings) return;
  followButton.setAttribute('aria-pressed', String(view.follow));
  followIcon.className = `codicon ${view.follow ? 'codicon-circle-filled live' : 'codicon-debug-pause'}`;
  followLabel.textContent = view.follow ? strings.followLive : strings.paused;
  followButton.title = followLabel.textContent;
  const c = data.counts();
  summary.textContent = format(strings.summary, c.running, c.completed + c.failed, c.failed);
  empty.hidden = !data.isEmpty;
  ganttCanvas.setAttribute('aria-label', `${strings.canvasLabel} ${summary.textContent}`);
}

function saveView(): void {
  vscode.setState(view);
}

// ── time window ──
function currentScale(width: number): TimeScale {
  return view.follow ? TimeScale.endingAt(hostNow(), view.span, width) : TimeScale.endingAt(view.end, view.span, width);
}

function setFollow(follow: boolean): void {
  if (view.follow === follow) return;
  if (!follow) view.end = hostNow();
  view.follow = follow;
  saveView();
  updateChrome();
  invalidate();
}

function zoom(factor: number, anchorX?: number): void {
  const scale = currentScale(ganttCanvas.clientWidth || 1);
  const anchor = view.follow || anchorX === undefined ? (view.follow ? hostNow() : scale.t(scale.width / 2)) : scale.t(anchorX);
  const next = scale.zoom(factor, anchor);
  view.span = next.span;
  if (!view.follow) view.end = next.end;
  saveView();
  invalidate();
}

function pan(deltaMs: number): void {
  const scale = currentScale(ganttCanvas.clientWidth || 1);
  setFollow(false);
  view.end = scale.end + deltaMs;
  saveView();
  invalidate();
}

function fitAll(): void {
  const now = hostNow();
  const extent = data.extent(now);
  if (!extent) return;
  const margin = Math.max(50, (extent.to - extent.from) * 0.03);
  // While the data reaches now, fitting keeps following; otherwise it frames the data and pauses.
  const live = view.follow && extent.to >= now - margin;
  if (!live) setFollow(false);
  view.span = clampSpan((live ? now : extent.to + margin) - (extent.from - margin));
  view.end = extent.to + margin;
  saveView();
  invalidate();
}

// ── drawing ──
function sizeCanvas(canvas: HTMLCanvasElement, cssWidth: number, cssHeight: number): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(cssWidth * dpr));
  const h = Math.max(1, Math.round(cssHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = `${cssWidth}px`;
    canvas.style.height = `${cssHeight}px`;
  }
  const ctx = canvas.getContext('2d', { alpha: false });
  ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

function layoutScroller(): void {
  const layout = data.layout();
  const height = scroller.clientHeight;
  lastMetrics = fitRows(layout, height - AXIS_PX);
  const content = AXIS_PX + layout.totalHeight(lastMetrics);
  const extra = Math.max(0, content - height);
  if (extra !== lastLayoutHeight) {
    spacer.style.height = `${extra}px`;
    lastLayoutHeight = extra;
    // Following live keeps the newest lanes in sight, like a terminal that sticks to its end,
    // unless the learner scrolled up to look at older ones.
    if (view.follow && stickToBottom) scroller.scrollTop = scroller.scrollHeight;
  }
}

/** Whether the lanes view is at its end; updated by the learner's scrolling. */
let stickToBottom = true;
function isAtBottom(): boolean {
  return scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 2;
}

function draw(): void {
  if (!strings) return;
  const now = hostNow();
  layoutScroller();
  const width = scroller.clientWidth;
  const height = scroller.clientHeight;
  if (width <= 0 || height <= 0) return;
  const scale = currentScale(width);
  const ganttCtx = sizeCanvas(ganttCanvas, width, height);
  if (ganttCtx) {
    drawGantt({ ctx: ganttCtx, width, height, data, scale, metrics: lastMetrics, scrollTop: scroller.scrollTop, now, hoverKey, palette, strings });
  }
  const seriesCtx = sizeCanvas(seriesCanvas, width, SERIES_PX);
  if (seriesCtx) {
    drawSeries({ ctx: seriesCtx, width, data, workers: sortedWorkers(), scale, now, palette, strings });
  }
  updateHover(scale, now);
}

let workersVersion = -1;
let workersCache: TimelineWorker[] = [];
function sortedWorkers(): TimelineWorker[] {
  if (workersVersion !== data.version) {
    workersCache = [...data.workers.values()].sort(compareWorkers);
    workersVersion = data.version;
  }
  return workersCache;
}

function frame(): void {
  frameHandle = 0;
  // Checking what the host sent shares the frame with drawing, a few milliseconds at a time.
  const moreMail = inbox.work(CHECK_BUDGET_MS);
  draw();
  const c = data.counts();
  if (moreMail || (view.follow && c.running + c.queued > 0)) {
    invalidate();
  } else if (view.follow && !data.isEmpty) {
    idleTimer ??= setTimeout(() => {
      idleTimer = undefined;
      invalidate();
    }, IDLE_FRAME_MS);
  }
}

function invalidate(): void {
  if (frameHandle === 0) frameHandle = requestAnimationFrame(frame);
}

// ── hover and tooltip ──
let tipKey: string | undefined;
let tipTask: unknown;
let tipAt = 0;

function updateHover(scale: TimeScale, now: number): void {
  if (!strings) return;
  const task = pointer ? hitTest(data, scale, lastMetrics, pointer.x, pointer.y - AXIS_PX + scroller.scrollTop, now) : undefined;
  const key = task?.key;
  if (key !== hoverKey) {
    hoverKey = key;
    invalidate();
  }
  if (!task || !pointer) {
    tooltip.hidden = true;
    tipKey = undefined;
    return;
  }
  const stale = task.key !== tipKey || task !== tipTask || (task.state === 'running' && now - tipAt > 200);
  if (stale) {
    tipKey = task.key;
    tipTask = task;
    tipAt = now;
    const { title, rows } = tooltipLines(task, data.workers.get(task.workerId), strings, now);
    const heading = document.createElement('div');
    heading.className = 'tip-title';
    heading.textContent = title;
    const table = document.createElement('dl');
    for (const [name, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = value;
      table.append(dt, dd);
    }
    const hint = document.createElement('div');
    hint.className = 'tip-hint';
    hint.textContent = strings.tipClick;
    tooltip.replaceChildren(heading, table, hint);
  }
  tooltip.hidden = false;
  const box = gantt.getBoundingClientRect();
  const tipWidth = tooltip.offsetWidth;
  const tipHeight = tooltip.offsetHeight;
  let left = pointer.x + 14;
  let top = pointer.y + 14;
  if (left + tipWidth > box.width - 4) left = Math.max(4, pointer.x - tipWidth - 14);
  if (top + tipHeight > box.height - 4) top = Math.max(4, pointer.y - tipHeight - 14);
  tooltip.style.left = `${left}px`;
  tooltip.style.top = `${top}px`;
}

// ── input ──
let drag: { x: number; end: number; span: number; moved: boolean; id: number } | undefined;

function localPoint(event: MouseEvent): { x: number; y: number } {
  const rect = ganttCanvas.getBoundingClientRect();
  return { x: event.clientX - rect.left, y: event.clientY - rect.top };
}

scroller.addEventListener('pointermove', (event) => {
  pointer = localPoint(event);
  if (drag && drag.id === event.pointerId) {
    const dx = pointer.x - drag.x;
    if (!drag.moved && Math.abs(dx) >= DRAG_THRESHOLD_PX) {
      drag.moved = true;
      setFollow(false);
    }
    if (drag.moved) {
      view.end = drag.end - (dx / Math.max(1, ganttCanvas.clientWidth)) * drag.span;
      scroller.classList.add('dragging');
    }
  }
  invalidate();
});
scroller.addEventListener('pointerleave', () => {
  pointer = undefined;
  invalidate();
});
scroller.addEventListener('pointerdown', (event) => {
  if (event.button !== 0) return;
  const scale = currentScale(ganttCanvas.clientWidth || 1);
  drag = { x: localPoint(event).x, end: scale.end, span: scale.span, moved: false, id: event.pointerId };
  scroller.setPointerCapture(event.pointerId);
});
scroller.addEventListener('pointerup', (event) => {
  const wasDrag = drag?.moved;
  drag = undefined;
  scroller.classList.remove('dragging');
  if (scroller.hasPointerCapture(event.pointerId)) scroller.releasePointerCapture(event.pointerId);
  if (wasDrag) {
    saveView();
    return;
  }
  pointer = localPoint(event);
  const scale = currentScale(ganttCanvas.clientWidth || 1);
  const task = hitTest(data, scale, lastMetrics, pointer.x, pointer.y - AXIS_PX + scroller.scrollTop, hostNow());
  if (task) post({ type: 'revealTask', key: task.key });
});
scroller.addEventListener(
  'wheel',
  (event) => {
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      zoom(Math.exp(event.deltaY * 0.002), localPoint(event).x);
    } else if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
      event.preventDefault();
      const delta = event.shiftKey && event.deltaX === 0 ? event.deltaY : event.deltaX;
      pan((delta / Math.max(1, ganttCanvas.clientWidth)) * currentScale(ganttCanvas.clientWidth || 1).span);
    }
  },
  { passive: false },
);
scroller.addEventListener('scroll', () => {
  stickToBottom = isAtBottom();
  invalidate();
});
scroller.addEventListener('keydown', (event) => {
  const span = currentScale(ganttCanvas.clientWidth || 1).span;
  switch (event.key) {
    case '+':
    case '=':
      zoom(0.5);
      break;
    case '-':
    case '_':
      zoom(2);
      break;
    case 'ArrowLeft':
      pan(-span * 0.1);
      break;
    case 'ArrowRight':
      pan(span * 0.1);
      break;
    case '0':
      fitAll();
      break;
    case 'l':
    case 'L':
      setFollow(!view.follow);
      break;
    default:
      return;
  }
  event.preventDefault();
});
followButton.addEventListener('click', () => setFollow(!view.follow));
zoomInButton.addEventListener('click', () => zoom(0.5));
zoomOutButton.addEventListener('click', () => zoom(2));
fitButton.addEventListener('click', () => fitAll());
clearButton.addEventListener('click', () => post({ type: 'clearHistory' }));
publishButton.addEventListener('click', () => post({ type: 'publishJob' }));

new ResizeObserver(() => invalidate()).observe(gantt);
// VS Code swaps the theme by changing the body's class and the CSS variables on <html>.
const themeObserver = new MutationObserver(() => {
  palette = readPalette();
  invalidate();
});
themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });

// ── messages from the host ──
function onHostMessage(message: HostMessage): void {
  // The page draws "now" on the host's clock. Message latency only ever makes the observed offset
  // smaller, so keep the largest seen since the snapshot (unless the host's clock jumped back).
  const observed = message.now - Date.now();
  if (message.type === 'snapshot' || observed > clockOffset || observed < clockOffset - 1000) clockOffset = observed;
  switch (message.type) {
    case 'snapshot':
      strings = message.strings;
      document.documentElement.lang = message.locale;
      data.applySnapshot(message);
      applyStrings(message.strings);
      lastLayoutHeight = -1;
      stickToBottom = true;
      break;
    case 'update':
      data.applyUpdate(message);
      updateChrome();
      break;
  }
}

const inbox = new HostMessageQueue(onHostMessage, (reason) => console.warn(`[timeline] ignored a message from the host: ${reason}`));
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  inbox.push(event.data);
  invalidate();
});

// A hidden webview is sent nothing; when it shows again it asks for the whole picture.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') post({ type: 'ready' });
});
post({ type: 'ready' });
