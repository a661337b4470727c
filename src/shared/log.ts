// The smallest logger shape shared by the worker host, the extension and the tests.
import type { LogLevel } from './ipc';

export type Logger = Record<LogLevel, (message: string) => void>;

export function prefixed(log: Logger, prefix: string): Logger {
  return {
    trace: (m) => log.trace(`${prefix} ${m}`),
    debug: (m) => log.debug(`${prefix} ${m}`),
    info: (m) => log.info(`${prefix} ${m}`),
    warn: (m) => log.warn(`${prefix} ${m}`),
    error: (m) => log.error(`${prefix} ${m}`),
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Shortens text for a log line so that a 1 MB payload never floods the log. */
export function preview(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}… (${text.length} chars)` : flat;
}

/** A Redis URL for a log line: any password in it is replaced. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, (_m, auth: string) => `//${auth.includes(':') ? `${auth.split(':')[0]}:***` : '***'}@`);
}
