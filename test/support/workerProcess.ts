// Runs the real bundled worker (dist/worker.js) as a child process, the way the extension does.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { check } from '../../src/shared/protocol';
import { ChildMessage } from '../../src/shared/ipc';

export const WORKER_JS = join(__dirname, '..', '..', '..', 'dist', 'worker.js');

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly workerId: string;
  readonly logs: string[];
  readonly exited: Promise<number | null>;
}

/** Forks dist/worker.js and resolves after its ready handshake. */
export function startWorkerProcess(url: string, channel: string, extraArgs: string[] = []): Promise<WorkerProcess> {
  const child = fork(WORKER_JS, ['--redis', url, '--channel', channel, '--batch', '20', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv: [],
  });
  const logs: string[] = [];
  child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.on('message', (raw: unknown) => {
      const m = check(ChildMessage, raw);
      if (!m.ok) return;
      if (m.value.type === 'log') logs.push(`[${m.value.level}] ${m.value.message}`);
      if (m.value.type === 'ready') resolve({ child, workerId: m.value.workerId, logs, exited });
      if (m.value.type === 'initFailed') reject(new Error(m.value.error));
    });
    void exited.then((code) => reject(new Error(`worker exited with ${code} before ready: ${logs.join('')}`)));
  });
}

/** Sends the stop request and waits for the exit code; kills it if it does not exit in time. */
export async function stopWorkerProcess(worker: WorkerProcess, timeoutMs = 10_000): Promise<number | null> {
  if (worker.child.exitCode !== null) return worker.child.exitCode;
  if (worker.child.connected) worker.child.send({ type: 'stop', timeoutMs });
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), timeoutMs + 5000);
  const code = await worker.exited;
  clearTimeout(timer);
  return code;
}
