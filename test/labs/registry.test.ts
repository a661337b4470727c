// The lab registry: every lab is listed once, in order, in both languages, and points at a
// walkthrough step that exists in media/lessons.
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LABS } from '../../src/labs';
import { parseLessons } from '../../src/shared/lessons';

const root = join(__dirname, '..', '..', '..');

describe('lab registry', () => {
  it('lists the 8 labs in order, each with text in English and Japanese', () => {
    assert.deepEqual(LABS.map((l) => l.number), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(new Set(LABS.map((l) => l.id)).size, 8);
    for (const lab of LABS) {
      for (const t of [lab.title, lab.description, lab.claim]) {
        assert.ok(t.en.trim() && t.ja.trim(), `lab ${lab.number} has text in both languages`);
        assert.notEqual(t.en, t.ja);
      }
      assert.ok(lab.estimateMs > 0);
    }
    assert.deepEqual(LABS.filter((l) => l.kind === 'blind-spot').map((l) => l.number), [7, 8]);
  });

  it('asks before the 10,000-job burst and only then', () => {
    assert.deepEqual(LABS.filter((l) => l.confirmation).map((l) => l.number), [3]);
  });

  it('links every lab to a walkthrough step that exists', () => {
    const dir = join(root, 'media', 'lessons', 'steps');
    const lessons = parseLessons({
      steps: readdirSync(dir).filter((f) => f.endsWith('.json')).map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })),
      patterns: readFileSync(join(root, 'media', 'lessons', 'patterns.json'), 'utf8'),
      ui: readFileSync(join(root, 'media', 'lessons', 'ui.json'), 'utf8'),
    });
    assert.ok(lessons.ok, lessons.ok ? '' : lessons.reason);
    const ids = new Set(lessons.value.steps.map((s) => s.id));
    for (const lab of LABS) assert.ok(ids.has(lab.walkthroughStep), `lab ${lab.number} → step "${lab.walkthroughStep}"`);
  });
});
