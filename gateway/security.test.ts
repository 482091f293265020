/**
 * The gateway's security findings, each as a test named by its F-number (the rest of the list is
 * in the jurisdiction test, F1 and F3). Real HTTP on loopback, the embedded store.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { startTestGateway, type TestGateway } from './testing.js';

let p: Pipeline;
let g: TestGateway;
let tianjin: string;

beforeAll(async () => {
  p = await openPipeline({ mode: 'embedded', partitions: 3 });
  const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 5, seed: 1802 })];
  await ingestBusinesses(p.ctx, businesses, 2024);
  g = await startTestGateway(p.store, p.ctx);
  tianjin = businesses[0]?.creditCode as string;
}, 120_000);
afterAll(async () => {
  await g?.close();
  await p?.close();
});

/** A raw request, for what fetch refuses to send. */
function raw(method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<number> {
  const url = new URL(g.base);
  return new Promise((resolve, reject) => {
    const r = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', reject);
    if (body !== undefined) r.write(body);
    r.end();
  });
}

describe('gateway security findings', () => {
  it('F2: an audit entry with a NUL or a lone surrogate fails no request of its batch', async () => {
    const reg = await g.token('regulator', 'reg-f2');
    const bank = await g.token('bank', 'bank-f2');
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => g.call('GET', `/v1/credit-tags/${tianjin}?purpose=credit-assessment`, bank)),
      g.call('GET', '/v1/regulator/audit?creditCode=%00', reg),
      g.call('POST', '/v1/transfers/check', reg, { creditCode: '\ud800', toRegion: '130102' }),
      ...Array.from({ length: 20 }, () => g.call('GET', `/v1/credit-tags/${tianjin}?purpose=credit-assessment`, bank)),
    ]);
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(results[20]?.status).toBe(400);
    expect(results[21]?.status).toBe(400);
  });

  it('F7: an agency of region 110000 may not push a Tianjin business, and the 5 MB body is not read before its scope is checked', async () => {
    const agency = await g.token('agency', 'tax-bj', { region: '110000', scope: 'feeds:tax' });
    const r = await g.call('POST', '/v1/feeds/tax/tax', agency, {
      batchId: 'f7',
      records: [{ creditCode: tianjin, year: 2024, registeredOn: '2020-01-01', vatPaidYuan: 1 }],
    });
    expect(r.status).toBe(403);
    expect((r.body.error as { message: string }).message).toContain('records.0.creditCode');
    // Without the scope: refused before the body is parsed (an unparseable body still gets 403).
    const other = await g.token('agency', 'court-1', { scope: 'feeds:court' });
    const status = await raw(
      'POST',
      '/v1/feeds/tax/tax',
      { authorization: `Bearer ${other}`, 'content-type': 'application/json' },
      '{"not json',
    );
    expect(status).toBe(403);
  });

  it('F10: malformed input is a 4xx, never a 500', async () => {
    const pub = await g.token('public');
    expect((await g.call('GET', '/v1/public/search?name=%00', pub)).status).toBe(400);
    expect(await raw('GET', '/v1/public/businesses/%E0%A4%A', { authorization: `Bearer ${pub}` })).toBeLessThan(500);
    const agency = await g.token('agency', 'tax-1', { scope: 'feeds:tax' });
    // A brotli body that is not brotli: refused as the caller's fault.
    const br = await raw(
      'POST',
      '/v1/feeds/tax/tax',
      { authorization: `Bearer ${agency}`, 'content-type': 'application/json', 'content-encoding': 'br' },
      Buffer.from([1, 2, 3]),
    );
    expect([br >= 400, br < 500]).toEqual([true, true]);
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const body = `{"batchId":"f10","records":[{"creditCode":"${tianjin}","x":${deep}}]}`;
    const status = await raw(
      'POST',
      '/v1/feeds/tax/tax',
      { authorization: `Bearer ${agency}`, 'content-type': 'application/json' },
      body,
    );
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });

  it('F11: a 15,000-character credit code is refused, and nothing that long reaches the audit log', async () => {
    const reg = await g.token('regulator', 'reg-f11');
    const long = 'A'.repeat(15_000);
    expect((await g.call('GET', `/v1/regulator/audit?creditCode=${long}`, reg)).status).toBe(400);
    expect((await g.call('POST', '/v1/transfers/check', reg, { creditCode: long, toRegion: '130102' })).status).toBe(400);
    const entries = await p.store.auditEntries();
    expect(entries.filter((e) => (e.creditCode?.length ?? 0) > 18)).toEqual([]);
  });

  it('F14: revoking for a business the store does not know is refused outside the region of its code, not 404', async () => {
    const reg = await g.token('regulator', 'reg-f14', { region: '110000' });
    // A valid code issued in Tianjin that no feed has reported.
    const unknown = [...generateBusinesses({ region: 'tianjin', businesses: 1, seed: 99_999 })][0]?.creditCode as string;
    expect(await p.store.business(unknown)).toBeNull();
    const r = await g.call('POST', `/v1/regulator/recognitions/${unknown}/revoke`, reg, { ground: 'fraud', note: '测试' });
    expect(r.status).toBe(403);
  });

  it('the audit chain is whole after all of the above', async () => {
    const v = await g.call('GET', '/v1/regulator/audit/verify', await g.token('regulator', 'reg-verify'));
    expect(v.status).toBe(200);
    expect(v.body.ok).toBe(true);
  });
});
