// The walkthrough step each lab illustrates (ids of media/lessons/steps/*.json; the argument of
// concurrencyLab.startWalkthrough). Kept in one place so a renamed step is one edit.
import type { LabId } from './types';

export const WALKTHROUGH_STEP: Record<LabId, string> = {
  'concurrent-not-parallel': 'concurrency-vs-parallelism',
  'await-vs-blocking': 'blocking',
  'concurrency-limit': 'no-limit',
  'no-ordering': 'no-ordering',
  'process-not-pinned': 'one-process',
  'parallel-processes': 'one-process',
  'pubsub-fan-out': 'pubsub-vs-streams',
  'pubsub-forgets': 'pubsub-vs-streams',
};
