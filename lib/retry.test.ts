/** The one retry policy, on a clock that records its pauses instead of waiting. */
import { describe, expect, it } from 'vitest';
import { type Clock, pauses, retry } from './retry.js';

function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}
const outage = Object.assign(new Error('broker down'), { retriable: true });
const mistake = Object.assign(new Error('bad input'), { retriable: false });
const isRetriable = (e: unknown) => (e as { retriable?: boolean }).retriable === true;

describe('retry', () => {
  it('pauses twice as long each time, up to the ceiling', () => {
    const p = pauses({ initialMs: 100, maxMs: 1000 });
    expect(Array.from({ length: 7 }, () => p.next().value)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('tries again through an outage and answers once it is over', async () => {
    const clock = fakeClock();
    const seen: number[] = [];
    const r = await retry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 4) throw outage;
        return 'ok';
      },
      { initialMs: 100, maxMs: 250, retriable: isRetriable, clock },
    );
    expect(r).toBe('ok');
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(clock.slept).toEqual([100, 200, 250]);
    expect(clock.now()).toBe(550);
  });

  it('throws a failure that is not retriable at once, without a pause', async () => {
    const clock = fakeClock();
    await expect(
      retry(
        async () => {
          throw mistake;
        },
        { initialMs: 100, maxMs: 1000, retriable: isRetriable, clock },
      ),
    ).rejects.toBe(mistake);
    expect(clock.slept).toEqual([]);
  });

  it('gives up after its attempts with the last failure, telling each retry', async () => {
    const clock = fakeClock();
    const told: [number, number][] = [];
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw outage;
        },
        { initialMs: 50, maxMs: 1000, attempts: 3, retriable: isRetriable, clock, onRetry: (_e, a, p) => told.push([a, p]) },
      ),
    ).rejects.toBe(outage);
    expect(calls).toBe(3);
    expect(told).toEqual([
      [1, 50],
      [2, 100],
    ]);
  });
});
