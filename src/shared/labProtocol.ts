// The messages between the lab result panel's host (extension side) and its page (webview side).
// Declared once here, one zod schema per message, checked on arrival on both sides.
// No `vscode`, no DOM, no Node-only modules: both bundles import this file.
import { z } from 'zod';

const line = z.string().max(2000);
const paragraph = z.string().max(8000);
const labId = z.string().regex(/^[a-z0-9-]{1,64}$/);
const stepId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);

/** One finished lab, in the UI language (the host picks the language; the page only shows it). */
export const LabResultView = z.object({
  labId,
  number: z.number().int().min(1).max(99),
  title: line,
  claim: paragraph,
  confirmed: z.boolean(),
  summary: paragraph,
  figures: z.array(z.object({ label: line, value: paragraph })).max(100),
  tables: z
    .array(
      z.object({
        title: line,
        columns: z.array(line).max(20),
        rows: z.array(z.array(line).max(20)).max(500),
      }),
    )
    .max(10),
  notes: z.array(paragraph).max(20),
  walkthroughStep: stepId,
  channel: line,
  startedAt: z.number().int().nonnegative(),
  finishedAt: z.number().int().nonnegative(),
  /** Lifecycle events the lab heard (shown as a count; the events themselves stay on the host). */
  eventCount: z.number().int().nonnegative(),
});
export type LabResultView = z.infer<typeof LabResultView>;

/** Every string the page shows besides the results; filled by the host with `vscode.l10n.t`. */
export const LabStrings = z.object({
  title: line,
  empty: line,
  runLab: line,
  claim: line,
  confirmed: line,
  notShown: line,
  figures: line,
  notes: line,
  openTimeline: line,
  openWalkthrough: line,
  runAgain: line,
  /** `{0}` finish time, `{1}` duration, `{2}` channel, `{3}` event count. */
  meta: line,
  previous: line,
});
export type LabStrings = z.infer<typeof LabStrings>;

// ── host → page ──

/** The whole picture: the results of this session (the newest of each lab) and the one to show. */
export const LabSnapshotMessage = z.object({
  type: z.literal('snapshot'),
  locale: z.string().max(35),
  strings: LabStrings,
  results: z.array(LabResultView).max(20),
  /** The lab shown first (the one that just finished). */
  selected: labId.optional(),
});
export type LabSnapshotMessage = z.infer<typeof LabSnapshotMessage>;

export const LabHostMessage = z.discriminatedUnion('type', [LabSnapshotMessage]);
export type LabHostMessage = z.infer<typeof LabHostMessage>;

// ── page → host ── (strict: the page is the less trusted side)

export const LabReadyMessage = z.object({ type: z.literal('ready') }).strict();
export const LabOpenTimelineMessage = z.object({ type: z.literal('openTimeline') }).strict();
export const LabOpenWalkthroughMessage = z.object({ type: z.literal('openWalkthrough'), step: stepId }).strict();
/** Run a lab again (or pick one when `labId` is absent). */
export const LabRunMessage = z.object({ type: z.literal('runLab'), labId: labId.optional() }).strict();

export const LabPageMessage = z.discriminatedUnion('type', [LabReadyMessage, LabOpenTimelineMessage, LabOpenWalkthroughMessage, LabRunMessage]);
export type LabPageMessage = z.infer<typeof LabPageMessage>;
