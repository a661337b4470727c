// Reads the extension host's own log (remoteexthost.log, one per window) that code-server writes
// under <user-data-dir>/logs/<session>/exthost<N>/. Uncaught errors of extensions land there.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface LogEntry {
  readonly file: string;
  readonly time: string;
  readonly level: string;
  /** The first line and its continuation lines (stack). */
  readonly text: string;
}

const ENTRY = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) \[(\w+)\] /;

export function hostLogFiles(userDataDir: string): string[] {
  const logs = join(userDataDir, 'logs');
  if (!existsSync(logs)) return [];
  const files: string[] = [];
  for (const session of readdirSync(logs)) {
    const dir = join(logs, session);
    if (!statSync(dir).isDirectory()) continue;
    for (const host of readdirSync(dir)) {
      const file = join(dir, host, 'remoteexthost.log');
      if (/^exthost\d+$/.test(host) && existsSync(file)) files.push(file);
    }
  }
  return files.sort();
}

/** Remembers how far each log was read, so that each scenario sees only its own entries. */
export class HostLogReader {
  private readonly offsets = new Map<string, number>();

  constructor(private readonly userDataDir: string) {}

  /** Marks everything written so far as read. */
  skipToEnd(): void {
    for (const file of hostLogFiles(this.userDataDir)) this.offsets.set(file, statSync(file).size);
  }

  /** Every entry of the extension host process `pid`. */
  entriesOf(pid: number): LogEntry[] {
    const file = logOfHost(this.userDataDir, pid);
    return file ? parse(file, readFileSync(file, 'utf8')) : [];
  }

  /** Entries written since the last call. */
  readNew(): LogEntry[] {
    const entries: LogEntry[] = [];
    for (const file of hostLogFiles(this.userDataDir)) {
      const content = readFileSync(file);
      const from = this.offsets.get(file) ?? 0;
      this.offsets.set(file, content.length);
      entries.push(...parse(file, content.subarray(from).toString('utf8')));
    }
    return entries;
  }
}

/** The log of the extension host process `pid` (each host writes "Extension host with pid N started"). */
export function logOfHost(userDataDir: string, pid: number): string | undefined {
  const marker = `Extension host with pid ${pid} started`;
  return hostLogFiles(userDataDir).find((file) => readFileSync(file, 'utf8').includes(marker));
}

export function parse(file: string, text: string): LogEntry[] {
  const entries: { file: string; time: string; level: string; lines: string[] }[] = [];
  for (const line of text.split('\n')) {
    const m = ENTRY.exec(line);
    if (m) entries.push({ file, time: m[1], level: m[2], lines: [line] });
    else if (line.trim() && entries.length) entries[entries.length - 1].lines.push(line);
  }
  return entries.map((e) => ({ file: e.file, time: e.time, level: e.level, text: e.lines.join('\n') }));
}

/** `[error]` entries that none of `expected` explains and that are not another extension's. */
export function unexpectedErrors(entries: readonly LogEntry[], expected: readonly RegExp[] = []): LogEntry[] {
  return entries.filter((e) => e.level === 'error' && !expected.some((re) => re.test(e.text)) && !fromBuiltInExtension(e) && !bareSocketReset(e));
}

/**
 * True for a connection reset whose stack holds nothing but Node's own socket code: the window's
 * connections to the server are cut when a scenario closes it, and such an entry names no code of
 * any extension. An error thrown by our code always has a frame of ours and is never skipped here.
 */
export function bareSocketReset(e: LogEntry): boolean {
  const [first, ...rest] = e.text.split('\n');
  const frames = rest.filter((l) => /^\s+at /.test(l));
  return /\b(ECONNRESET|EPIPE)\b/.test(first) && frames.every((l) => /\(node:|at node:/.test(l));
}

/**
 * True for an error raised inside one of VS Code's own built-in extensions (for example the JSON
 * language client logging after its channel closed at shutdown) with no frame of ours in it.
 */
export function fromBuiltInExtension(e: LogEntry): boolean {
  const frames = e.text.split('\n').filter((l) => /^\s+at /.test(l));
  const builtIn = frames.some((l) => /[\\/]lib[\\/]vscode[\\/]extensions[\\/]/.test(l));
  // Our frames: the installed extension folder (publisher.name-version) or the bundles in dist/.
  const ours = frames.some((l) => /concurrency-lab\.concurrency-lab-|[\\/]dist[\\/](extension|worker)\.js/.test(l));
  return builtIn && !ours;
}

/**
 * A readable digest of error entries: identical errors (same message, same first frame in an
 * extension) are counted once, with the full text of the first occurrence.
 */
export function summarizeErrors(entries: readonly LogEntry[]): string {
  const groups = new Map<string, { count: number; first: LogEntry }>();
  for (const e of entries) {
    const lines = e.text.split('\n');
    const message = lines[0].replace(/^\S+ \S+ \[\w+\] /, '');
    const frame = lines.find((l) => /[\\/](exts|extensions|dist)[\\/]/.test(l) && /^\s+at /.test(l))?.trim() ?? '';
    const key = `${message}\n${frame}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { count: 1, first: e });
  }
  return [...groups.values()].map(({ count, first }) => `${count} × ${first.text}`).join('\n');
}
