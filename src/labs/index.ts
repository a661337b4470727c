// The labs, in the order the picker shows them: six that prove the chapter's claims, two that
// expose what it leaves out. Plain Node code (no `vscode`): the extension and the tests run them.
import { concurrentNotParallel } from './experiments/concurrentNotParallel';
import { awaitVsBlocking } from './experiments/awaitVsBlocking';
import { concurrencyLimit } from './experiments/concurrencyLimit';
import { noOrdering } from './experiments/noOrdering';
import { processNotPinned } from './experiments/processNotPinned';
import { parallelProcesses } from './experiments/parallelProcesses';
import { pubsubFanOut } from './experiments/pubsubFanOut';
import { pubsubForgets } from './experiments/pubsubForgets';
import { runLab } from './runLab';
import type { Text } from './text';
import type { LabHost, LabId, LabProgress, LabResult } from './types';

export { runLab } from './runLab';
export { LabCancelledError, LabTimeoutError } from './errors';
export type { LabHost, LabId, LabProgress, LabResult, LabDefinition, LabFigure, LabTable } from './types';
export type { Text, Language } from './text';
export { pick } from './text';

/** What the picker needs to list a lab, and how to run it with its default parameters. */
export interface LabEntry {
  readonly id: LabId;
  readonly number: number;
  readonly title: Text;
  readonly description: Text;
  readonly claim: Text;
  readonly kind: 'claim' | 'blind-spot';
  readonly walkthroughStep: string;
  readonly estimateMs: number;
  /** A question for the user before running, when the lab is heavy. */
  readonly confirmation: Text | undefined;
  run(host: LabHost, options?: { signal?: AbortSignal; onProgress?: (p: LabProgress) => void }): Promise<LabResult>;
}

function entry<P extends object, D>(lab: import('./types').LabDefinition<P, D>): LabEntry {
  return {
    id: lab.id,
    number: lab.number,
    title: lab.title,
    description: lab.description,
    claim: lab.claim,
    kind: lab.kind,
    walkthroughStep: lab.walkthroughStep,
    estimateMs: lab.estimateMs(lab.defaults),
    confirmation: lab.confirmation?.(lab.defaults),
    run: (host, options = {}) => runLab(lab, host, options),
  };
}

export const LABS: readonly LabEntry[] = [
  entry(concurrentNotParallel),
  entry(awaitVsBlocking),
  entry(concurrencyLimit),
  entry(noOrdering),
  entry(processNotPinned),
  entry(parallelProcesses),
  entry(pubsubFanOut),
  entry(pubsubForgets),
];

export function labById(id: string): LabEntry | undefined {
  return LABS.find((l) => l.id === id);
}
