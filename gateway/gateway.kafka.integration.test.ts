/**
 * The gateway over real HTTP on the distributed mode: Kafka, the Apicurio registry and
 * PostgreSQL (started by the vitest global setup). Decisions arrive through the sink; the audit
 * chain lives in PostgreSQL; the cache follows decision events from the broker.
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, type Pipeline } from '../app/pipeline.js';
import { gatewaySettings } from '../app/settings.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { DecisionPool, runTyping } from '../pipeline/reconciler.js';
import { type Sink, startSink } from '../pipeline/sink.js';
import { classifyAll, isolatedPipeline, survivalReadyToGrow, withServices } from '../pipeline/testing.js';
import { verifyChain } from './auditVerify.js';
import { AUDIENCE, DEV_ISSUER, startGateway } from './index.js';
import { KeyRing } from './keys.js';

const AS_OF = '2025-08-15';
let p: Pipeline;
let sink: Sink;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let access: KeyRing;
let businesses: Record<string, unknown>[];

beforeAll(async () => {
  if (!withServices()) return;
  p = await isolatedPipeline('kafka');
  businesses = [...generateBusinesses({ region: 'hebei', businesses: 800, seed: 505 })];
  await ingestBusinesses(p.ctx, businesses, 2024);
  sink = await startSink(p.ctx, p.store);
  const pool = new DecisionPool(0);
  await runTyping(p.ctx, { area: '130000', asOf: AS_OF, pool });
  await pool.close();
  await sink.caughtUp();
  access = await KeyRing.ephemeral();
  gateway = await startGateway({
    store: p.store,
    pipeline: p.ctx,
    settings: gatewaySettings({ PORT: '0', GETIHU_DEV_KEYS: '1' }, { production: true }),
    keys: { access, badge: await KeyRing.ephemeral() },
  });
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await sink?.stop();
  await p?.close();
});

describe.skipIf(!withServices())('gateway on Kafka + PostgreSQL', () => {
  it('serves bank tags from PostgreSQL, audits in PostgreSQL, never serves a changed result stale, and tells the bank once', async () => {
    const bank = await access.sign(
      { role: 'bank' },
      { issuer: DEV_ISSUER, audience: AUDIENCE, subject: 'bank:kafka', expiresIn: '10m' },
    );
    const expected = classifyAll(businesses, AS_OF);
    const target = survivalReadyToGrow(businesses, expected, '2022-01-01');
    const code = target.creditCode as string;
    const read = async () => {
      const r = await fetch(`${gateway.url}/v1/credit-tags/${code}?purpose=product-matching`, {
        headers: { authorization: `Bearer ${bank}` },
      });
      return { status: r.status, body: (await r.json()) as { type: string; ruleset: string } };
    };
    // Product matching needs the business's authorisation, kept in PostgreSQL and checked on each read.
    expect((await read()).status).toBe(403);
    const own = await access.sign(
      { role: 'public' },
      { issuer: DEV_ISSUER, audience: AUDIENCE, subject: code, expiresIn: '10m' },
    );
    const grant = (expiresOn: string) =>
      fetch(`${gateway.url}/v1/consents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${own}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          creditCode: code,
          bank: 'bank:kafka',
          purpose: 'product-matching',
          scope: ['basic-standard'],
          expiresOn,
        }),
      });
    expect((await grant('2099-12-31')).status).toBe(400); // a year ahead at most
    expect((await grant(new Date(Date.now() + 300 * 86_400_000).toISOString().slice(0, 10))).status).toBe(201);
    expect(await read()).toMatchObject({ status: 200, body: { type: 'survival', ruleset: 'hebei-2024@1' } });
    expect((await fetch(`${gateway.url}/v1/credit-tags/${code}?purpose=product-matching`)).status).toBe(401);
    // The bank has its corrections delivered to its own endpoint.
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.statusCode = 200;
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const hook = await fetch(`${gateway.url}/v1/credit-tags-corrections/webhook`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${bank}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/getihu` }),
    });
    expect(hook.status).toBe(201);

    await ingestBusinesses(p.ctx, [{ ...target, ip: { trademarksInUse: 1, patents: 0 } }], 2024, 'update');
    const pool = new DecisionPool(0);
    await runTyping(p.ctx, { area: '130000', asOf: AS_OF, pool });
    await pool.close();
    await sink.caughtUp();
    const until = Date.now() + 20_000;
    let now = await read();
    while (now.body.type !== 'development' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      now = await read();
    }
    expect(now.body.type).toBe('development');
    // The bank is told once: PostgreSQL keeps times to the microsecond, and the cursor must too, or
    // the last change would be told again after it.
    const corrections = async (cursor?: string) =>
      (await (
        await fetch(`${gateway.url}/v1/credit-tags-corrections${cursor === undefined ? '' : `?cursor=${cursor}`}`, {
          headers: { authorization: `Bearer ${bank}` },
        })
      ).json()) as { corrections: { creditCode: string; type: string }[]; cursor: string };
    const told = await corrections();
    expect(told.corrections).toEqual([expect.objectContaining({ change: 'typing', creditCode: code, type: 'development' })]);
    expect((await corrections(told.cursor)).corrections).toEqual([]);
    while (received.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await new Promise<void>((r) => receiver.close(() => r()));
    expect(received.map((b) => JSON.parse(b))).toEqual([{ corrections: told.corrections, cursor: told.cursor }]);
    const v = await verifyChain(p.store);
    expect(v.ok).toBe(true);
    expect(v.entries).toBeGreaterThanOrEqual(2);
  });
});
