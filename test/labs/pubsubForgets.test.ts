// Lab 8: Pub/Sub loses jobs published while no worker listens; the Streams mode keeps them and
// reclaims a job from a worker killed mid-task.
import * as assert from 'node:assert/strict';
import Redis from 'ioredis';
import { runLab } from '../../src/labs/runLab';
import { pubsubForgets } from '../../src/labs/experiments/pubsubForgets';
import { STREAM_GROUP, streamKeyFor } from '../../src/shared/streamDelivery';
import type { TaskCompleted, TaskStarted, WorkerOnline } from '../../src/shared/protocol';
import { useRedisServer } from '../support/redis';
import { dumpLogOnFailure, testLabHost, type TestLabHost } from './labHost';

describe('lab 8: Pub/Sub forgets', function () {
  this.timeout(45_000);
  const redis = useRedisServer();
  let host: TestLabHost | undefined;
  dumpLogOnFailure(() => host);

  it('recovers none with Pub/Sub and all with Streams, including a job reclaimed from a killed worker', async () => {
    host = testLabHost(redis.url, 'lab8');
    const result = await runLab(pubsubForgets, host, { params: { jobs: 5, durationMs: 200, listenMs: 600, victimMs: 800, claimIdleMs: 500 } });

    const online = result.events.filter((e): e is WorkerOnline => e.type === 'WorkerOnline');
    const started = result.events.filter((e): e is TaskStarted => e.type === 'TaskStarted');
    const completed = result.events.filter((e): e is TaskCompleted => e.type === 'TaskCompleted');
    const pubsubWorkers = new Set(online.filter((e) => e.delivery === 'pubsub').map((e) => e.workerId));
    const [doomed, rescuer] = online.filter((e) => e.delivery === 'stream').map((e) => e.workerId);

    // Pub/Sub: nobody received the jobs and none ran after the restart.
    assert.deepEqual(result.data.pubsub.receivers, [0, 0, 0, 0, 0]);
    assert.equal(started.filter((e) => pubsubWorkers.has(e.workerId)).length, 0, 'zero jobs recovered with Pub/Sub');

    // Streams: the five waiting jobs and the killed worker's job all completed on the new worker.
    const byRescuer = completed.filter((e) => e.workerId === rescuer);
    assert.equal(byRescuer.length, 6, 'five waiting jobs + one reclaimed');
    const victimStart = started.find((e) => e.workerId === doomed);
    assert.ok(victimStart, 'the killed worker had started a job');
    assert.equal(completed.filter((e) => e.workerId === doomed).length, 0, 'the killed worker finished nothing');
    assert.ok(byRescuer.some((e) => e.jobId === victimStart.jobId), 'the killed worker\'s job was reclaimed and completed');
    assert.equal(new Set(byRescuer.map((e) => e.jobId)).size, 6);
    assert.equal(result.data.stream.recovered, 5);
    assert.equal(result.data.stream.victimReclaimed, true);
    assert.equal(result.data.stream.pendingAtEnd, 0);
    assert.equal(result.confirmed, true);

    // The lab left nothing behind in the stream: no entries of its own and no dead consumer.
    const client = new Redis(redis.url);
    try {
      assert.equal(await client.xlen(streamKeyFor(result.channel)), 0);
      const consumers = (await client.call('XINFO', 'CONSUMERS', streamKeyFor(result.channel), STREAM_GROUP)) as unknown[];
      assert.equal(consumers.length, 0);
    } finally {
      await client.quit();
    }
  });
});
