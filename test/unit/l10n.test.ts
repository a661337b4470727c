// Japanese is a first-class language: every runtime string and every contributed string has a translation.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The message literals passed to `l10n.t(...)` (single-quoted or template-less backtick strings). */
function l10nMessages(): Map<string, string> {
  const found = new Map<string, string>();
  const pattern = /l10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g;
  for (const file of sources(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(pattern)) found.set(m[1].replace(/\\'/g, "'").replace(/\\\\/g, '\\'), file);
  }
  return found;
}

describe('localisation', () => {
  it('every vscode.l10n.t message has a Japanese translation in l10n/bundle.l10n.ja.json', () => {
    const ja = JSON.parse(readFileSync(join(root, 'l10n', 'bundle.l10n.ja.json'), 'utf8')) as Record<string, string>;
    const missing = [...l10nMessages()].filter(([m]) => !ja[m]?.trim()).map(([m, f]) => `${m}  (${f.slice(root.length + 1)})`);
    assert.deepEqual(missing, []);
  });

  it('package.nls.ja.json translates every key of package.nls.json, and package.json uses only known keys', () => {
    const en = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const ja = JSON.parse(readFileSync(join(root, 'package.nls.ja.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(ja).sort(), Object.keys(en).sort());
    for (const [k, v] of Object.entries(ja)) assert.ok(v.trim(), `empty Japanese text for ${k}`);
    const manifest = readFileSync(join(root, 'package.json'), 'utf8');
    const used = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.deepEqual(used.filter((k) => !(k in en)), []);
  });
});
