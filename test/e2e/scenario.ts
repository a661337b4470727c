// The browser scenario registry. Each file test/e2e/scenarios/<name>.ts exports
// `scenarios: Scenario[]`; the runner loads every such file (in file-name order) and runs each
// scenario in a fresh browser page on a fresh workspace folder of one shared code-server.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Workbench } from './helpers';
import type { Locale } from './languagePack';

export interface ScenarioContext {
  readonly page: Page;
  readonly wb: Workbench;
  /** The folder the workbench opened (fresh per scenario). */
  readonly workspace: string;
  /** code-server's URL, e.g. http://127.0.0.1:41234 */
  readonly serverUrl: string;
  /** Saves test-results/screenshots/<scenario>/<nn>-<label>.png. */
  shot(label: string): Promise<void>;
  log(line: string): void;
  /** Merges into the user settings.json; the open workbench picks the change up. */
  updateSettings(patch: Record<string, unknown>): Promise<void>;
}

export interface Scenario {
  /** Unique; names the result entry and the screenshot folder. */
  readonly name: string;
  /** User settings for this scenario's workbench, over the suite's defaults (set before the page loads). */
  readonly settings?: Record<string, unknown>;
  /** Bound for the whole scenario (default 90 s). */
  readonly timeoutMs?: number;
  /**
   * Extension-host log errors this scenario provokes on purpose. Any other `[error]` entry in the
   * extension host log (remoteexthost.log) of the scenario's window fails it.
   */
  readonly expectedHostErrors?: readonly RegExp[];
  /** Open the Concurrency Lab view before run() (default true). */
  readonly openView?: boolean;
  /**
   * The workbench's display language (default English). The scenario then runs on a code-server
   * of its own started with `--locale <locale>` and a stub language pack for it, so that VS Code,
   * and with it `vscode.env.language`, package.nls.<locale>.json and the l10n bundle, really run
   * in that language. The runner checks the window loaded it before run().
   */
  readonly locale?: Locale;
  run(t: ScenarioContext): Promise<void>;
}

export interface LoadedScenario extends Scenario {
  readonly file: string;
}

/** Loads every scenarios/*.js next to this module; names must be unique. */
export function loadScenarios(dir = join(__dirname, 'scenarios')): LoadedScenario[] {
  const all: LoadedScenario[] = [];
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js')).sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(join(dir, file)) as { scenarios?: Scenario[] };
    if (!Array.isArray(module.scenarios)) throw new Error(`${file} does not export "scenarios: Scenario[]"`);
    for (const scenario of module.scenarios) {
      if (names.has(scenario.name)) throw new Error(`two scenarios are named "${scenario.name}"`);
      names.add(scenario.name);
      all.push({ ...scenario, file });
    }
  }
  return all;
}
