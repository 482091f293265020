/** Operability of the gateway: request ids, metrics by route template, readiness. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPipeline, type Pipeline } from '../app/pipeline.js';
import { generateBusinesses } from '../lib/generate/generator.js';
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

describe('gateway operability', () => {
  it('echoes a plain X-Request-Id and makes one for every other request', async () => {
    const given = await fetch(`${g.base}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const made = await fetch(`${g.base}/healthz`, { headers: { 'x-request-id': `${'x'.repeat(65)} <script>` } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts latency by route template, never by a credit code', async () => {
    const token = await g.token('public');
    const [b] = [...generateBusinesses({ region: 'tianjin', businesses: 1, seed: 4 })];
    const code = (b as { creditCode: string }).creditCode;
    expect((await g.call('GET', `/v1/public/businesses/${code}`, token)).status).toBe(404);
    const text = await (await fetch(`${g.base}/metrics`)).text();
    expect(text).toMatch(
      /getihu_http_request_duration_seconds_count\{method="GET",route="\/v1\/public\/businesses\/:code",status="404"\} [1-9]/,
    );
    expect(text).not.toContain(code);
    expect(text).toContain('getihu_dead_letters_total');
  });

  it('is ready when its store and bus answer', async () => {
    const r = await g.call('GET', '/readyz');
    expect(r).toEqual({ status: 200, body: { ok: true, store: 'up', bus: 'up' } });
  });
});
