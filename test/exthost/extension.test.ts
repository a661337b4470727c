// The extension as VS Code runs it: activation, commands, the real worker process on a real
// Redis, settings, and no process left behind. Runs inside the extension host (see index.ts).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ConcurrencyLabApi } from '../../src/extension';
import type { PublishResult } from '../../src/extension/jobPublisher';
import type { LifecycleEvent } from '../../src/shared/protocol';
import { activateApi, cancelWaits, descendantsOf, extension, processAlive, uniqueChannel, waitFor, workerProcesses } from './support';

describe('Concurrency Lab in the extension host', () => {
  let api: ConcurrencyLabApi;

  /** Waits until our bundled worker runs and the model has seen it come online. */
  async function workerOnline(what = 'the bundled worker is online'): Promise<{ workerId: string; pid: number }> {
    const { workerHost, model, redis } = api.services;
    return waitFor(
      what,
      () => {
        const id = workerHost.workerId;
        const pid = workerHost.pid;
        return workerHost.state === 'running' && id && pid && model.worker(id)?.state === 'online' ? { workerId: id, pid } : undefined;
      },
      [model.onDidChange, workerHost.onDidChangeState, redis.onDidChangeState],
    );
  }

  /** Every lifecycle event the model applies from now on. */
  function recordEvents(): { events: LifecycleEvent[]; dispose(): void } {
    const events: LifecycleEvent[] = [];
    const subscription = api.services.model.onDidChange((change) => events.push(...change.events));
    return { events, dispose: () => subscription.dispose() };
  }

  async function updateSetting(key: string, value: unknown): Promise<void> {
    await vscode.workspace.getConfiguration('concurrencyLab').update(key, value, vscode.ConfigurationTarget.Global);
  }

  /** Restores a setting to the value the profile started with (not to the default). */
  function remember(key: string): () => Promise<void> {
    const before = vscode.workspace.getConfiguration('concurrencyLab').inspect(key)?.globalValue;
    return () => updateSetting(key, before);
  }

  before(async () => {
    api = await activateApi();
    await workerOnline('the worker the extension starts on activation is online');
  });

  afterEach(() => cancelWaits());

  it('activates and hands out its services', () => {
    assert.equal(extension().isActive, true);
    const { services } = api;
    for (const part of ['context', 'log', 'model', 'redis', 'publisher', 'workerHost', 'settings'] as const) {
      assert.ok(services[part], `services.${part} is missing`);
    }
    assert.equal(services.redis.state, 'connected');
  });

  it('registers every command it contributes in package.json', async () => {
    const contributed = (extension().packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.length > 0);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('Publish Job puts a task into the task model, which runs and completes', async () => {
    const { workerId } = await workerOnline();
    const recorder = recordEvents();
    try {
      const result = await vscode.commands.executeCommand<PublishResult | undefined>('concurrencyLab.publishJob');
      assert.ok(result, 'the command returned nothing: it failed (see the Concurrency Lab log)');
      assert.equal(result.jobs.length, 1);
      assert.ok(result.receivers[0] >= 1, 'no subscriber received the job');
      const { jobId } = result.jobs[0];
      const key = `${workerId}/${jobId}`;
      const task = await waitFor(`task ${key} completes`, () => api.services.model.task(key)?.state === 'completed' && api.services.model.task(key), [
        api.services.model.onDidChange,
      ]);
      const states = recorder.events.filter((e) => 'jobId' in e && e.jobId === jobId).map((e) => e.type);
      assert.deepEqual(states, ['TaskStarted', 'TaskCompleted']);
      assert.equal(task.workerId, workerId);
      assert.ok(task.startedAt !== undefined && task.finishedAt !== undefined && task.finishedAt >= task.startedAt);
    } finally {
      recorder.dispose();
    }
  });

  it('Stop Worker ends the worker process, and the model sees it go offline', async () => {
    const { workerId, pid } = await workerOnline();
    assert.ok(processAlive(pid));
    await vscode.commands.executeCommand('concurrencyLab.stopWorker');
    assert.equal(api.services.workerHost.state, 'stopped');
    assert.equal(api.services.workerHost.pid, undefined);
    await waitFor(`worker process ${pid} exits`, () => !processAlive(pid));
    await waitFor(`worker ${workerId} is offline in the model`, () => api.services.model.worker(workerId)?.state === 'offline', [
      api.services.model.onDidChange,
    ]);
    assert.deepEqual(workerProcesses(), [], 'a worker process is still running');
  });

  it('Start Worker starts a new worker process that comes online', async () => {
    assert.equal(api.services.workerHost.state, 'stopped');
    await vscode.commands.executeCommand('concurrencyLab.startWorker');
    assert.equal(api.services.workerHost.state, 'running');
    const { pid } = await workerOnline('the started worker is online');
    assert.ok(processAlive(pid));
    const workers = workerProcesses();
    if (process.platform === 'linux') assert.deepEqual(workers.map((w) => w.pid), [pid], 'expected exactly one worker process');
  });

  it('Restart Worker replaces the worker process', async () => {
    const before = await workerOnline();
    await vscode.commands.executeCommand('concurrencyLab.restartWorker');
    const after = await workerOnline('the restarted worker is online');
    assert.notEqual(after.pid, before.pid);
    await waitFor(`old worker process ${before.pid} exits`, () => !processAlive(before.pid));
  });

  describe('settings take effect', () => {
    it('a new channel restarts the worker on it, and published jobs follow', async () => {
      const restore = remember('channel');
      try {
        const before = await workerOnline();
        const channel = uniqueChannel();
        await updateSetting('channel', channel);
        const after = await waitFor(
          `a worker is online on "${channel}"`,
          () => {
            const id = api.services.workerHost.workerId;
            const w = id ? api.services.model.worker(id) : undefined;
            return id && id !== before.workerId && w?.state === 'online' && w.channel === channel ? id : undefined;
          },
          [api.services.model.onDidChange, api.services.workerHost.onDidChangeState],
        );
        const result = await vscode.commands.executeCommand<PublishResult | undefined>('concurrencyLab.publishJob');
        assert.ok(result?.jobs.length === 1);
        const key = `${after}/${result.jobs[0].jobId}`;
        await waitFor(`task ${key} completes on "${channel}"`, () => api.services.model.task(key)?.state === 'completed', [api.services.model.onDidChange]);
      } finally {
        await restore();
      }
      await waitFor('the worker is back on its channel', () => {
        const id = api.services.workerHost.workerId;
        return id && api.services.model.worker(id)?.channel === api.services.settings.current.channel;
      }, [api.services.model.onDidChange]);
    });

    it('maxConcurrency 1 makes the second of two jobs wait for the first', async () => {
      const restore = remember('maxConcurrency');
      const recorder = recordEvents();
      try {
        const before = await workerOnline();
        await updateSetting('maxConcurrency', 1);
        const workerId = await waitFor(
          'a worker with maxConcurrency 1 is online',
          () => {
            const id = api.services.workerHost.workerId;
            const w = id ? api.services.model.worker(id) : undefined;
            return id && id !== before.workerId && w?.state === 'online' && w.maxConcurrency === 1 ? id : undefined;
          },
          [api.services.model.onDidChange, api.services.workerHost.onDidChangeState],
        );
        const result = await vscode.commands.executeCommand<PublishResult | undefined>('concurrencyLab.publishJobs', { count: 2, durationMs: 300 });
        assert.ok(result?.jobs.length === 2);
        const [first, second] = result.jobs.map((j) => `${workerId}/${j.jobId}`);
        const done = (key: string) => api.services.model.task(key)?.state === 'completed';
        await waitFor('both jobs complete', () => done(first) && done(second), [api.services.model.onDidChange]);
        const a = api.services.model.task(first)!;
        const b = api.services.model.task(second)!;
        const queued = recorder.events.filter((e) => e.type === 'TaskQueued').map((e) => (e as { jobId: string }).jobId);
        assert.ok(queued.includes(result.jobs[1].jobId), 'the second job was never queued');
        assert.ok(b.startedAt! >= a.finishedAt!, 'the two jobs overlapped although maxConcurrency is 1');
      } finally {
        recorder.dispose();
        await restore();
      }
      await waitFor('the worker is back to its concurrency limit', () => {
        const id = api.services.workerHost.workerId;
        return id && api.services.model.worker(id)?.maxConcurrency === api.services.settings.current.maxConcurrency;
      }, [api.services.model.onDidChange]);
    });

    it('redisUrl: empty starts a private redis-server; set again, that server is stopped', async function () {
      const configured = api.services.settings.current.redisUrl;
      if (!configured) this.skip(); // the profile uses the private server already
      const restore = remember('redisUrl');
      let privatePid: number | undefined;
      try {
        await updateSetting('redisUrl', '');
        await waitFor('the private redis-server is connected', () => api.services.redis.embedded && api.services.redis.state === 'connected', [
          api.services.redis.onDidChangeState,
        ]);
        assert.notEqual(api.services.redis.url, configured);
        const { workerId } = await workerOnline('a worker is online on the private Redis');
        const servers = descendantsOf(process.pid).filter((p) => /redis-server/.test(p.command));
        if (process.platform === 'linux') assert.equal(servers.length, 1, 'expected one private redis-server');
        privatePid = servers[0]?.pid;
        const result = await vscode.commands.executeCommand<PublishResult | undefined>('concurrencyLab.publishJob');
        assert.ok(result?.jobs.length === 1);
        const key = `${workerId}/${result.jobs[0].jobId}`;
        await waitFor(`task ${key} completes on the private Redis`, () => api.services.model.task(key)?.state === 'completed', [api.services.model.onDidChange]);
      } finally {
        await restore();
      }
      await waitFor('the configured Redis is connected again', () => !api.services.redis.embedded && api.services.redis.url === configured, [
        api.services.redis.onDidChangeState,
      ]);
      await workerOnline('a worker is online on the configured Redis');
      if (privatePid) await waitFor(`private redis-server ${privatePid} exits`, () => !processAlive(privatePid!));
    });
  });
});
