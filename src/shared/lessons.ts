// The walkthrough's lesson data (media/lessons/**): its schemas, the loader that checks it, and
// anchor resolution (a `lesson:<id>` marker in a source file -> the line range a step claims).
// Pure: no `vscode`, no Node-only modules, so the extension, the webview tests and the unit tests
// all use the same code. The teaching text lives in the data files, never here.
import { z } from 'zod';
import { JobKind, MAX_DURATION_MS, describeIssues, type DecodeResult } from './protocol';

export const LANGUAGES = ['en', 'ja'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

/** Picks the walkthrough language for a VS Code display language such as `ja` or `en-us`. */
export function languageFor(displayLanguage: string | undefined): Language {
  return displayLanguage?.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** `ts` = the running Node worker (src/worker/*.ts); `py` = the chapter-style Python worker. */
export const SourceKind = z.enum(['ts', 'py']);
export type SourceKind = z.infer<typeof SourceKind>;

export const DEFAULT_SOURCE: Record<SourceKind, string> = {
  ts: 'src/worker/worker.ts',
  py: 'media/python/worker.py',
};
/** The files an anchor may point into: shipped, readable sources only (never a path out of them). */
export const SOURCE_FILE_PATTERN: Record<SourceKind, RegExp> = {
  ts: /^src\/worker\/[A-Za-z0-9_]+\.ts$/,
  py: /^media\/python\/[A-Za-z0-9_]+\.py$/,
};

/** A non-blank string (teaching text may not be empty in any language). */
const text = z.string().refine((s) => s.trim().length > 0, { message: 'must not be empty' });
const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes');
export const MARKER_ID = /^[a-z0-9][a-z0-9-]*$/;

/**
 * A line range anchored on a `lesson:<marker>` comment. The range starts at the marker line and
 * goes on for `lines` more lines; `first` and `last` are the trimmed text of the first line after
 * the marker and of the last line of the range (a line that occurs only once in the range), so an
 * edit of the source that moves code out from under a step is caught instead of silently
 * highlighting something else.
 */
export const Anchor = z
  .object({
    file: z.string().optional(),
    marker: id,
    lines: z.number().int().min(1).max(400),
    first: text,
    last: text,
  })
  .strict();
export type Anchor = z.infer<typeof Anchor>;

export const StepCode = z.object({ ts: Anchor, py: Anchor }).strict();

/** One group of jobs a publish button sends. */
export const PublishSpec = z
  .object({
    count: z.number().int().min(1).max(1000),
    kind: JobKind.default('sleep'),
    durationMs: z.number().int().min(0).max(MAX_DURATION_MS).default(1000),
    /** If given, each job of the group gets a random duration in [min, max] instead. */
    randomDurationMs: z.tuple([z.number().int().min(0), z.number().int().max(MAX_DURATION_MS)]).optional(),
  })
  .strict()
  .refine((p) => !p.randomDurationMs || p.randomDurationMs[0] <= p.randomDurationMs[1], { message: 'randomDurationMs: min > max' });
export type PublishSpec = z.infer<typeof PublishSpec>;

/** Commands a step button may run: our own, except that a setting may be opened. */
export const StepCommand = z.enum([
  'concurrencyLab.startWorker',
  'concurrencyLab.stopWorker',
  'concurrencyLab.restartWorker',
  'concurrencyLab.openTimeline',
  'concurrencyLab.showLog',
  'concurrencyLab.clearHistory',
  'concurrencyLab.runLab',
]);
export type StepCommand = z.infer<typeof StepCommand>;

export const StepAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('publish'), id, jobs: z.array(PublishSpec).min(1).max(10) }).strict(),
  z.object({ type: z.literal('command'), id, command: StepCommand }).strict(),
  z.object({ type: z.literal('setting'), id, setting: z.string().regex(/^concurrencyLab\.[A-Za-z]+$/) }).strict(),
  z.object({ type: z.literal('openSource'), id, source: SourceKind }).strict(),
]);
export type StepAction = z.infer<typeof StepAction>;

/**
 * What a prediction is checked against, measured over the tasks of one publish run:
 * - `makespan`: ms from the first TaskStarted to the last finish;
 * - `peakRunning`: the most tasks running at the same instant;
 * - `inOrder`: 1 if the jobs finished in the order they were published, else 0.
 */
