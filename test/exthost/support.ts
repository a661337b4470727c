// Helpers for suites that run inside the extension host: reach the live extension, wait for a
// condition that events announce, and look at processes.
import * as vscode from 'vscode';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { ConcurrencyLabApi } from '../../src/extension';

export const EXTENSION_ID = 'concurrency-lab.concurrency-lab';

export function extension(): vscode.Extension<ConcurrencyLabApi> {
  const ext = vscode.extensions.getExtension<ConcurrencyLabApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this extension host`);
  return ext;
}

export async function activateApi(): Promise<ConcurrencyLabApi> {
  const api = await extension().activate();
  if (!api?.services) throw new Error('activate() did not return { services }');
  return api;
}

interface EventLike {
  (listener: () => void): { dispose(): void };
}

/**
 * Resolves with check()'s first truthy value. It is re-evaluated whenever one of `events` fires,
 * and every 200 ms for things no event announces (a process exiting). The test's own timeout
 * bounds the wait; `what` names the condition in that failure.
 */
export function waitFor<T>(what: string, check: () => T | undefined | false | null, events: EventLike[] = []): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const subscriptions: { dispose(): void }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearInterval(timer);
      subscriptions.forEach((s) => s.dispose());
    };
    const evaluate = () => {
      try {
        const value = check();
        if (value) {
          done();
          resolve(value);
        }
      } catch (error) {
        done();
        reject(error);
      }
    };
    for (const event of events) subscriptions.push(event(() => evaluate()));
    timer = setInterval(evaluate, 200);
    waiting.set(what, done);
    evaluate();
  }).finally(() => waiting.delete(what));
}

/** Open waits, so that an `afterEach` can cancel what a timed-out test left behind. */
const waiting = new Map<string, () => void>();

export function cancelWaits(): void {
  for (const done of waiting.values()) done();
  waiting.clear();
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command lines of every live descendant of `pid` (Linux /proc; elsewhere an empty list). */
export function descendantsOf(pid: number): { pid: number; command: string }[] {
  if (!existsSync('/proc/self/stat')) return [];
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: { pid: number; command: string }[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      let command = '';
      try {
        command = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim();
      } catch {
        continue; // gone meanwhile
      }
      out.push({ pid: child, command });
      queue.push(child);
    }
  }
  return out;
}

/** Worker processes (dist/worker.js) below this extension host. */
export function workerProcesses(): { pid: number; command: string }[] {
  return descendantsOf(process.pid).filter((p) => /dist[\\/]worker\.js/.test(p.command));
}

/** A channel name no other test or run uses. */
export function uniqueChannel(prefix = 'exthost'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
