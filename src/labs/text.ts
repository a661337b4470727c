// Lab text comes in both languages at once; the UI picks one. Numbers are formatted the same way in
// both (digits, commas and units read the same in Japanese), so a figure never needs translating.

export interface Text {
  readonly en: string;
  readonly ja: string;
}

export function text(en: string, ja: string): Text {
  return { en, ja };
}

export type Language = keyof Text;

export function pick(t: Text, language: Language): string {
  return t[language];
}

/** `1,234 ms` below 10 s, `12.3 s` above. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const rounded = Math.round(value);
  return Math.abs(rounded) < 10_000 ? `${rounded.toLocaleString('en-US')} ms` : `${(value / 1000).toFixed(1)} s`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `×${value.toFixed(2)}` : '—';
}