export const Measure = z.enum(['makespan', 'peakRunning', 'inOrder']);
export type Measure = z.infer<typeof Measure>;

export const PredictSpec = z
  .object({
    /** The publish action whose run is measured. */
    action: id,
    measure: Measure,
    /** One value range per choice (inclusive, in the measure's unit); the measured value picks the right one. */
    choices: z.array(z.object({ min: z.number(), max: z.number().nullable() }).strict()).min(2).max(6),
  })
  .strict();
export type PredictSpec = z.infer<typeof PredictSpec>;

/** A live figure a step shows in the panel (the lens in the editor shows all of them). */
export const LiveFigure = z.enum(['workers', 'inFlight', 'sleeping', 'blocked', 'queued', 'cores']);
export type LiveFigure = z.infer<typeof LiveFigure>;

export const StepText = z
  .object({
    title: text,
    /** Paragraphs; `backticks` mark code. */
    body: z.array(text).min(1),
    /** What the learner should see when they try it. */
    observe: text,
    /** Button labels, one per action id. */
    actions: z.record(text).default({}),
    predict: z.object({ question: text, choices: z.array(text).min(2), explain: text }).strict().optional(),
  })
  .strict();
export type StepText = z.infer<typeof StepText>;

export const StepSpec = z
  .object({
    id,
    /** Steps are shown in ascending `order`; leave gaps (10, 20, …) so a step can go in between. */
    order: z.number(),
    code: StepCode,
    actions: z.array(StepAction).max(6).default([]),
    predict: PredictSpec.optional(),
    live: LiveFigure.optional(),
    text: z.object({ en: StepText, ja: StepText }).strict(),
  })
  .strict()
  .superRefine((step, ctx) => {
    const ids = step.actions.map((a) => a.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: 'duplicate action id', path: ['actions'] });
    if (step.predict) {
      const action = step.actions.find((a) => a.id === step.predict!.action);
      if (!action || action.type !== 'publish') {
        ctx.addIssue({ code: 'custom', message: `predict.action "${step.predict.action}" is not a publish action of this step`, path: ['predict', 'action'] });
      }
    }
    for (const lang of LANGUAGES) {
      const t = step.text[lang];
      const labels = Object.keys(t.actions).sort();
      if (labels.join() !== [...ids].sort().join()) {
        ctx.addIssue({ code: 'custom', message: `text.${lang}.actions must label exactly the actions ${ids.join(', ') || '(none)'}`, path: ['text', lang, 'actions'] });
      }
      if (!!t.predict !== !!step.predict) {
        ctx.addIssue({ code: 'custom', message: `text.${lang}.predict must be present exactly when the step has predict`, path: ['text', lang, 'predict'] });
      } else if (t.predict && step.predict && t.predict.choices.length !== step.predict.choices.length) {
        ctx.addIssue({ code: 'custom', message: `text.${lang}.predict.choices needs ${step.predict.choices.length} entries`, path: ['text', lang, 'predict', 'choices'] });
      }
    }
  });
export type StepSpec = z.infer<typeof StepSpec>;

export const Match = z.enum(['strong', 'weak', 'none']);
export type Match = z.infer<typeof Match>;

export const PatternText = z
  .object({
    name: text,
    /** The idea in one line. */
    idea: text,
    /** How (and why) the chapter's app matches it. */
    seed: text,
    /** Where our worker stands, especially where it differs. */
    ours: text,
  })
  .strict();
export type PatternText = z.infer<typeof PatternText>;

export const PatternSpec = z
  .object({
    id,
    seed: Match,
    ours: Match,
    /** The lines the pattern's link jumps to, if the pattern is visible in the code. */
    code: z.object({ ts: Anchor.optional(), py: Anchor.optional() }).strict().default({}),
    text: z.object({ en: PatternText, ja: PatternText }).strict(),
  })
  .strict();
export type PatternSpec = z.infer<typeof PatternSpec>;

export const PatternFile = z.object({ patterns: z.array(PatternSpec).min(1) }).strict();

