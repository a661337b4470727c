// Messages between the walkthrough panel's host (src/extension/walkthrough) and its page
// (src/webview/walkthrough). One schema per message; both sides check every message on arrival
// with `check()` and log (never act on) anything that does not match.
import { z } from 'zod';
import { Language, Measure, PatternSpec, SourceKind, StepSpec, UiFile } from './lessons';

const stepId = z.string().min(1).max(64);
const count = z.number().int().nonnegative();

/** Where a step's lines are in one source file; `lines` holds their text (1-based, inclusive range). */
export const CodeRef = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), file: z.string(), from: z.number().int().positive(), to: z.number().int().positive(), lines: z.array(z.string()).max(400) }).strict(),
  z.object({ ok: z.literal(false), file: z.string(), reason: z.string() }).strict(),
]);
export type CodeRef = z.infer<typeof CodeRef>;

export const StepView = z.object({ spec: StepSpec, code: z.object({ ts: CodeRef, py: CodeRef }).strict() }).strict();
export type StepView = z.infer<typeof StepView>;

export const PatternView = z.object({ spec: PatternSpec, code: z.object({ ts: CodeRef.optional(), py: CodeRef.optional() }).strict() }).strict();
export type PatternView = z.infer<typeof PatternView>;

/** What the worker(s) are doing now, counted from the task model. */
export const LiveView = z
  .object({
    workersOnline: count,
    inFlight: count,
    running: count,
    sleeping: count,
    blocked: count,
    failing: count,
    queued: count,
    /** CPU cores the heartbeats reported while the walkthrough was open, ascending. */
    cores: z.array(count).max(1024),
    lastCore: count.nullable(),
  })
  .strict();
export type LiveView = z.infer<typeof LiveView>;

/** The state of one measured run (a prediction step's publish button). */
export const MeasurementView = z
  .object({
    runId: count,
    measure: Measure,
    status: z.enum(['running', 'done', 'timeout', 'failed']),
    /** Tasks expected: jobs × workers that received them. */
    total: count,
    finished: count,
    workers: count,
    /** The value the prediction is checked against (ms, tasks, or 1/0 for in order). */
    value: z.number().optional(),
    makespanMs: count.optional(),
    peak: count.optional(),
    published: z.array(count).max(1000).optional(),
    finishedOrder: z.array(count).max(1000).optional(),
    timeoutMs: count.optional(),
    reason: z.string().max(1000).optional(),
  })
  .strict();
export type MeasurementView = z.infer<typeof MeasurementView>;

// ── host → page ──

/** The full state, sent in answer to `ready` (and after the lesson files change). */
export const Snapshot = z
  .object({
    type: z.literal('snapshot'),
    language: Language,
    stepId,
    steps: z.array(StepView).min(1),
    patterns: z.array(PatternView),
    ui: UiFile,
    predictions: z.record(count),
    measurements: z.record(MeasurementView),
    live: LiveView,
  })
  .strict();
export type Snapshot = z.infer<typeof Snapshot>;

/** Live figures, at most ~10 times a second and only while the panel is visible. */
export const LiveUpdate = z.object({ type: z.literal('live'), live: LiveView }).strict();
export const MeasurementUpdate = z.object({ type: z.literal('measurement'), stepId, measurement: MeasurementView }).strict();
/** The host moved to a step (the command was run with a step id). */
export const ShowStep = z.object({ type: z.literal('showStep'), stepId }).strict();
/** A step button that is not measured finished; `error` is already in the display language. */
export const ActionResult = z.object({ type: z.literal('actionResult'), stepId, actionId: z.string(), ok: z.boolean(), error: z.string().max(1000).optional() }).strict();

export const HostMessage = z.discriminatedUnion('type', [Snapshot, LiveUpdate, MeasurementUpdate, ShowStep, ActionResult]);
export type HostMessage = z.infer<typeof HostMessage>;

// ── page → host ──

export const Ready = z.object({ type: z.literal('ready') }).strict();
export const GoToStep = z.object({ type: z.literal('goToStep'), stepId }).strict();
export const SetLanguage = z.object({ type: z.literal('setLanguage'), language: Language }).strict();
export const RunAction = z.object({ type: z.literal('runAction'), stepId, actionId: z.string().min(1).max(64) }).strict();
/** `choice: null` clears the prediction (to predict again). */
export const Predict = z.object({ type: z.literal('predict'), stepId, choice: count.max(5).nullable() }).strict();
/** Show a step's or a pattern's lines in an editor. */
export const Reveal = z.object({ type: z.literal('reveal'), owner: z.enum(['step', 'pattern']), id: stepId, source: SourceKind }).strict();

export const PageMessage = z.discriminatedUnion('type', [Ready, GoToStep, SetLanguage, RunAction, Predict, Reveal]);
export type PageMessage = z.infer<typeof PageMessage>;
