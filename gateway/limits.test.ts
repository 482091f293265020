/**
 * The gateway's limits: counts per key in fixed windows (a clock the test moves), and a limited
 * route as a client meets it over HTTP — the draft-7 headers, then 429 with Retry-After.
 */
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailedAuthLimiter, rateLimited, WindowCounter } from './limits.js';

describe('WindowCounter', () => {
  it('counts each key on its own, refuses past the limit, and starts again when its window ends', () => {
    let now = 1_000_000;
    const c = new WindowCounter(3, 60_000, { now: () => now });
    expect([1, 2, 3, 4].map(() => c.hit('a').refused)).toEqual([false, false, false, true]);
    now += 30_000;
    expect(c.hit('b')).toEqual({ used: 1, refused: false, resetSeconds: 60 });
    now += 29_001;
    // Still a's first window: 1 s of it left.
    expect(c.hit('a')).toEqual({ used: 5, refused: true, resetSeconds: 1 });
    expect(c.used('a')).toBe(5);
    now += 999;
    // a's window began at its first request and has ended.
    expect(c.used('a')).toBe(0);
    expect(c.hit('a')).toEqual({ used: 1, refused: false, resetSeconds: 60 });
    // b's began 30 s after a's and has 30 s to run.
    expect(c.hit('b')).toEqual({ used: 2, refused: false, resetSeconds: 30 });
  });

  it('holds at most maxKeys keys, letting the least recently seen go', () => {
    const c = new WindowCounter(1, 60_000, { maxKeys: 2 });
    c.hit('a');
    c.hit('b');
    c.hit('a');
    c.hit('c');
    expect(c.used('a')).toBe(2);
    expect(c.used('b')).toBe(0);
    expect(c.used('c')).toBe(1);
  });
});

describe('FailedAuthLimiter', () => {
  it('blocks an address once it has failed `limit` times in its window', () => {
    const l = new FailedAuthLimiter(2);
    l.failed('10.0.0.1');
    expect(l.blocked('10.0.0.1')).toBe(false);
    l.failed('10.0.0.1');
    expect(l.blocked('10.0.0.1')).toBe(true);
    expect(l.blocked('10.0.0.2')).toBe(false);
  });
});

describe('a limited route, over HTTP', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = express();
    app.get(
      '/x',
      rateLimited({ limit: 2, windowMs: 30_000, key: (req) => String(req.headers['x-who']), message: 'slow down, you' }),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('says the policy and what is left, then refuses with 429, Retry-After and the error shape', async () => {
    const ask = (who: string) => fetch(`${base}/x`, { headers: { 'x-who': who } });
    const first = await ask('p');
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('2;w=30');
    expect(first.headers.get('ratelimit')).toBe('limit=2, remaining=1, reset=30');
    const second = await ask('p');
    expect(second.headers.get('ratelimit')).toMatch(/^limit=2, remaining=0, reset=(29|30)$/);
    const third = await ask('p');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
    expect(third.headers.get('ratelimit')).toMatch(/^limit=2, remaining=0, reset=(29|30)$/);
    expect(await third.json()).toEqual({ error: { code: 'RATE_LIMITED', message: 'slow down, you' } });
    // Another key has its own count.
    expect((await ask('q')).status).toBe(200);
  });
});