/** The panel's own words (buttons, headings, figures), in every language; `{name}` is a placeholder. */
export const UI_KEYS = [
  'title', 'tabSteps', 'tabPatterns', 'back', 'next', 'stepOf', 'language', 'keyboardHint', 'loading',
  'tsHeading', 'pyHeading', 'linesLabel', 'showInEditor', 'anchorMissing', 'observeHeading', 'liveHeading',
  'tryHeading', 'predictHeading', 'predictLock', 'predictChange', 'predictSkip', 'predictFirst', 'youPredicted',
  'predictRight', 'predictWrong', 'predictNone', 'measuring', 'measuredMakespan', 'measuredPeak', 'measuredInOrder',
  'measuredOutOfOrder', 'measuredWorkers', 'measureTimeout', 'measureFailed', 'runAgain',
  'live.workers', 'live.noWorker', 'live.inFlight', 'live.sleeping', 'live.blocked', 'live.queued', 'live.cores', 'live.noCores',
  'col.pattern', 'col.idea', 'col.seed', 'col.ours', 'col.code', 'match.strong', 'match.weak', 'match.none',
  'patternsIntro', 'jumpTs', 'jumpPy', 'noCode', 'stepsList',
] as const;
export type UiKey = (typeof UI_KEYS)[number];
export const UiStrings = z.object(Object.fromEntries(UI_KEYS.map((k) => [k, text])) as Record<UiKey, typeof text>).strict();
export type UiStrings = Record<UiKey, string>;
export const UiFile = z.object({ en: UiStrings, ja: UiStrings }).strict();

export interface Lessons {
  readonly steps: readonly StepSpec[];
  readonly patterns: readonly PatternSpec[];
  readonly ui: Readonly<Record<Language, UiStrings>>;
}

/** The raw lesson files: every step file (name + JSON text), patterns.json and ui.json. */
export interface LessonFiles {
  readonly steps: ReadonlyArray<{ readonly name: string; readonly text: string }>;
  readonly patterns: string;
  readonly ui: string;
}

/** Parses and checks all lesson data; the first problem found is reported with its file name. */
export function parseLessons(files: LessonFiles): DecodeResult<Lessons> {
  const steps: StepSpec[] = [];
  for (const file of files.steps) {
    const step = parseJson(StepSpec, file.text);
    if (!step.ok) return { ok: false, reason: `${file.name}: ${step.reason}` };
    steps.push(step.value);
  }
  if (steps.length === 0) return { ok: false, reason: 'no step files' };
  const seen = new Map<string, string>();
  for (const [i, step] of steps.entries()) {
    const other = seen.get(step.id);
    if (other) return { ok: false, reason: `${files.steps[i]!.name}: step id "${step.id}" is also used by ${other}` };
    seen.set(step.id, files.steps[i]!.name);
  }
  steps.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));

  const patterns = parseJson(PatternFile, files.patterns);
  if (!patterns.ok) return { ok: false, reason: `patterns.json: ${patterns.reason}` };
  const patternIds = patterns.value.patterns.map((p) => p.id);
  if (new Set(patternIds).size !== patternIds.length) return { ok: false, reason: 'patterns.json: duplicate pattern id' };

  const ui = parseJson(UiFile, files.ui);
  if (!ui.ok) return { ok: false, reason: `ui.json: ${ui.reason}` };
  return { ok: true, value: { steps, patterns: patterns.value.patterns, ui: ui.value } };
}

function parseJson<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, raw: string): DecodeResult<T> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    return { ok: false, reason: `not JSON (${(e as Error).message})` };
  }
  const result = schema.safeParse(data);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: describeIssues(result.error) };
}

/** The file an anchor points into (relative to the extension root). */
export function anchorFile(kind: SourceKind, anchor: Pick<Anchor, 'file'>): string {
  return anchor.file ?? DEFAULT_SOURCE[kind];
}

/** Checks that an anchor's file is one of the shipped sources it may point into. */
export function isAllowedSourceFile(kind: SourceKind, file: string): boolean {
  return SOURCE_FILE_PATTERN[kind].test(file);
}

