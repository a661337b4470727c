// Runs after every other suite (index.ts orders *.last.test.js last): it deactivates the extension.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { activateApi, descendantsOf, extension, processAlive, waitFor, workerProcesses } from './support';

describe('Concurrency Lab deactivation', () => {
  it('deactivate() stops the worker and the private Redis and leaves no process', async () => {
    const api = await activateApi();
    const { workerHost } = api.services;
    await waitFor('the worker runs', () => workerHost.state === 'running', [workerHost.onDidChangeState]);
    const pid = workerHost.pid!;
    // The module VS Code loaded: Node's require cache hands back the same instance.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const main = require(join(extension().extensionPath, 'dist', 'extension.js')) as { deactivate(): Promise<void> | undefined };
    const stopped = main.deactivate();
    assert.ok(stopped instanceof Promise, 'deactivate() should return the promise that stops the worker');
    await stopped;
    assert.equal(workerHost.state, 'stopped');
    assert.equal(processAlive(pid), false, `worker process ${pid} is still alive after deactivate()`);
    assert.deepEqual(workerProcesses(), [], 'a worker process outlived deactivate()');
    const servers = descendantsOf(process.pid).filter((p) => /redis-server/.test(p.command));
    assert.deepEqual(servers, [], 'a private redis-server outlived deactivate()');
  });
});
