/**
 * The security headers of the gateway's answers: an API answer carries the set OWASP's REST
 * Security Cheat Sheet ("Security Headers") names for an API, the docs page a browser renders
 * carries the document headers on top.
 */
import type { Server } from 'node:http';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPipeline, type Pipeline } from '../app/pipeline.js';
import { constantHeaders } from './headers.js';
import { startTestGateway, type TestGateway } from './testing.js';

let p: Pipeline;
let g: TestGateway;
beforeAll(async () => {
  p = await openPipeline({ mode: 'embedded', partitions: 3 });
  g = await startTestGateway(p.store, p.ctx);
});
afterAll(async () => {
  await g.close();
  await p.close();
});

/** The headers OWASP names for a REST API's answers, with the values the gateway gives. */
const REST_API_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/** Headers that govern only a document a browser renders. */
const DOCUMENT_HEADERS = [
  'cross-origin-opener-policy',
  'origin-agent-cluster',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

describe('security headers', () => {
  it("an API answer carries OWASP's REST set and no document headers — found, refused and unknown alike", async () => {
    const token = await g.token('bank', 'bank:headers');
    const answers = [
      await fetch(`${g.base}/healthz`),
      await fetch(`${g.base}/v1/credit-tags/911201016847301234?purpose=pre-approval`, {
        headers: { authorization: `Bearer ${token}` },
      }),
      await fetch(`${g.base}/v1/regulator/audit`, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${g.base}/no/such/endpoint`),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 400, 403, 404]);
    for (const a of answers) {
      for (const [name, value] of Object.entries(REST_API_HEADERS)) expect(a.headers.get(name), `${a.url} ${name}`).toBe(value);
      for (const name of DOCUMENT_HEADERS) expect(a.headers.get(name), `${a.url} ${name}`).toBeNull();
    }
  });

  it('the docs page and its assets add the document headers, under the page’s own content policy', async () => {
    for (const path of ['/docs', '/docs/assets/swagger-ui.css']) {
      const a = await fetch(`${g.base}${path}`);
      expect(a.status, path).toBe(200);
      for (const name of DOCUMENT_HEADERS) expect(a.headers.get(name), `${path} ${name}`).not.toBeNull();
      expect(a.headers.get('x-frame-options'), path).toBe('DENY');
      expect(a.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
    const page = await fetch(`${g.base}/docs`);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'; script-src 'self' 'sha256-/);
  });

  it('sets on each answer what helmet sets, read off it once; a middleware that needs the request runs as it is', async () => {
    const options = { crossOriginResourcePolicy: { policy: 'same-origin' as const }, xFrameOptions: { action: 'deny' as const } };
    const perRequest: RequestHandler = (req, res, next) => {
      res.setHeader('X-Echo', String(req.headers['x-who']));
      next();
    };
    const app = express();
    app.get('/helmet', helmet(options), (_req, res) => res.json({}));
    app.get('/constant', constantHeaders(helmet(options)), (_req, res) => res.json({}));
    app.get('/echo', constantHeaders(perRequest), (_req, res) => res.json({}));
    const server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const headersOf = async (path: string, who = 'a') => {
        const r = await fetch(`${base}${path}`, { headers: { 'x-who': who } });
        await r.arrayBuffer();
        const h = Object.fromEntries(r.headers);
        delete h.date;
        return h;
      };
      const byHelmet = await headersOf('/helmet');
      expect(byHelmet['content-security-policy']).toBeDefined();
      expect(await headersOf('/constant')).toEqual(byHelmet);
      expect((await headersOf('/echo', 'b'))['x-echo']).toBe('b');
      expect((await headersOf('/echo', 'c'))['x-echo']).toBe('c');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