const MARKER_RE = /(?:\/\/|#)\s*lesson:([a-z0-9][a-z0-9-]*)(?![a-z0-9-])/;

/** Every `lesson:<id>` marker of a source text, with the (0-based) lines it is on. */
export function findMarkers(source: string): Map<string, number[]> {
  const markers = new Map<string, number[]>();
  splitLines(source).forEach((line, index) => {
    const m = MARKER_RE.exec(line);
    if (m) {
      const list = markers.get(m[1]!) ?? [];
      list.push(index);
      markers.set(m[1]!, list);
    }
  });
  return markers;
}

export function splitLines(source: string): string[] {
  return source.split(/\r?\n/);
}

/** A resolved anchor: 0-based, inclusive line numbers. */
export interface LineRange {
  readonly markerLine: number;
  readonly startLine: number;
  readonly endLine: number;
}

/**
 * Resolves an anchor against a source text. Fails when the marker is missing or used twice, the
 * range runs past the end, or the first/last line no longer reads what the anchor claims.
 */
export function resolveAnchor(source: string, anchor: Anchor): DecodeResult<LineRange> {
  const lines = splitLines(source);
  const found = findMarkers(source).get(anchor.marker) ?? [];
  if (found.length === 0) return { ok: false, reason: `marker "lesson:${anchor.marker}" not found` };
  if (found.length > 1) return { ok: false, reason: `marker "lesson:${anchor.marker}" appears ${found.length} times (lines ${found.map((l) => l + 1).join(', ')})` };
  const markerLine = found[0]!;
  const endLine = markerLine + anchor.lines;
  if (endLine >= lines.length) return { ok: false, reason: `lesson:${anchor.marker} + ${anchor.lines} lines runs past the end of the file` };
  const first = lines[markerLine + 1]!.trim();
  if (first !== anchor.first.trim()) {
    return { ok: false, reason: `lesson:${anchor.marker}: the first line reads ${JSON.stringify(first)}, the anchor expects ${JSON.stringify(anchor.first)}` };
  }
  const last = lines[endLine]!.trim();
  if (last !== anchor.last.trim()) {
    return { ok: false, reason: `lesson:${anchor.marker}: line ${endLine + 1} reads ${JSON.stringify(last)}, the anchor expects ${JSON.stringify(anchor.last)}` };
  }
  // A `last` that occurs twice in the range (a lone `}`) would not notice a shifted range.
  const repeats = lines.slice(markerLine + 1, endLine).filter((l) => l.trim() === last).length;
  if (repeats > 0) {
    return { ok: false, reason: `lesson:${anchor.marker}: the last line ${JSON.stringify(last)} also occurs earlier in the range; end the range on a line that occurs once` };
  }
  return { ok: true, value: { markerLine, startLine: markerLine, endLine } };
}

/**
 * A single line found by text below a marker (the live lens points: "the line under
 * `lesson:execute-job` that contains `await this.limiter.acquire()`").
 */
export interface LinePoint {
  readonly marker: string;
  /** Text the line contains; omitted = the first line after the marker. */
  readonly contains?: string;
  /** Search at most this many lines below the marker. */
  readonly within?: number;
  /** Lines below the found line (e.g. the `await` under a `case`). */
  readonly offset?: number;
}

export function resolvePoint(source: string, point: LinePoint): DecodeResult<number> {
  const lines = splitLines(source);
  const found = findMarkers(source).get(point.marker) ?? [];
  if (found.length !== 1) return { ok: false, reason: `marker "lesson:${point.marker}" found ${found.length} times` };
  const markerLine = found[0]!;
  if (point.contains === undefined) {
    return markerLine + 1 < lines.length ? { ok: true, value: markerLine + 1 } : { ok: false, reason: 'no line after the marker' };
  }
  const limit = Math.min(lines.length, markerLine + 1 + (point.within ?? 60));
  for (let i = markerLine + 1; i < limit; i++) {
    if (lines[i]!.includes(point.contains)) {
      const line = i + (point.offset ?? 0);
      return line < lines.length ? { ok: true, value: line } : { ok: false, reason: 'the offset runs past the end of the file' };
    }
  }
  return { ok: false, reason: `no line containing ${JSON.stringify(point.contains)} below lesson:${point.marker}` };
}

/** Fills `{name}` placeholders; unknown names stay as they are. */
export function format(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The index of the choice whose range holds `value`, or -1. */
export function choiceFor(predict: PredictSpec, value: number): number {
  return predict.choices.findIndex((c) => value >= c.min && (c.max === null || value <= c.max));
}
