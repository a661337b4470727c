// The walkthrough's lesson data against the sources it teaches: every anchor must still point at
// the lines it claims, in the shipped src/worker/*.ts and in media/python/worker.py.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  LANGUAGES,
  UI_KEYS,
  anchorFile,
  findMarkers,
  isAllowedSourceFile,
  parseLessons,
  resolveAnchor,
  resolvePoint,
  type Anchor,
  type Lessons,
  type LessonFiles,
  type SourceKind,
} from '../../src/shared/lessons';
import { readLessonFiles } from '../../src/extension/walkthrough/lessonFiles';
import { buildViews, sourceFiles } from '../../src/extension/walkthrough/views';
import { LENS_POINTS } from '../../src/extension/walkthrough/lensCounts';

const ROOT = join(__dirname, '..', '..', '..');
const source = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const WORKER_TS = 'src/worker/worker.ts';
const WORKER_PY = 'media/python/worker.py';
/** The markers the chapter's story needs in the running worker. */
const TS_MARKERS = ['subscribe', 'receive', 'create-task', 'handle-event', 'execute-job', 'await-sleep', 'block', 'two-phase-termination'];

describe('walkthrough lessons', () => {
  let files: LessonFiles;
  let lessons: Lessons;

  before(async () => {
    files = await readLessonFiles(ROOT);
    const parsed = parseLessons(files);
    if (!parsed.ok) throw new Error(parsed.reason);
    lessons = parsed.value;
  });

  it('loads every step file, the patterns and the UI strings', () => {
    assert.ok(lessons.steps.length >= 12, `only ${lessons.steps.length} steps`);
    assert.equal(lessons.steps.length, files.steps.length);
    assert.equal(lessons.patterns.length, 12);
    const orders = lessons.steps.map((s) => s.order);
    assert.deepEqual(orders, [...orders].sort((a, b) => a - b), 'steps come in ascending order');
  });

  it('covers all twelve patterns of the chapter, with the seed app\'s matches as the chapter states them', () => {
    const byName = new Map(lessons.patterns.map((p) => [p.text.en.name, p]));
    const expected: Record<string, string> = {
      'Single Threaded Execution': 'none', Immutable: 'none', 'Guarded Suspension': 'none', Balking: 'none',
      'Producer-Consumer': 'strong', 'Read-Write Lock': 'none', 'Thread-Per-Message': 'strong', 'Worker Thread': 'strong',
      Future: 'weak', 'Two-Phase Termination': 'none', 'Thread-Specific Storage': 'none', 'Active Object': 'none',
    };
    assert.deepEqual([...byName.keys()].sort(), Object.keys(expected).sort());
    for (const [name, seed] of Object.entries(expected)) assert.equal(byName.get(name)!.seed, seed, name);
    assert.equal(byName.get('Two-Phase Termination')!.ours, 'strong', 'our worker has the graceful stop the seed lacks');
  });

  it('has the chapter\'s topics as steps', () => {
    const ids = lessons.steps.map((s) => s.id);
    for (const id of ['concurrency-vs-parallelism', 'async-await', 'subscribe-loop', 'thread-per-message', 'await-sleep', 'producer-consumer', 'future-weak', 'no-limit', 'no-ordering', 'one-process', 'two-phase-termination']) {
      assert.ok(ids.includes(id), `missing step ${id}`);
    }
    const predicting = lessons.steps.filter((s) => s.predict);
    assert.ok(predicting.length >= 3, `only ${predicting.length} steps ask for a prediction`);
  });

  describe('anchors resolve to the lines they claim', () => {
    const check = (owner: string, kind: SourceKind, anchor: Anchor) => {
      const file = anchorFile(kind, anchor);
      assert.ok(isAllowedSourceFile(kind, file), `${owner}: ${file} is not a shipped walkthrough source`);
      const result = resolveAnchor(source(file), anchor);
      assert.ok(result.ok, `${owner} (${kind}): ${result.ok ? '' : result.reason}`);
      return result.value;
    };

    it('every step, in the worker source and in worker.py', () => {
      for (const step of lessons.steps) {
        const ts = check(`step ${step.id}`, 'ts', step.code.ts);
        const py = check(`step ${step.id}`, 'py', step.code.py);
        assert.equal(ts.endLine - ts.startLine, step.code.ts.lines);
        assert.equal(py.endLine - py.startLine, step.code.py.lines);
      }
    });

    it('every pattern link', () => {
      for (const pattern of lessons.patterns) {
        if (pattern.code.ts) check(`pattern ${pattern.id}`, 'ts', pattern.code.ts);
        if (pattern.code.py) check(`pattern ${pattern.id}`, 'py', pattern.code.py);
      }
    });

    it('the views built for the panel carry the claimed lines', () => {
      const sources = new Map(sourceFiles(lessons).map(({ file }) => [file, source(file)]));
      const { steps } = buildViews(lessons, sources);
      for (const view of steps) {
        for (const kind of ['ts', 'py'] as const) {
          const ref = view.code[kind];
          assert.ok(ref.ok, `${view.spec.id}/${kind}`);
          const anchor = view.spec.code[kind];
          assert.equal(ref.lines.length, anchor.lines + 1);
          assert.match(ref.lines[0]!, new RegExp(`lesson:${anchor.marker}\\b`));
          assert.equal(ref.lines[1]!.trim(), anchor.first);
          assert.equal(ref.lines.at(-1)!.trim(), anchor.last);
        }
      }
    });

    it('each chapter marker is in the worker source exactly once, and shown by some step', () => {
      const markers = findMarkers(source(WORKER_TS));
      const shown = new Set(lessons.steps.map((s) => s.code.ts.marker));
      for (const id of TS_MARKERS) {
        assert.equal(markers.get(id)?.length, 1, `lesson:${id} in ${WORKER_TS}`);
        assert.ok(shown.has(id), `no step shows lesson:${id}`);
      }
      const pyMarkers = findMarkers(source(WORKER_PY));
      for (const [id, lines] of pyMarkers) assert.equal(lines.length, 1, `lesson:${id} in ${WORKER_PY}`);
    });

    it('the live lens points are found in the worker source', () => {
      const text = source(WORKER_TS);
      const line = (id: keyof typeof LENS_POINTS) => {
        const r = resolvePoint(text, LENS_POINTS[id]);
        assert.ok(r.ok, `${id}: ${r.ok ? '' : r.reason}`);
        return text.split('\n')[r.value]!.trim();
      };
      assert.equal(line('sleep'), 'await sleep(job.durationMs);');
      assert.equal(line('block'), 'blockFor(job.durationMs);');
      assert.equal(line('limiter'), 'await this.limiter.acquire();');
      assert.equal(line('fail'), 'await sleep(job.durationMs);');
      assert.match(line('subscribe'), /subscribe|on\('message'/);
      assert.match(line('createTask'), /this\.handleEvent\(/);
    });
  });

  describe('an anchor that drifts fails', () => {
    const text = () => source(WORKER_TS);
    const anchor: Anchor = { marker: 'await-sleep', lines: 1, first: 'await sleep(job.durationMs);', last: 'await sleep(job.durationMs);' };

    it('resolves on the real source', () => {
      assert.ok(resolveAnchor(text(), anchor).ok);
    });

    it('when the marker is missing', () => {
      const r = resolveAnchor(text().replace('// lesson:await-sleep', '// (marker removed)'), anchor);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.reason : '', /not found/);
    });

    it('when the marker is duplicated', () => {
      const r = resolveAnchor(text().replace('// lesson:block', '// lesson:await-sleep'), anchor);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.reason : '', /appears 2 times/);
    });

    it('when the claimed text no longer matches', () => {
      const r = resolveAnchor(text().replace('await sleep(job.durationMs);\n        return;', 'await sleep(job.durationMs * 2);\n        return;'), anchor);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.reason : '', /first line reads/);
    });

    it('when a line is inserted inside the range', () => {
      const step = lessons.steps.find((s) => s.code.ts.marker === 'execute-job')!;
      const shifted = text().replace("case 'sleep':", "case 'sleep':\n        // an inserted line");
      const r = resolveAnchor(shifted, step.code.ts);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.reason : '', /reads/);
    });

    it('for every step and pattern anchor, when a line is inserted into or removed from its range', () => {
      const anchors: Array<[string, SourceKind, Anchor]> = [];
      for (const st of lessons.steps) anchors.push([st.id, 'ts', st.code.ts], [st.id, 'py', st.code.py]);
      for (const p of lessons.patterns) for (const kind of ['ts', 'py'] as const) if (p.code[kind]) anchors.push([p.id, kind, p.code[kind]!]);
      for (const [owner, kind, a] of anchors) {
        const lines = source(anchorFile(kind, a)).split('\n');
        const marker = lines.findIndex((l) => new RegExp(`lesson:${a.marker}(?![a-z0-9-])`).test(l));
        const inserted = [...lines.slice(0, marker + 1), '', ...lines.slice(marker + 1)].join('\n');
        assert.equal(resolveAnchor(inserted, a).ok, false, `${owner}/${kind}: a line inserted after the marker went unnoticed`);
        if (a.lines >= 2) {
          const removed = [...lines.slice(0, marker + 2), ...lines.slice(marker + 3)].join('\n');
          assert.equal(resolveAnchor(removed, a).ok, false, `${owner}/${kind}: a line removed from the range went unnoticed`);
        }
      }
    });

    it('an anchor whose last line is not distinctive in its range', () => {
      const r = resolveAnchor('// lesson:x\nif (a) {\n}\nif (b) {\n}\n', { marker: 'x', lines: 4, first: 'if (a) {', last: '}' });
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.reason : '', /occurs earlier in the range/);
    });

    it('when the range runs past the end of the file', () => {
      assert.equal(resolveAnchor(text(), { ...anchor, lines: 100_000 }).ok, false);
    });

    it('a marker name that is a prefix of another does not count as it', () => {
      assert.equal(findMarkers('// lesson:await-sleepy\n').get('await-sleep'), undefined);
    });
  });

  describe('both languages, no empty text', () => {
    /** Walks two values in parallel and reports where they differ in shape or a string is blank. */
    const compare = (en: unknown, ja: unknown, path: string, problems: string[]) => {
      if (typeof en === 'string' || typeof ja === 'string') {
        if (typeof en !== 'string' || typeof ja !== 'string') problems.push(`${path}: only one language has text`);
        else {
          if (!en.trim()) problems.push(`${path}: empty in en`);
          if (!ja.trim()) problems.push(`${path}: empty in ja`);
        }
        return;
      }
      if (Array.isArray(en) || Array.isArray(ja)) {
        if (!Array.isArray(en) || !Array.isArray(ja) || en.length !== ja.length) {
          problems.push(`${path}: different lengths`);
          return;
        }
        en.forEach((e, i) => compare(e, ja[i], `${path}[${i}]`, problems));
        return;
      }
      if (en && ja && typeof en === 'object' && typeof ja === 'object') {
        const keys = new Set([...Object.keys(en), ...Object.keys(ja)]);
        for (const k of keys) compare((en as Record<string, unknown>)[k], (ja as Record<string, unknown>)[k], `${path}.${k}`, problems);
        return;
      }
      problems.push(`${path}: missing in one language`);
    };

    it('every step', () => {
      const problems: string[] = [];
      for (const step of lessons.steps) compare(step.text.en, step.text.ja, step.id, problems);
      assert.deepEqual(problems, []);
    });

    it('every pattern', () => {
      const problems: string[] = [];
      for (const p of lessons.patterns) compare(p.text.en, p.text.ja, p.id, problems);
      assert.deepEqual(problems, []);
    });

    it('the panel\'s own strings', () => {
      const problems: string[] = [];
      compare(lessons.ui.en, lessons.ui.ja, 'ui', problems);
      assert.deepEqual(problems, []);
      for (const lang of LANGUAGES) assert.deepEqual(Object.keys(lessons.ui[lang]).sort(), [...UI_KEYS].sort());
    });

    it('the Japanese text is Japanese', () => {
      const kana = /[\u3040-\u30ff\u4e00-\u9fff]/;
      for (const step of lessons.steps) {
        assert.match(step.text.ja.title, kana, step.id);
        step.text.ja.body.forEach((p, i) => assert.match(p, kana, `${step.id} body[${i}]`));
      }
      for (const p of lessons.patterns) assert.match(p.text.ja.idea, kana, p.id);
    });
  });

  describe('the loader rejects bad data with the file name', () => {
    const withStep = (mutate: (step: Record<string, any>) => void): LessonFiles => {
      const step = JSON.parse(files.steps[0]!.text) as Record<string, any>;
      mutate(step);
      return { ...files, steps: [{ name: 'bad.json', text: JSON.stringify(step) }, ...files.steps.slice(1)] };
    };
    const reason = (f: LessonFiles) => {
      const r = parseLessons(f);
      assert.equal(r.ok, false);
      return r.ok ? '' : r.reason;
    };

    it('an empty Japanese title', () => {
      assert.match(reason(withStep((s) => (s.text.ja.title = '  '))), /^bad\.json: text\.ja\.title: must not be empty/);
    });

    it('a step without its Japanese text', () => {
      assert.match(reason(withStep((s) => delete s.text.ja)), /^bad\.json: text\.ja/);
    });

    it('a button without a label in one language', () => {
      assert.match(reason(withStep((s) => (s.text.en.actions = {}))), /text\.en\.actions must label exactly/);
    });

    it('prediction choices that do not match', () => {
      assert.match(reason(withStep((s) => s.text.ja.predict.choices.pop())), /text\.ja\.predict\.choices needs/);
    });

    it('a duplicate step id', () => {
      const f = { ...files, steps: [...files.steps, { name: 'copy.json', text: files.steps[0]!.text }] };
      assert.match(reason(f), /^copy\.json: step id .* is also used by/);
    });

    it('an anchor into a file outside the shipped sources', () => {
      assert.equal(isAllowedSourceFile('ts', '../../etc/passwd'), false);
      assert.equal(isAllowedSourceFile('ts', 'src/extension/commands.ts'), false);
      assert.equal(isAllowedSourceFile('py', 'media/python/worker.py'), true);
    });
  });
});
