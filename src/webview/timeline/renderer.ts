// Draws the timeline on two canvases: the series (in-flight count and event-loop delay per worker)
// and the Gantt lanes. Only the rows inside the viewport are visited, bars of one colour are
// filled in one path, and all text goes through fillText — never through markup.
import {
  formatClock,
  formatDuration,
  pointsIn,
  taskSpan,
  type RowMetrics,
  type TimeScale,
  type TimelineData,
} from '../../shared/timelineModel';
import type { TimelineStrings, TimelineTask, TimelineWorker } from '../../shared/timelineProtocol';
import type { Palette } from './theme';

/** Height of the time axis at the top of the Gantt canvas. */
export const AXIS_PX = 22;
/** Height of one of the two series charts. */
export const CHART_PX = 48;
export const CHART_GAP_PX = 6;
export const SERIES_PX = CHART_PX * 2 + CHART_GAP_PX + 4;
/** Lanes at least this tall carry their task's label and duration. */
const LABEL_LANE_PX = 12;

export interface GanttFrame {
  readonly ctx: CanvasRenderingContext2D;
  readonly width: number;
  readonly height: number;
  readonly data: TimelineData;
  readonly scale: TimeScale;
  readonly metrics: RowMetrics;
  readonly scrollTop: number;
  readonly now: number;
  readonly hoverKey: string | undefined;
  readonly palette: Palette;
  readonly strings: TimelineStrings;
}

export function format(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (match, i: string) => {
    const value = args[Number(i)];
    return value === undefined ? match : String(value);
  });
}

export function workerTitle(strings: TimelineStrings, worker: TimelineWorker | undefined, workerId: string, tasks: number): string {
  if (!worker) return format(strings.workerLabel, '?', workerId, tasks);
  const state = worker.state === 'online' ? strings.online : strings.offline;
  return `${format(strings.workerLabel, worker.pid, worker.hostname, tasks)} · ${state}`;
}

function font(palette: Palette, px: number, weight = ''): string {
  return `${weight ? `${weight} ` : ''}${px}px ${palette.fontFamily}`;
}

/** Vertical grid lines and the time labels of the axis. */
function drawAxis(ctx: CanvasRenderingContext2D, scale: TimeScale, width: number, top: number, bottom: number, palette: Palette, labels: boolean): void {
  const { step, ticks } = scale.ticks(90);
  ctx.strokeStyle = palette.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const t of ticks) {
    const x = Math.round(scale.x(t)) + 0.5;
    ctx.moveTo(x, top);
    ctx.lineTo(x, bottom);
  }
  ctx.stroke();
  if (!labels) return;
  ctx.fillStyle = palette.dim;
  ctx.font = font(palette, 11);
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  for (const t of ticks) {
    const x = Math.round(scale.x(t)) + 4;
    const text = formatClock(t, step);
    if (x >= 0 && x + ctx.measureText(text).width <= width - 2) ctx.fillText(text, x, top + AXIS_PX / 2);
  }
}

function drawNowLine(ctx: CanvasRenderingContext2D, scale: TimeScale, now: number, top: number, bottom: number, palette: Palette): void {
  const x = scale.x(now);
  if (x < 0 || x > scale.width) return;
  ctx.strokeStyle = palette.now;
  ctx.lineWidth = 1;
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  ctx.moveTo(Math.round(x) + 0.5, top);
  ctx.lineTo(Math.round(x) + 0.5, bottom);
  ctx.stroke();
  ctx.setLineDash([]);
}

/** A rectangle snapped to whole pixels, at least one pixel wide, clipped to the canvas. */
function barRect(path: Path2D, x0: number, x1: number, y: number, h: number, width: number): void {
  if (x1 < 0 || x0 > width) return;
  const a = Math.max(-1, Math.floor(x0));
  const b = Math.min(width + 1, Math.max(a + 1, Math.ceil(x1)));
  path.rect(a, y, b - a, h);
}

