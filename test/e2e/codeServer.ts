// Typed access to scripts/codeServer.mjs (plain JS so that `npm start` needs no compile step).
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The repository root, from out/test/e2e/. */
export const repoRoot = resolve(__dirname, '..', '..', '..');

export interface Profile {
  readonly root: string;
  readonly config: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly settingsFile: string;
}

export interface CodeServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Every line code-server printed so far. */
  readonly output: readonly string[];
  /** code-server and every process below it (extension hosts, workers, redis-server...), right now. */
  processes(): number[];
  /** Stops the whole process tree; resolves with the pids that survived (should be none). */
  stop(graceMs?: number): Promise<number[]>;
}

export interface StartOptions {
  readonly entry: string;
  readonly profile: Profile;
  readonly workspace?: string;
  readonly host?: string;
  readonly port?: number;
  readonly env?: Record<string, string>;
  readonly onOutput?: (line: string) => void;
  readonly startTimeoutMs?: number;
  /** `--locale`: the display language (needs a language pack for it, see test/e2e/languagePack.ts). */
  readonly locale?: string;
}

export interface CodeServerModule {
  readonly CODE_SERVER_VERSION: string;
  readonly BASE_SETTINGS: Readonly<Record<string, unknown>>;
  codeServerDir(): string;
  chromiumPath(): string;
  missingSystemPackages(what?: { forInstall?: boolean; forBrowser?: boolean }): { name: string; apt: string; why: string }[];
  ensureCodeServer(options?: { log?: (line: string) => void }): Promise<{ dir: string; entry: string; installed: boolean; seconds: number }>;
  prepareProfile(root: string, settings?: Record<string, unknown>, options?: { keepSettings?: boolean }): Profile;
  installVsix(entry: string, profile: Profile, vsix: string | readonly string[]): Promise<string>;
  startCodeServer(options: StartOptions): Promise<CodeServer>;
  descendants(pid: number): number[];
  freePort(): Promise<number>;
}

// A real dynamic import: TypeScript's CommonJS output would turn `import()` into `require()`.
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

let loaded: Promise<CodeServerModule> | undefined;

export function codeServerModule(): Promise<CodeServerModule> {
  loaded ??= importModule(pathToFileURL(join(repoRoot, 'scripts', 'codeServer.mjs')).href) as Promise<CodeServerModule>;
  return loaded;
}
