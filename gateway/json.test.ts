/**
 * The gateway's `res.json` answers what express's does: the same status, type, length and body,
 * for GET and HEAD, for no content, for a type set before; and other apps keep express's own.
 */
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leanJson } from './json.js';

function appWith(lean: boolean): Express {
  const app = express();
  app.set('etag', false);
  if (lean) leanJson(app);
  app.get('/body', (_req, res) => {
    res.status(201).json({ 名称: '和平区王记服装店', n: 1.5, list: [null, true], nested: { a: '"quoted" \\ \u2028' } });
  });
  app.get('/none', (_req, res) => {
    res.status(204).json({ dropped: true });
  });
  app.get('/typed', (_req, res) => {
    res.type('application/problem+json').json({ title: 'x' });
  });
  app.get('/undefined', (_req, res) => {
    res.json(undefined);
  });
  return app;
}

const servers: Server[] = [];
const bases: Record<'lean' | 'express', string> = { lean: '', express: '' };
beforeAll(async () => {
  for (const kind of ['lean', 'express'] as const) {
    const s = await new Promise<Server>((r) => {
      const x = appWith(kind === 'lean').listen(0, '127.0.0.1', () => r(x));
    });
    servers.push(s);
    bases[kind] = `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  }
});
afterAll(async () => {
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
});

async function answer(kind: 'lean' | 'express', path: string, method = 'GET') {
  const r = await fetch(`${bases[kind]}${path}`, { method });
  const body = Buffer.from(await r.arrayBuffer()).toString('utf8');
  return {
    status: r.status,
    type: r.headers.get('content-type'),
    length: r.headers.get('content-length'),
    body,
  };
}

describe('leanJson', () => {
  it.each([
    ['/body', 'GET'],
    ['/body', 'HEAD'],
    ['/none', 'GET'],
    ['/typed', 'GET'],
    ['/undefined', 'GET'],
  ])('answers %s (%s) as express does', async (path, method) => {
    const lean = await answer('lean', path, method);
    expect(lean).toEqual(await answer('express', path, method));
  });

  it('writes UTF-8 JSON with its length in bytes', async () => {
    const a = await answer('lean', '/body');
    expect(a.status).toBe(201);
    expect(a.type).toBe('application/json; charset=utf-8');
    expect(Number(a.length)).toBe(Buffer.byteLength(a.body));
    expect(JSON.parse(a.body)).toEqual({
      名称: '和平区王记服装店',
      n: 1.5,
      list: [null, true],
      nested: { a: '"quoted" \\ \u2028' },
    });
  });

  it("leaves other apps' res.json as express made it", () => {
    const other = express();
    leanJson(express());
    expect(other.response.json).toBe(express.response.json);
  });
});
