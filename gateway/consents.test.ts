/**
 * Banks read what the business authorised (授权): what is published (type, label, 名特优新) serves
 * pre-approval; the basic-standard flags and the typing history need an authorisation the business
 * granted with its own token — bank, purpose, scope, last day — checked on every read, revocable,
 * audited. A read without one is 403 with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { typeAndStore } from '../pipeline/testing.js';
import { startTestGateway, type TestGateway } from './testing.js';

let p: Pipeline;
let g: TestGateway;
// The gateway's clock: 2025-09-01 10:00 China time, moved by the expiry test.
let clock = new Date('2025-09-01T02:00:00Z');
const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 200, seed: 1818 })];
const code = businesses[0]?.creditCode as string;
const other = businesses[1]?.creditCode as string;
const tags = (purpose: string) => `/v1/credit-tags/${code}?purpose=${purpose}`;

beforeAll(async () => {
  p = await openPipeline({ mode: 'embedded', partitions: 3 });
  await ingestBusinesses(p.ctx, businesses, 2024);
  g = await startTestGateway(p.store, p.ctx, () => clock);
  await typeAndStore(p, '120000', '2025-08-15');
}, 180_000);
afterAll(async () => {
  await g?.close();
  await p?.close();
});

describe('bank authorisations', () => {
  it('pre-approval reads what is published; credit assessment without an authorisation is refused with the reason, and audited', async () => {
    const bankA = await g.token('bank', 'bank:a');
    const published = await g.call('GET', tags('pre-approval'), bankA);
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ creditCode: code, basicStandard: null, authorisation: null });
    expect(['survival', 'growth', 'development', 'ineligible']).toContain(published.body.type);
    const refused = await g.call('GET', tags('credit-assessment'), bankA);
    expect(refused.status).toBe(403);
    expect((refused.body.error as { message: string }).message).toMatch(
      /has not authorised this bank.*credit-assessment.*POST \/v1\/consents/,
    );
    const entries = await p.store.auditEntries(code, 100);
    expect(
      entries.some((e) => e.subject === 'bank:a' && e.action === 'credit-tags.read' && e.outcome === 'denied: no authorisation'),
    ).toBe(true);
  });

  it('a business grants a bank one purpose and scope until a day; only that bank, for that purpose, reads the flags', async () => {
    const business = await g.token('public', code);
    const grant = (body: Record<string, unknown>, tok = business) =>
      g.call('POST', '/v1/consents', tok, {
        creditCode: code,
        bank: 'bank:a',
        purpose: 'credit-assessment',
        scope: ['basic-standard'],
        expiresOn: '2025-12-31',
        ...body,
      });
    // Another business's token, a past day, a day more than a year ahead, an unknown scope.
    expect((await grant({}, await g.token('public', other))).status).toBe(403);
    expect(await grant({ expiresOn: '2025-08-31' })).toMatchObject({
      status: 400,
      body: { error: { message: 'expiresOn: a day already past' } },
    });
    expect((await grant({ expiresOn: '2026-09-03' })).body.error).toMatchObject({
      message: expect.stringMatching(/^expiresOn: at most 2026-09-02/),
    });
    expect((await grant({ scope: ['everything'] })).body.error).toMatchObject({ message: expect.stringMatching(/^scope\.0: /) });

    const granted = await grant({});
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({
      creditCode: code,
      bank: 'bank:a',
      purpose: 'credit-assessment',
      scope: ['basic-standard'],
      expiresOn: '2025-12-31',
      grantedBy: code,
      revokedAt: null,
    });
    const id = granted.body.id as string;

    const bankA = await g.token('bank', 'bank:a');
    const read = await g.call('GET', tags('credit-assessment'), bankA);
    expect(read.status).toBe(200);
    expect(read.body.authorisation).toEqual({ id, scope: ['basic-standard'], expiresOn: '2025-12-31' });
    expect(Object.keys(read.body.basicStandard as object).sort()).toEqual([
      'mtyx',
      'noExcludingPenalty',
      'operatorNotOnCourtList',
      'typing',
    ]);
    // Bound to the bank and the purpose it names.
    expect((await g.call('GET', tags('credit-assessment'), await g.token('bank', 'bank:b'))).status).toBe(403);
    expect((await g.call('GET', tags('product-matching'), bankA)).status).toBe(403);
    // The history is another scope.
    expect((await g.call('GET', `/v1/credit-tags/${code}/history?purpose=credit-assessment`, bankA)).status).toBe(403);
    expect((await grant({ scope: ['basic-standard', 'history'] })).status).toBe(201);
    const history = await g.call('GET', `/v1/credit-tags/${code}/history?purpose=credit-assessment`, bankA);
    expect(history.status).toBe(200);
    expect((history.body.history as { asOf: string; by: string }[]).map((h) => [h.asOf, h.by])).toEqual([['2025-08-15', 'run']]);

    // The business lists what it granted; the bank what it holds; nobody else either.
    const mine = await g.call('GET', `/v1/consents?creditCode=${code}`, business);
    expect((mine.body.consents as { bank: string }[]).map((c) => c.bank)).toEqual(['bank:a', 'bank:a']);
    expect((await g.call('GET', `/v1/consents?creditCode=${code}`, await g.token('public', other))).status).toBe(403);
    const held = await g.call('GET', '/v1/bank/consents', bankA);
    expect((held.body.consents as { creditCode: string }[]).every((c) => c.creditCode === code)).toBe(true);
    expect((held.body.consents as unknown[]).length).toBe(2);
    expect((await g.call('GET', '/v1/bank/consents', await g.token('bank', 'bank:b'))).body.consents).toEqual([]);

    const entries = await p.store.auditEntries(code, 100);
    expect(entries.filter((e) => e.action === 'consent.grant' && e.outcome.startsWith('consent_')).length).toBe(2);
    expect(entries.some((e) => e.action === 'credit-tags.read' && e.outcome === `ok ${id}`)).toBe(true);
  });

  it('a revocation by the business refuses the bank’s next read; nobody else can revoke it', async () => {
    const business = await g.token('public', code);
    const bankA = await g.token('bank', 'bank:a');
    const list = (await g.call('GET', `/v1/consents?creditCode=${code}`, business)).body.consents as {
      id: string;
      revokedAt: null;
    }[];
    expect(list.length).toBe(2);
    expect((await g.call('GET', tags('credit-assessment'), bankA)).status).toBe(200);
    for (const c of list) {
      expect((await g.call('DELETE', `/v1/consents/${c.id}`, await g.token('public', other))).status).toBe(404);
      const revoked = await g.call('DELETE', `/v1/consents/${c.id}`, business);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).toEqual(expect.any(String));
      expect((await g.call('DELETE', `/v1/consents/${c.id}`, business)).status).toBe(404);
    }
    expect((await g.call('GET', tags('credit-assessment'), bankA)).status).toBe(403);
    expect((await g.call('GET', tags('pre-approval'), bankA)).body.basicStandard).toBeNull();
    const entries = await p.store.auditEntries(code, 200);
    expect(entries.filter((e) => e.action === 'consent.revoke' && e.outcome.startsWith('consent_')).length).toBe(2);
  });

  it('an authorisation ends after its last day (China time)', async () => {
    const business = await g.token('public', code);
    const bankA = await g.token('bank', 'bank:a');
    expect(
      (
        await g.call('POST', '/v1/consents', business, {
          creditCode: code,
          bank: 'bank:a',
          purpose: 'product-matching',
          scope: ['basic-standard'],
          expiresOn: '2025-09-02',
        })
      ).status,
    ).toBe(201);
    expect((await g.call('GET', tags('product-matching'), bankA)).status).toBe(200);
    // 2025-09-02 23:30 in China: still the last day.
    clock = new Date('2025-09-02T15:30:00Z');
    expect((await g.call('GET', tags('product-matching'), bankA)).status).toBe(200);
    // 2025-09-03 00:30 in China: over, even for the answer looked up a moment ago.
    clock = new Date('2025-09-02T16:30:00Z');
    expect((await g.call('GET', tags('product-matching'), bankA)).status).toBe(403);
  });
});
