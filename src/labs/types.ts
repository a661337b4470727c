// What a lab is, what it needs from its host, and what it hands back.
import type { LifecycleEvent } from '../shared/protocol';
import type { Logger } from '../shared/log';
import type { Text } from './text';
import type { LabSession } from './labSession';

export type LabId =
  | 'concurrent-not-parallel'
  | 'await-vs-blocking'
  | 'concurrency-limit'
  | 'no-ordering'
  | 'process-not-pinned'
  | 'parallel-processes'
  | 'pubsub-fan-out'
  | 'pubsub-forgets';

/** Where a lab runs: a Redis, a job channel, and the worker script to fork. */
export interface LabHost {
  /** dist/worker.js */
  readonly workerScript: string;
  readonly redisUrl: string;
  readonly password?: string;
  /**
   * The job channel. The extension passes the configured one, so the task tree and the timeline
   * (which watch `<channel>:status`) show the lab's workers and tasks as they happen.
   */
  readonly channel: string;
  readonly log: Logger;
  /**
   * Stops the normal worker(s) on the channel for the duration of the lab (they would take the lab's
   * jobs too) and resolves to the function that brings them back. Omitted where there is none (tests).
   */
  readonly suspendNormalWorker?: () => Promise<() => Promise<void>>;
}

export interface LabProgress {
  readonly message: Text;
  /** Of the whole lab, from 0 to 1, when known. */
  readonly fraction?: number;
}

export interface LabRunOptions<P> {
  /** Overrides of the lab's default parameters (the tests shorten durations this way). */
  readonly params?: Partial<P>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: LabProgress) => void;
}

export interface LabFigure {
  readonly label: Text;
  readonly value: string;
}

export interface LabTable {
  readonly title: Text;
  readonly columns: readonly Text[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** What a lab's experiment concluded, from the events it heard. */
export interface LabOutcome<D> {
  /** True when the run showed what the lab sets out to show. */
  readonly confirmed: boolean;
  /** The conclusion in a few sentences, with the measured figures in it. */
  readonly summary: Text;
  readonly figures: readonly LabFigure[];
  readonly tables?: readonly LabTable[];
  readonly notes?: readonly Text[];
  /** The measured numbers, typed per lab (the tests and the result view read them). */
  readonly data: D;
}

export interface LabResult<D = unknown> extends LabOutcome<D> {
  readonly labId: LabId;
  readonly number: number;
  readonly title: Text;
  readonly claim: Text;
  readonly walkthroughStep: string;
  readonly channel: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly tables: readonly LabTable[];
  readonly notes: readonly Text[];
  /** Everything heard on the status channel during the lab, in arrival order. */
  readonly events: readonly LifecycleEvent[];
}

export interface LabDefinition<P, D> {
  readonly id: LabId;
  readonly number: number;
  readonly title: Text;
  /** One line for the picker: what the lab does. */
  readonly description: Text;
  /** The chapter's claim it tests, or the blind spot it exposes. */
  readonly claim: Text;
  readonly kind: 'claim' | 'blind-spot';
  /** The walkthrough step it illustrates (an argument of concurrencyLab.startWalkthrough). */
  readonly walkthroughStep: string;
  readonly defaults: P;
  /** About how long a run takes with these parameters. */
  estimateMs(params: P): number;
  /** A question to put to the user before a heavy run; undefined when none is needed. */
  confirmation?(params: P): Text | undefined;
  run(session: LabSession, params: P): Promise<LabOutcome<D>>;
}

export type { Logger };
