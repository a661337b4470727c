// The two ways a lab ends early. Both still restore the normal setup (see runLab).

/** The user cancelled the lab (its AbortSignal fired). */
export class LabCancelledError extends Error {
  override readonly name = 'LabCancelledError';
  constructor() {
    super('the lab was cancelled');
  }
}

/** A worker did not report what the lab waited for in time; the lab cannot conclude. */
export class LabTimeoutError extends Error {
  override readonly name = 'LabTimeoutError';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`no answer within ${Math.round(timeoutMs / 1000)} s while waiting for ${what}`);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LabCancelledError();
}

/** A timer that ends early, with LabCancelledError, when the lab is cancelled. */
export function labSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new LabCancelledError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LabCancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
