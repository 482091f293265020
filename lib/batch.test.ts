/** Group commit: batches by size and turn, results to their own callers, a failure kept to its batch. */
import { describe, expect, it } from 'vitest';
import { Batcher, sharedWhileRunning } from './batch.js';

/** A run that records each batch and answers when told to. */
function recorder() {
  const batches: number[][] = [];
  const release: (() => void)[] = [];
  let failNext = false;
  const run = (items: readonly number[]) => {
    batches.push([...items]);
    const fail = failNext;
    failNext = false;
    return new Promise<number[]>((resolve, reject) => {
      release.push(() => (fail ? reject(new Error('store down')) : resolve(items.map((i) => i * 10))));
    });
  };
  return {
    batches,
    run,
    failNextBatch: () => {
      failNext = true;
    },
    releaseAll: async () => {
      while (release.length > 0) {
        release.shift()?.();
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

describe('Batcher', () => {
  it('sends one turn’s items together, the first batch as soon as flushAt wait, no more than maxInFlight at once', async () => {
    const r = recorder();
    const b = new Batcher(r.run, { maxBatch: 4, maxInFlight: 2, flushAt: 3 });
    const answers = Promise.all(Array.from({ length: 11 }, (_, i) => b.add(i)));
    // Within the turn: two batches of flushAt left (as many as may be under way); the rest wait.
    expect(r.batches).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    await r.releaseAll();
    // The waiting five went as the batches under way ended, at most maxBatch each.
    expect(r.batches.slice(2)).toEqual([[6, 7, 8, 9], [10]]);
    expect(await answers).toEqual(Array.from({ length: 11 }, (_, i) => i * 10));
  });

  it('sends a lone item on the next turn', async () => {
    const r = recorder();
    const b = new Batcher(r.run, { maxBatch: 10, maxInFlight: 1, flushAt: 5 });
    const one = b.add(7);
    expect(r.batches).toEqual([]);
    await new Promise((res) => setImmediate(res));
    expect(r.batches).toEqual([[7]]);
    await r.releaseAll();
    expect(await one).toBe(70);
  });

  it('fails only the items of a batch that failed, and goes on with the next', async () => {
    const r = recorder();
    const b = new Batcher(r.run, { maxBatch: 2, maxInFlight: 1, flushAt: 2 });
    r.failNextBatch();
    const settled = Promise.allSettled([b.add(1), b.add(2), b.add(3), b.add(4)]);
    await r.releaseAll();
    const s = await settled;
    expect(s.map((x) => x.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect((s[0] as PromiseRejectedResult).reason).toEqual(new Error('store down'));
    expect(s.slice(2).map((x) => (x as PromiseFulfilledResult<number>).value)).toEqual([30, 40]);
  });

  it('refuses an answer that does not give one result per item', async () => {
    const b = new Batcher(async (items: readonly number[]) => items.slice(1), { maxBatch: 5, maxInFlight: 1, flushAt: 2 });
    await expect(Promise.all([b.add(1), b.add(2)])).rejects.toThrow('a batch of 2 was answered with 1 results');
  });

  it('refuses sizes below 1', () => {
    expect(() => new Batcher(async () => [], { maxBatch: 0, maxInFlight: 1, flushAt: 1 })).toThrow(RangeError);
  });
});

describe('sharedWhileRunning', () => {
  it('gives the callers of one key while it runs one promise, and runs afresh once it settled', async () => {
    let runs = 0;
    let release = () => {};
    const shared = sharedWhileRunning(async (key: string) => {
      runs++;
      await new Promise<void>((r) => {
        release = r;
      });
      return `${key}:${runs}`;
    });
    const [a, b] = [shared('k'), shared('k')];
    expect(a).toBe(b);
    release();
    expect(await a).toBe('k:1');
    const c = shared('k');
    release();
    expect(await c).toBe('k:2');
    expect(runs).toBe(2);
  });
});
