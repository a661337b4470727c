import * as assert from 'node:assert/strict';
import { Semaphore } from '../../src/worker/semaphore';
import { parseProcessorField, currentCpuCore } from '../../src/worker/cpuCore';
import { redactUrl } from '../../src/shared/log';

describe('worker parts', () => {
  it('Semaphore lets `limit` holders in and hands slots over in order', async () => {
    const s = new Semaphore(2);
    await s.acquire();
    await s.acquire();
    assert.ok(s.full);
    const order: number[] = [];
    const a = s.acquire().then(() => order.push(1));
    const b = s.acquire().then(() => order.push(2));
    assert.equal(s.waiting, 2);
    s.release();
    s.release();
    await Promise.all([a, b]);
    assert.deepEqual(order, [1, 2]);
    assert.equal(s.running, 2);
    assert.throws(() => new Semaphore(0), RangeError);
  });

  it('reads the processor field of /proc/self/stat, even with spaces and parens in the name', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[39 - 3] = '7';
    assert.equal(parseProcessorField(`123 (a (weird) name) ${fields.join(' ')}`), 7);
    assert.equal(parseProcessorField('garbage'), null);
    if (process.platform === 'linux') {
      const core = currentCpuCore();
      assert.ok(core !== null && core >= 0, 'Linux reports a core');
    }
  });

  it('redacts a password in a Redis URL', () => {
    assert.equal(redactUrl('redis://user:secret@host:6379'), 'redis://user:***@host:6379');
    assert.equal(redactUrl('redis://:secret@host'), 'redis://:***@host');
    assert.equal(redactUrl('redis://host:6379'), 'redis://host:6379');
  });
});
