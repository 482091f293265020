/** `inSeries`: middleware in one router layer behaves as the same middleware in layers of their own. */
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { inSeries } from './series.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
});

/** Serves `handlers` in series before a route that reports what ran; errors answer 500 with their message. */
async function call(handlers: RequestHandler[]): Promise<{ status: number; body: string }> {
  const app = express();
  app.use(inSeries(handlers));
  app.get('/', (req, res) => {
    res.json({ ran: (req as unknown as { ran: string[] }).ran });
  });
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    res.status(500).json({ error: (err as Error).message, ran: (req as unknown as { ran?: string[] }).ran });
  };
  app.use(onError);
  server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
  return { status: res.status, body: await res.text() };
}

const mark =
  (name: string): RequestHandler =>
  (req, _res, next) => {
    const r = req as unknown as { ran?: string[] };
    r.ran = [...(r.ran ?? []), name];
    next();
  };

describe('inSeries', () => {
  it('runs each handler in order, synchronous and asynchronous, then the routes', async () => {
    const later: RequestHandler = (req, res, next) => {
      setTimeout(() => mark('b')(req, res, next), 5);
    };
    const asyncMark: RequestHandler = async (req, res, next) => {
      await Promise.resolve();
      mark('c')(req, res, next);
    };
    expect(await call([mark('a'), later, asyncMark, mark('d')])).toEqual({ status: 200, body: '{"ran":["a","b","c","d"]}' });
  });

  it('leaves with an error passed to next, a thrown one or a rejected promise: the handlers after it do not run', async () => {
    const fails: RequestHandler = (_req, _res, next) => next(new Error('passed'));
    const throws: RequestHandler = () => {
      throw new Error('thrown');
    };
    const rejects: RequestHandler = async () => {
      throw new Error('rejected');
    };
    for (const [h, message] of [
      [fails, 'passed'],
      [throws, 'thrown'],
      [rejects, 'rejected'],
    ] as const)
      expect(await call([mark('a'), h, mark('never')])).toEqual({
        status: 500,
        body: JSON.stringify({ error: message, ran: ['a'] }),
      });
  });

  it('lets a handler answer and stop the series', async () => {
    const answers: RequestHandler = (_req, res) => {
      res.status(429).json({ stopped: true });
    };
    expect(await call([mark('a'), answers, mark('never')])).toEqual({ status: 429, body: '{"stopped":true}' });
  });
});
