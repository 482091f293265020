/**
 * Jurisdiction on every route (the gateway security finding F1): a regulator of Beijing (110000)
 * may not read, change or list what belongs to Tianjin; one of Tianjin (120000), or of the
 * business's own district, may; a national token (no region) may everywhere. Every route the
 * gateway serves is declared with what it is scoped by (gateway/route.ts), which the app enforces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { typeAndStore } from '../pipeline/testing.js';
import { createGateway, declaredRoutes, servedRoutes } from './app.js';
import { scopesOf } from './route.js';
import { startTestGateway, type TestGateway } from './testing.js';

const AS_OF = '2025-08-15';
let p: Pipeline;
let g: TestGateway;
let code: string;
let district: string;
let disputeId: string;

beforeAll(async () => {
  p = await openPipeline({ mode: 'embedded', partitions: 3 });
  const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 60, seed: 1801 })];
  await ingestBusinesses(p.ctx, businesses, 2024);
  await typeAndStore(p, '120000', AS_OF);
  g = await startTestGateway(p.store, p.ctx);
  code = businesses[0]?.creditCode as string;
  district = (await p.store.business(code))?.region as string;
  const filed = await g.call('POST', '/v1/disputes', await g.token('public', code), {
    creditCode: code,
    subject: 'type',
    claim: '我们的经营规模应为成长型',
  });
  expect(filed.status).toBe(201);
  disputeId = (filed.body as { id: string }).id;
}, 180_000);
afterAll(async () => {
  await g?.close();
  await p?.close();
});

describe('jurisdiction', () => {
  it('every route the gateway serves says what it is scoped by', () => {
    const app = createGateway(
      {
        store: p.store,
        verify: async () => {
          throw new Error('unused');
        },
        badgeKeys: undefined as never,
        issuer: 'test',
      },
      undefined,
    );
    const routes = servedRoutes(app);
    const declared = declaredRoutes(app);
    const scopes = scopesOf(declared);
    expect(routes.length).toBeGreaterThan(25);
    expect(routes.filter((r) => scopes[r] === undefined)).toEqual([]);
    expect(Object.keys(scopes).filter((r) => !routes.includes(r))).toEqual([]);
    // A regulator's route that names a business in its path acts on that business; a route anyone
    // may call serves nothing beyond what is published.
    for (const r of declared) {
      const key = `${r.method.toUpperCase()} ${r.path}`;
      if (r.path.includes(':code') && r.roles !== 'anyone' && r.roles.includes('regulator'))
        expect(scopes[key], key).toBe('business');
      if (r.roles === 'anyone') expect(scopes[key], key).toBe('open');
    }
  });

  // Each object-level route, called by a regulator of another province, of the business's own
  // province and district, and by a national one.
  const calls = (): [string, 'GET' | 'POST', string, unknown?][] => [
    ['explanation', 'GET', `/v1/regulator/decisions/${code}`],
    ['support measures', 'GET', `/v1/regulator/support/${code}`],
    ['audit of the business', 'GET', `/v1/regulator/audit?creditCode=${code}`],
    ['revocation', 'POST', `/v1/regulator/recognitions/${code}/revoke`, { ground: 'fraud', note: '测试' }],
    ['filing review', 'POST', `/v1/regulator/recognitions/${code}/filing-review`, { outcome: 'confirmed', note: '测试' }],
    ['dispute resolution', 'POST', `/v1/regulator/disputes/${disputeId}/resolve`, { outcome: 'uphold', reason: '维持原分型' }],
    ['transfer check (Tianjin → Hebei)', 'POST', '/v1/transfers/check', { creditCode: code, toRegion: '130102' }],
    ['filings of the district', 'GET', `/v1/regulator/filings?area=${district}&year=2025`],
    ['candidates of the district', 'GET', `/v1/regulator/candidates?area=${district}&year=2025`],
    ['runs of the district', 'GET', `/v1/regulator/runs?area=${district}`],
    ['rounds of the district', 'GET', `/v1/regulator/rounds?area=${district}`],
    ['recognitions of the district', 'GET', `/v1/regulator/recognitions?area=${district}`],
    ['a sweep of Tianjin', 'POST', '/v1/regulator/badges/sweep', { area: '120000' }],
    [
      'a review step',
      'POST',
      '/v1/regulator/review-steps',
      {
        batchId: 'jurisdiction-1',
        steps: [{ creditCode: code, year: 2025, step: 'visit', on: '2025-09-01', outcome: 'passed', note: '现场核实' }],
      },
    ],
  ];

  it.each([
    ['110000', 'another province'],
    ['110101', 'a district of another province'],
  ])('a regulator of %s (%s) is refused on every Tianjin object, and the refusal is audited', async (region) => {
    const token = await g.token('regulator', `reg-${region}`, { region });
    for (const [what, method, path, body] of calls()) {
      const r = await g.call(method, path, token, body);
      expect([what, r.status, (r.body.error as { code?: string } | undefined)?.code]).toEqual([what, 403, 'FORBIDDEN']);
    }
    const denied = (await p.store.auditEntries()).filter((e) => e.subject === `reg-${region}` && e.outcome === 'denied');
    expect(denied.length).toBeGreaterThanOrEqual(calls().length);
    // The audit it may read holds nothing of Tianjin, and its dispute list is empty.
    const audit = await g.call('GET', '/v1/regulator/audit', token);
    expect(audit.status).toBe(200);
    expect((audit.body.entries as { creditCode: string | null }[]).filter((e) => e.creditCode?.startsWith('9212'))).toEqual([]);
    const disputes = await g.call('GET', '/v1/regulator/disputes', token);
    expect(disputes.body.disputes).toEqual([]);
  });

  it.each([
    ['120000', 'the business’s province'],
    ['district', 'the business’s district'],
    [null, 'a national regulator'],
  ] as [string | null, string][])('a regulator of %s (%s) is not refused', async (region) => {
    const r = region === 'district' ? district : region;
    const token = await g.token('regulator', `reg-${r ?? 'national'}`, r === null ? {} : { region: r });
    for (const [what, method, path, body] of calls()) {
      // A district sweeps its own district only.
      if (what === 'a sweep of Tianjin' && r === district) continue;
      const res = await g.call(method, path, token, body);
      // The level: a district's filings are reviewed by the level above it, and typing disputes
      // are the province-level regulator's (国市监注发〔2024〕10号 附件 一(三)3).
      if ((what === 'filing review' || what === 'dispute resolution') && r === district)
        expect([what, res.status, (res.body.error as { message: string }).message]).toEqual([
          what,
          403,
          expect.stringContaining('province-level'),
        ]);
      else expect([what, res.status]).not.toEqual([what, 403]);
    }
    const audit = await g.call('GET', `/v1/regulator/audit?creditCode=${code}`, token);
    expect((audit.body.entries as unknown[]).length).toBeGreaterThan(0);
  });

  it('pages the audit newest first, by cursor', async () => {
    const token = await g.token('regulator', 'reg-national');
    const first = await g.call('GET', '/v1/regulator/audit?limit=3', token);
    const seqs = (first.body.entries as { seq: number }[]).map((e) => e.seq);
    expect(seqs).toHaveLength(3);
    expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);
    const next = first.body.next as { before: number };
    expect(next.before).toBe(seqs[2]);
    const second = await g.call('GET', `/v1/regulator/audit?limit=3&before=${next.before}`, token);
    expect((second.body.entries as { seq: number }[])[0]?.seq).toBeLessThan(seqs[2] as number);
    const bad = await g.call('GET', '/v1/regulator/audit?limit=5000', token);
    expect(bad.status).toBe(400);
  });

  it('filters the audit by subject, action and time', async () => {
    const token = await g.token('regulator', 'reg-national');
    const all = (await g.call('GET', '/v1/regulator/audit?limit=1000', token)).body.entries as {
      seq: number;
      subject: string;
      action: string;
      at: string;
    }[];
    // Someone other than this regulator, whose reads add entries while the test reads.
    const someone = all.find((e) => e.action !== 'audit.read' && e.subject !== 'reg-national') as (typeof all)[number];
    const bySubject = (
      await g.call('GET', `/v1/regulator/audit?limit=1000&subject=${encodeURIComponent(someone.subject)}`, token)
    ).body.entries as typeof all;
    expect(bySubject.length).toBeGreaterThan(0);
    expect(bySubject.map((e) => e.seq)).toEqual(all.filter((e) => e.subject === someone.subject).map((e) => e.seq));
    const byAction = (await g.call('GET', `/v1/regulator/audit?limit=1000&action=${someone.action}`, token)).body
      .entries as typeof all;
    expect(byAction.map((e) => e.seq)).toEqual(all.filter((e) => e.action === someone.action).map((e) => e.seq));
    // [since, until): the entry's own time is in, a millisecond past it is out.
    const at = someone.at;
    const after = new Date(Date.parse(at) + 1).toISOString();
    const window = (await g.call('GET', `/v1/regulator/audit?limit=1000&since=${at}&until=${after}`, token)).body
      .entries as typeof all;
    expect(window.map((e) => e.seq)).toContain(someone.seq);
    expect(window.every((e) => e.at === at)).toBe(true);
    expect((await g.call('GET', '/v1/regulator/audit?since=yesterday', token)).status).toBe(400);
    expect((await g.call('GET', '/v1/regulator/audit?action=DROP%20TABLE', token)).status).toBe(400);
  });
});
