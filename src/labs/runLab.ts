// Runs one lab from start to end: the normal worker steps aside, the experiment runs, and whatever
// happens (result, failure, cancel) every lab worker is stopped, the lab's stream entries are
// removed and the normal worker is brought back.
import { errorMessage } from '../shared/log';
import { throwIfAborted } from './errors';
import { LabSession } from './labSession';
import type { LabDefinition, LabResult, LabHost, LabRunOptions } from './types';

export async function runLab<P extends object, D>(lab: LabDefinition<P, D>, host: LabHost, options: LabRunOptions<P> = {}): Promise<LabResult<D>> {
  const params: P = { ...lab.defaults, ...options.params };
  throwIfAborted(options.signal);
  const startedAt = Date.now();
  const session = new LabSession(host, lab.number, options.signal, options.onProgress);
  let restore: (() => Promise<void>) | undefined;
  host.log.info(`lab ${lab.number} (${lab.id}) starts on "${host.channel}" with ${JSON.stringify(params)}`);
  try {
    restore = await host.suspendNormalWorker?.();
    await session.open();
    const outcome = await lab.run(session, params);
    const result: LabResult<D> = {
      ...outcome,
      tables: outcome.tables ?? [],
      notes: outcome.notes ?? [],
      labId: lab.id,
      number: lab.number,
      title: lab.title,
      claim: lab.claim,
      walkthroughStep: lab.walkthroughStep,
      channel: host.channel,
      startedAt,
      finishedAt: Date.now(),
      events: session.recorder.events,
    };
    host.log.info(`lab ${lab.number} ended in ${result.finishedAt - startedAt} ms: ${outcome.confirmed ? 'confirmed' : 'not shown'} — ${outcome.summary.en}`);
    return result;
  } catch (error) {
    host.log.warn(`lab ${lab.number} ended early: ${errorMessage(error)}`);
    throw error;
  } finally {
    await session.dispose().catch((error: unknown) => host.log.error(`lab ${lab.number}: clean-up: ${errorMessage(error)}`));
    if (restore) {
      await restore().catch((error: unknown) => host.log.error(`lab ${lab.number}: the normal worker did not come back: ${errorMessage(error)}`));
    }
  }
}
