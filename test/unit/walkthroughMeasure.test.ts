// Measuring a prediction step's run from task timestamps.
import * as assert from 'node:assert/strict';
import { TaskModel } from '../../src/shared/taskModel';
import type { LifecycleEvent } from '../../src/shared/protocol';
import { evaluateRun, peakRunning, tasksOfRun, type TrackedRun } from '../../src/extension/walkthrough/measure';
import { choiceFor, type PredictSpec } from '../../src/shared/lessons';

const W = 'host:10:a';
const W2 = 'host:11:b';
const started = (jobId: string, at: number, seq: number, workerId = W): LifecycleEvent => ({
  type: 'TaskStarted', jobId, workerId, pid: workerId === W ? 10 : 11, createdAt: at, receivedAt: at, at, kind: 'sleep', durationMs: 1000, seq, threadId: 0,
});
const completed = (jobId: string, startedAt: number, at: number, workerId = W): LifecycleEvent => ({ type: 'TaskCompleted', jobId, workerId, pid: workerId === W ? 10 : 11, startedAt, at });

const run = (measure: TrackedRun['measure'], jobs: string[], expected = jobs.length): TrackedRun => ({
  runId: 1,
  measure,
  seqByJob: new Map(jobs.map((j, i) => [j, i])),
  expected,
  timeoutMs: 10_000,
});
const measureOf = (model: TaskModel, r: TrackedRun) => evaluateRun(r, tasksOfRun(r, [...model.activeTasks, ...model.finishedTasks]));

describe('walkthrough measurements', () => {
  it('5 overlapping 1 s jobs: makespan about 1 s, peak 5, running until all have finished', () => {
    const model = new TaskModel();
    const jobs = ['a', 'b', 'c', 'd', 'e'];
    const r = run('makespan', jobs);
    model.apply(jobs.map((j, i) => started(j, 1000 + i, i)));
    assert.deepEqual(measureOf(model, r), { runId: 1, measure: 'makespan', total: 5, finished: 0, workers: 1, status: 'running' });
    model.apply(jobs.slice(0, 4).map((j, i) => completed(j, 1000 + i, 2000 + i)));
    assert.equal(measureOf(model, r).status, 'running');
    model.apply([completed('e', 1004, 2004), started('other', 1500, 0), completed('other', 1500, 9000)]);
    const m = measureOf(model, r);
    assert.equal(m.status, 'done');
    assert.equal(m.makespanMs, 1004, 'a job of another run does not count');
    assert.equal(m.peak, 5);
    assert.equal(m.value, 1004);
    assert.deepEqual(m.finishedOrder, [0, 1, 2, 3, 4]);
  });

  it('jobs that run one after the other: peak 1, makespan the sum', () => {
    const model = new TaskModel();
    const r = run('peakRunning', ['a', 'b']);
    model.apply([started('a', 0, 0), completed('a', 0, 1000), started('b', 1000, 1), completed('b', 1000, 2000)]);
    const m = measureOf(model, r);
    assert.equal(m.peak, 1, 'a task ending at the instant the next starts does not overlap it');
    assert.equal(m.makespanMs, 2000);
    assert.equal(m.value, 1);
  });

  it('tells whether the jobs finished in publish order', () => {
    const model = new TaskModel();
    const r = run('inOrder', ['a', 'b', 'c']);
    model.apply([started('a', 0, 0), started('b', 1, 1), started('c', 2, 2), completed('c', 2, 300), completed('a', 0, 900), completed('b', 1, 1200)]);
    const m = measureOf(model, r);
    assert.equal(m.value, 0);
    assert.deepEqual(m.published, [0, 1, 2]);
    assert.deepEqual(m.finishedOrder, [2, 0, 1]);
  });

  it('waits for every worker that received the jobs (Pub/Sub fans out) and takes the peak per worker', () => {
    const model = new TaskModel();
    const r = run('peakRunning', ['a', 'b'], 4);
    model.apply([started('a', 0, 0), started('b', 0, 1), completed('a', 0, 1000), completed('b', 0, 1000)]);
    assert.equal(measureOf(model, r).status, 'running', 'the second worker has not reported yet');
    model.apply([started('a', 5, 0, W2), started('b', 5, 1, W2), completed('a', 5, 1005, W2), completed('b', 5, 1005, W2)]);
    const m = measureOf(model, r);
    assert.equal(m.status, 'done');
    assert.equal(m.workers, 2);
    assert.equal(m.peak, 2, 'two per worker, not four');
  });

  it('picks the prediction choice whose range holds the measured value', () => {
    const predict: PredictSpec = { action: 'x', measure: 'makespan', choices: [{ min: 0, max: 1999 }, { min: 2000, max: 3999 }, { min: 4000, max: null }] };
    assert.equal(choiceFor(predict, 1004), 0);
    assert.equal(choiceFor(predict, 3001), 1);
    assert.equal(choiceFor(predict, 50_000), 2);
    assert.equal(choiceFor({ ...predict, choices: [{ min: 5, max: 6 }, { min: 8, max: 9 }] }, 7), -1);
  });

  it('peakRunning ignores tasks without both timestamps', () => {
    assert.equal(peakRunning([]), 0);
  });
});
