// A lab result (both languages, every event) → what the page shows (one language, bounded sizes).
import type { LabResult, Language } from '../../labs';
import type { LabResultView } from '../../shared/labProtocol';

const MAX_ROWS = 500;

export function toResultView(result: LabResult, language: Language): LabResultView {
  const t = (x: { en: string; ja: string }) => x[language];
  return {
    labId: result.labId,
    number: result.number,
    title: t(result.title),
    claim: t(result.claim),
    confirmed: result.confirmed,
    summary: t(result.summary),
    figures: result.figures.map((f) => ({ label: t(f.label), value: f.value })),
    tables: result.tables.map((table) => ({
      title: t(table.title),
      columns: table.columns.map(t),
      rows: table.rows.slice(0, MAX_ROWS).map((row) => [...row]),
    })),
    notes: result.notes.map(t),
    walkthroughStep: result.walkthroughStep,
    channel: result.channel,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    eventCount: result.events.length,
  };
}
