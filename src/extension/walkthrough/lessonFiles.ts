// Reads the lesson data and the worker sources from the extension's folder. Node's fs only, no
// `vscode`, so the unit tests load exactly what the extension loads.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isAllowedSourceFile, parseLessons, type LessonFiles, type Lessons, type SourceKind } from '../../shared/lessons';
import type { DecodeResult } from '../../shared/protocol';

export const LESSONS_DIR = join('media', 'lessons');
export const STEPS_DIR = join(LESSONS_DIR, 'steps');

/** Every `*.json` in media/lessons/steps (one file per step), plus patterns.json and ui.json. */
export async function readLessonFiles(extensionRoot: string): Promise<LessonFiles> {
  const stepsDir = join(extensionRoot, STEPS_DIR);
  const names = (await readdir(stepsDir)).filter((n) => n.endsWith('.json')).sort();
  const steps = await Promise.all(names.map(async (name) => ({ name, text: await readFile(join(stepsDir, name), 'utf8') })));
  const [patterns, ui] = await Promise.all([
    readFile(join(extensionRoot, LESSONS_DIR, 'patterns.json'), 'utf8'),
    readFile(join(extensionRoot, LESSONS_DIR, 'ui.json'), 'utf8'),
  ]);
  return { steps, patterns, ui };
}

export async function loadLessons(extensionRoot: string): Promise<DecodeResult<Lessons>> {
  try {
    return parseLessons(await readLessonFiles(extensionRoot));
  } catch (error) {
    return { ok: false, reason: `cannot read the lesson files: ${(error as Error).message}` };
  }
}

/** Reads a shipped source file an anchor points into; refuses any other path. */
export async function readSource(extensionRoot: string, kind: SourceKind, file: string): Promise<string> {
  if (!isAllowedSourceFile(kind, file)) throw new Error(`not a walkthrough source: ${file}`);
  return readFile(join(extensionRoot, ...file.split('/')), 'utf8');
}
