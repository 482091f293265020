/**
 * The security headers of the gateway's answers: an API answer carries the set OWASP's REST
 * Security Cheat Sheet ("Security Headers") names for an API, the docs page a browser renders
 * carries the document headers on top.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPipeline, type Pipeline } from '../app/pipeline.js';
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
});