export function drawGantt(f: GanttFrame): void {
  const { ctx, width, height, data, scale, metrics, scrollTop, now, palette, strings } = f;
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, width, height);
  drawAxis(ctx, scale, width, 0, height, palette, true);

  const layout = data.layout();
  const viewTop = scrollTop;
  const viewBottom = scrollTop + height - AXIS_PX;
  const { first, end } = layout.visible(viewTop, viewBottom, metrics);
  const lane = metrics.lane;
  const gap = lane >= 6 ? 1 : 0;
  const paths = { running: new Path2D(), completed: new Path2D(), failed: new Path2D(), waiting: new Path2D(), headers: new Path2D() };
  const failedMarks: { x: number; y: number }[] = [];
  /** On lanes tall enough for text, a bar says what it is and how long it took (or has run). */
  const barLabels: { x0: number; x1: number; y: number; text: string }[] = [];
  const headerLabels: { y: number; text: string; online: boolean }[] = [];
  let hover: { x0: number; x1: number; y: number } | undefined;

  ctx.save();
  ctx.beginPath();
  ctx.rect(0, AXIS_PX, width, height - AXIS_PX);
  ctx.clip();
  for (let i = first; i < end; i++) {
    const row = layout.rows[i]!;
    const y = AXIS_PX + layout.top(i, metrics) - scrollTop;
    if (row.kind === 'worker') {
      paths.headers.rect(0, y, width, metrics.header);
      const worker = data.workers.get(row.workerId);
      headerLabels.push({ y: y + metrics.header / 2, text: workerTitle(strings, worker, row.workerId, row.tasks ?? 0), online: worker?.state !== 'offline' });
      continue;
    }
    const task = row.key === undefined ? undefined : data.tasks.get(row.key);
    if (!task) continue;
    const span = taskSpan(task, now);
    const barY = y + gap;
    const barH = Math.max(1, lane - 2 * gap);
    if (span.waitFrom !== undefined && span.waitTo !== undefined) {
      barRect(paths.waiting, scale.x(span.waitFrom), scale.x(span.waitTo), barY + barH / 4, Math.max(1, barH / 2), width);
    }
    if (span.barFrom !== undefined && span.barTo !== undefined) {
      const x0 = scale.x(span.barFrom);
      const x1 = scale.x(span.barTo);
      barRect(task.state === 'failed' ? paths.failed : task.state === 'running' ? paths.running : paths.completed, x0, x1, barY, barH, width);
      if (task.state === 'failed' && lane >= 6) failedMarks.push({ x: Math.max(x1, x0 + 1), y: barY + barH / 2 });
      if (lane >= LABEL_LANE_PX && x1 - x0 >= 24 && x1 > 0 && x0 < width) {
        const took = formatDuration(span.barTo - span.barFrom);
        barLabels.push({ x0: Math.max(0, x0), x1: Math.min(width, x1), y: barY + barH / 2, text: task.label ? `${task.label} · ${took}` : took });
      }
    }
    if (task.key === f.hoverKey) {
      const from = Math.min(span.waitFrom ?? Infinity, span.barFrom ?? Infinity);
      const to = Math.max(span.waitTo ?? -Infinity, span.barTo ?? -Infinity);
      if (Number.isFinite(from) && Number.isFinite(to)) hover = { x0: scale.x(from), x1: Math.max(scale.x(to), scale.x(from) + 1), y };
    }
  }

  ctx.fillStyle = palette.headerBackground;
  ctx.fill(paths.headers);
  ctx.globalAlpha = 0.55;
  ctx.fillStyle = palette.waiting;
  ctx.fill(paths.waiting);
  ctx.globalAlpha = 1;
  ctx.fillStyle = palette.completed;
  ctx.fill(paths.completed);
  ctx.fillStyle = palette.running;
  ctx.fill(paths.running);
  ctx.fillStyle = palette.failed;
  ctx.fill(paths.failed);
  if (palette.highContrast && lane >= 4) {
    ctx.strokeStyle = palette.contrastBorder;
    ctx.lineWidth = 1;
    ctx.stroke(paths.completed);
    ctx.stroke(paths.running);
    ctx.stroke(paths.failed);
  }
  if (barLabels.length) {
    ctx.font = font(palette, 10);
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillStyle = palette.background;
    for (const l of barLabels) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(l.x0, l.y - lane / 2, l.x1 - l.x0, lane);
      ctx.clip();
      ctx.fillText(l.text, l.x0 + 4, l.y + 0.5);
      ctx.restore();
    }
  }
  // A failed bar also ends in a cross, so that it does not depend on colour alone.
  if (failedMarks.length) {
    const r = Math.min(4, lane / 2 - 1);
    ctx.strokeStyle = palette.failed;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    for (const m of failedMarks) {
      const cx = m.x + r + 2;
      ctx.moveTo(cx - r, m.y - r);
      ctx.lineTo(cx + r, m.y + r);
      ctx.moveTo(cx + r, m.y - r);
      ctx.lineTo(cx - r, m.y + r);
    }
    ctx.stroke();
  }
  if (hover) {
    ctx.strokeStyle = palette.hover;
    ctx.lineWidth = 2;
    ctx.strokeRect(Math.floor(hover.x0) - 1, hover.y - 1, Math.ceil(hover.x1 - hover.x0) + 2, lane + 2);
  }
  // The header of the group the first visible lane belongs to stays pinned under the axis,
  // pushed up by the next group's header as it arrives.
  const firstRow = layout.rows[first];
  if (firstRow?.kind === 'task' && firstRow.header !== undefined) {
    let top = AXIS_PX;
    for (let i = first + 1; i < end; i++) {
      if (layout.rows[i]!.kind === 'worker') {
        top = Math.min(top, AXIS_PX + layout.top(i, metrics) - scrollTop - metrics.header);
        break;
      }
    }
    const header = layout.rows[firstRow.header]!;
    const worker = data.workers.get(header.workerId);
    ctx.fillStyle = palette.background;
    ctx.fillRect(0, top, width, metrics.header);
    ctx.fillStyle = palette.headerBackground;
    ctx.fillRect(0, top, width, metrics.header);
    headerLabels.push({ y: top + metrics.header / 2, text: workerTitle(strings, worker, header.workerId, header.tasks ?? 0), online: worker?.state !== 'offline' });
  }
  ctx.font = font(palette, 12, '600');
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  for (const h of headerLabels) {
    ctx.fillStyle = h.online ? palette.foreground : palette.dim;
    ctx.fillText(h.text, 8, h.y);
  }
  ctx.restore();

  drawNowLine(ctx, scale, now, AXIS_PX, height, palette);
  // The axis band stays on top of the lanes that scroll under it.
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, width, AXIS_PX);
  drawAxis(ctx, scale, width, 0, AXIS_PX, palette, true);
  ctx.strokeStyle = palette.grid;
  ctx.beginPath();
  ctx.moveTo(0, AXIS_PX - 0.5);
  ctx.lineTo(width, AXIS_PX - 0.5);
  ctx.stroke();
}

