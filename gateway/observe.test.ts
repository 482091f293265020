/** Operability of the gateway: request ids, metrics by route template, readiness. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { consumerLagOf } from '../lib/bus/bus.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { DecisionPool, prefixedGroup, runTyping, startSink, topicName } from '../pipeline/index.js';
import { startTestGateway, type TestGateway } from './testing.js';

/** The value of one series in Prometheus's text format (0 when it is not there). */
function series(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}
const scrape = async (g: TestGateway) => (await fetch(`${g.base}/metrics`)).text();

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

  it('counts the decisions a run sends, by type; reports each consumer group’s lag; times the audit’s batches', async () => {
    const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 60, seed: 61 })];
    await ingestBusinesses(p.ctx, businesses, 2024);
    const before = await scrape(g);
    const pool = new DecisionPool(0);
    const run = await runTyping(p.ctx, { area: '120000', asOf: '2025-08-15', pool });
    await pool.close();
    const after = await scrape(g);
    const byType: Record<string, number> = {};
    for (const row of Object.values(run.counts)) for (const [t, n] of Object.entries(row)) byType[t] = (byType[t] ?? 0) + n;
    expect(Object.values(byType).reduce((a, b) => a + b, 0)).toBe(60);
    for (const [t, n] of Object.entries(byType)) {
      const label = `mode="run",type="${t}"`;
      expect(series(after, 'getihu_decisions_total', label) - series(before, 'getihu_decisions_total', label)).toBe(n);
    }
    // A group that has read nothing is behind by every decision; the sink, once caught up, by none.
    const decisions = topicName(p.ctx, 'typing');
    expect(await consumerLagOf(p.ctx.bus, 'nobody', [decisions])).toEqual([{ topic: decisions, lag: 60 }]);
    const sink = await startSink(p.ctx, p.store);
    await sink.caughtUp();
    const group = prefixedGroup(p.ctx, 'getihu-sink');
    const lagged = await scrape(g);
    expect(lagged).toContain(`getihu_consumer_lag{group="${group}",topic="${decisions}"} 0`);
    await sink.stop();
    expect(await scrape(g)).not.toContain(`getihu_consumer_lag{group="${group}"`);
    // Every audited request's entry is committed in a batch the store's commit time is measured for.
    const batches = series(lagged, 'getihu_audit_batch_seconds_count', '');
    expect((await g.call('GET', '/v1/regulator/audit?limit=1', await g.token('regulator'))).status).toBe(200);
    expect(series(await scrape(g), 'getihu_audit_batch_seconds_count', '')).toBeGreaterThan(batches);
  });

  it('is ready when its store and bus answer', async () => {
    const r = await g.call('GET', '/readyz');
    expect(r).toEqual({ status: 200, body: { ok: true, store: 'up', bus: 'up' } });
  });
});
