// Turns lesson data plus source texts into what the panel shows: each step's and pattern's
// anchors resolved to line ranges (with the lines' text). Pure: the caller supplies the sources.
import { anchorFile, resolveAnchor, splitLines, type Anchor, type Lessons, type SourceKind } from '../../shared/lessons';
import type { CodeRef, PatternView, StepView } from '../../shared/walkthroughProtocol';

/** Source texts by relative file path; a missing entry means the file could not be read. */
export type SourceTexts = ReadonlyMap<string, string>;

/** Every file the lessons point into, by kind. */
export function sourceFiles(lessons: Lessons): Array<{ kind: SourceKind; file: string }> {
  const seen = new Map<string, SourceKind>();
  const add = (kind: SourceKind, anchor: Anchor | undefined) => anchor && seen.set(anchorFile(kind, anchor), kind);
  for (const step of lessons.steps) {
    add('ts', step.code.ts);
    add('py', step.code.py);
  }
  for (const pattern of lessons.patterns) {
    add('ts', pattern.code.ts);
    add('py', pattern.code.py);
  }
  return [...seen].map(([file, kind]) => ({ kind, file }));
}

export function codeRef(kind: SourceKind, anchor: Anchor, sources: SourceTexts): CodeRef {
  const file = anchorFile(kind, anchor);
  const text = sources.get(file);
  if (text === undefined) return { ok: false, file, reason: 'the file could not be read' };
  const range = resolveAnchor(text, anchor);
  if (!range.ok) return { ok: false, file, reason: range.reason };
  const lines = splitLines(text).slice(range.value.startLine, range.value.endLine + 1);
  return { ok: true, file, from: range.value.startLine + 1, to: range.value.endLine + 1, lines };
}

export function buildViews(lessons: Lessons, sources: SourceTexts): { steps: StepView[]; patterns: PatternView[] } {
  return {
    steps: lessons.steps.map((spec) => ({ spec, code: { ts: codeRef('ts', spec.code.ts, sources), py: codeRef('py', spec.code.py, sources) } })),
    patterns: lessons.patterns.map((spec) => ({
      spec,
      code: {
        ...(spec.code.ts ? { ts: codeRef('ts', spec.code.ts, sources) } : {}),
        ...(spec.code.py ? { py: codeRef('py', spec.code.py, sources) } : {}),
      },
    })),
  };
}
