// Everything the runner starts is registered here, so that it is stopped on success, on failure
// and on Ctrl+C alike; and checks that no process outlived its owner.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Resolves with the pids still alive after `timeoutMs` (empty when all exited). */
export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
}

/** Live processes whose command line contains `marker` (e.g. a run's temporary folder). Linux only. */
export function processesMentioning(marker: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (command.includes(marker)) found.push({ pid: Number(name), command });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}


/** A stack of stop steps; each runs once, the last added first. */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];

  /** Registers a step and returns a function that runs it now (and removes it from the stack). */
  add<T>(name: string, step: () => Promise<T> | T): () => Promise<T | undefined> {
    let done: Promise<T | undefined> | undefined;
    const run = () => {
      done ??= (async () => {
        const i = this.steps.findIndex((s) => s.run === run);
        if (i >= 0) this.steps.splice(i, 1);
        try {
          return await step();
        } catch (error) {
          console.error(`[cleanup] ${name}: ${(error as Error).message}`);
          return undefined;
        }
      })();
      return done;
    };
    this.steps.push({ name, run });
    return run;
  }

  async runAll(): Promise<void> {
    while (this.steps.length) await this.steps[this.steps.length - 1].run();
  }
}

/**
 * Environment that keeps the temporary files of a code-server run (the extension host's
 * vscode-ipc-*.sock, which survive a killed host) inside the run folder, when the socket paths
 * stay short enough for a Unix socket.
 */
export function privateTmpEnv(root: string): Record<string, string> {
  const dir = join(root, 'tmp');
  if (dir.length + '/vscode-ipc-00000000-0000-0000-0000-000000000000.sock'.length > 100) return {};
  mkdirSync(dir, { recursive: true });
  return { TMPDIR: dir };
}