export interface SeriesFrame {
  readonly ctx: CanvasRenderingContext2D;
  readonly width: number;
  readonly data: TimelineData;
  readonly workers: readonly TimelineWorker[];
  readonly scale: TimeScale;
  readonly now: number;
  readonly palette: Palette;
  readonly strings: TimelineStrings;
}

/** Rounds a chart's top value up to 1, 2 or 5 × 10ⁿ. */
function niceMax(value: number, floor: number): number {
  const v = Math.max(floor, value);
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

const SAMPLE_PX = 2;

export function drawSeries(f: SeriesFrame): void {
  const { ctx, width, data, workers, scale, now, palette, strings } = f;
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, width, SERIES_PX);
  const inFlight = data.inFlight();
  const lastX = Math.min(width, scale.x(now));

  // In-flight: sampled every 2 px from the task bars, up to now.
  const samples = workers.map((w) => {
    const values: number[] = [];
    for (let x = 0; x <= lastX; x += SAMPLE_PX) values.push(inFlight.countAt(w.workerId, scale.t(x)));
    if (lastX >= 0) values.push(inFlight.countAt(w.workerId, Math.min(now, scale.end)));
    return values;
  });
  const inFlightMax = niceMax(Math.max(0, ...samples.map((v) => Math.max(0, ...v))), 1);
  const top1 = 2;
  drawChartFrame(ctx, scale, width, top1, palette, strings.inFlight, String(inFlightMax));
  workers.forEach((w, wi) => {
    const values = samples[wi]!;
    if (!values.length) return;
    ctx.strokeStyle = palette.series[wi % palette.series.length]!;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    values.forEach((n, i) => {
      const x = i === values.length - 1 ? lastX : i * SAMPLE_PX;
      const y = top1 + CHART_PX - 1 - (n / inFlightMax) * (CHART_PX - 14);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  });

  // Event-loop delay: the worst delay each heartbeat saw.
  const top2 = top1 + CHART_PX + CHART_GAP_PX;
  const visible = workers.map((w) => pointsIn(data.heartbeats.get(w.workerId) ?? [], scale.start, scale.end));
  let delayMax = 0;
  for (const points of visible) for (const p of points) delayMax = Math.max(delayMax, p.loopDelay.maxMs);
  const delayTop = niceMax(delayMax, 10);
  drawChartFrame(ctx, scale, width, top2, palette, strings.loopDelay, `${delayTop} ms`);
  workers.forEach((w, wi) => {
    const points = visible[wi]!;
    if (!points.length) return;
    const color = palette.series[wi % palette.series.length]!;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    points.forEach((p, i) => {
      const x = scale.x(p.at);
      const y = top2 + CHART_PX - 1 - (p.loopDelay.maxMs / delayTop) * (CHART_PX - 14);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
    if (scale.span / Math.max(1, points.length) > 40) {
      for (const p of points) {
        ctx.beginPath();
        ctx.arc(scale.x(p.at), top2 + CHART_PX - 1 - (p.loopDelay.maxMs / delayTop) * (CHART_PX - 14), 2, 0, Math.PI * 2);
        ctx.fill();
      }
    }
  });

  // Current figures per worker, in the worker's colour, at the charts' right edge.
  ctx.font = font(palette, 11);
  ctx.textBaseline = 'top';
  ctx.textAlign = 'right';
  let x = width - 6;
  for (let wi = workers.length - 1; wi >= 0; wi--) {
    const w = workers[wi]!;
    const series = data.heartbeats.get(w.workerId);
    const last = series?.[series.length - 1];
    const running = inFlight.countAt(w.workerId, now);
    const label1 = workers.length > 1 ? `pid ${w.pid}: ${running}` : String(running);
    const label2 = last ? `${workers.length > 1 ? `pid ${w.pid}: ` : ''}${last.loopDelay.maxMs.toFixed(1)} ms` : '';
    ctx.fillStyle = palette.series[wi % palette.series.length]!;
    ctx.fillText(label1, x, top1 + 2);
    if (label2) ctx.fillText(label2, x, top2 + 2);
    x -= Math.max(ctx.measureText(label1).width, ctx.measureText(label2).width) + 12;
    if (x < width / 2) break;
  }
  drawNowLine(ctx, scale, now, 0, SERIES_PX, palette);
}

function drawChartFrame(ctx: CanvasRenderingContext2D, scale: TimeScale, width: number, top: number, palette: Palette, title: string, maxLabel: string): void {
  drawAxis(ctx, scale, width, top, top + CHART_PX, palette, false);
  ctx.strokeStyle = palette.grid;
  ctx.lineWidth = 1;
  ctx.strokeRect(0.5, top + 0.5, width - 1, CHART_PX - 1);
  ctx.font = font(palette, 11, '600');
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillStyle = palette.foreground;
  ctx.fillText(title, 6, top + 2);
  const titleWidth = ctx.measureText(title).width;
  ctx.font = font(palette, 11);
  ctx.fillStyle = palette.dim;
  ctx.fillText(`↑ ${maxLabel}`, 6 + titleWidth + 8, top + 2);
}

/** The lines of a task's tooltip, as plain strings (the page sets them with textContent). */
export function tooltipLines(task: TimelineTask, worker: TimelineWorker | undefined, strings: TimelineStrings, now: number): { title: string; rows: [string, string][] } {
  const state = { queued: strings.stateQueued, running: strings.stateRunning, completed: strings.stateCompleted, failed: strings.stateFailed }[task.state];
  const rows: [string, string][] = [
    [strings.tipId, task.jobId],
    [strings.tipWorker, worker ? `pid ${worker.pid} · ${worker.hostname}` : task.workerId],
    [strings.tipState, state],
  ];
  if (task.createdAt !== undefined) rows.push([strings.tipCreated, formatClock(task.createdAt, 1)]);
  if (task.queuedAt !== undefined && task.startedAt !== undefined && task.startedAt > task.queuedAt) {
    rows.push([strings.tipWaited, `${task.startedAt - task.queuedAt} ms`]);
  }
  if (task.startedAt !== undefined) rows.push([strings.tipStarted, formatClock(task.startedAt, 1)]);
  if (task.finishedAt !== undefined) rows.push([strings.tipFinished, formatClock(task.finishedAt, 1)]);
  if (task.startedAt !== undefined) {
    const end = task.state === 'running' ? now : task.finishedAt ?? now;
    rows.push([strings.tipDuration, `${Math.max(0, Math.round(end - task.startedAt))} ms`]);
  }
  if (task.error) rows.push([strings.tipError, task.error]);
  return { title: task.label ?? task.jobId, rows };
}
