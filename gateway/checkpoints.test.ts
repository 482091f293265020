/**
 * An audit no one can quietly rewrite: the chain's head is signed at a fixed cadence, kept,
 * published at an endpoint and on a topic. Someone with database access who edits an entry and
 * re-hashes the chain after it gets a chain that verifies on its own — and is found out by any
 * checkpoint kept from before.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { auditHash } from '../lib/store/auditChain.js';
import { rawQuery } from '../lib/store/testing.js';
import { topicName } from '../pipeline/reconciler.js';
import { verifyChain } from './auditVerify.js';
import { CHECKPOINT_AUDIENCE, CHECKPOINT_TYP, publishCheckpoint, startCheckpoints } from './checkpoints.js';
import { startTestGateway, type TestGateway } from './testing.js';

let p: Pipeline;
let g: TestGateway;
const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 50, seed: 2929 })];
const code = businesses[0]?.creditCode as string;

beforeAll(async () => {
  p = await openPipeline({ mode: 'embedded', partitions: 3 });
  await ingestBusinesses(p.ctx, businesses, 2024);
  g = await startTestGateway(p.store, p.ctx);
}, 120_000);
afterAll(async () => {
  await g?.close();
  await p?.close();
});

const signer = () => ({ store: p.store, keys: g.checkpointKeys, issuer: 'getihu-dev', pipeline: p.ctx });
/** Some audited reads, so that the chain moves. */
async function reads(n: number): Promise<void> {
  const bank = await g.token('bank', 'bank:cp');
  for (let i = 0; i < n; i++) await g.call('GET', `/v1/credit-tags/${code}?purpose=pre-approval`, bank);
}

describe('signed checkpoints of the audit chain', () => {
  it('signs the head when it moved, keeps it, and publishes it at the endpoint and on the topic', async () => {
    expect((await g.call('GET', '/v1/audit/checkpoints/latest')).status).toBe(404);
    await reads(5);
    const c = await publishCheckpoint(signer());
    expect(c).not.toBeNull();
    const head = await p.store.checkpoints.head();
    expect(c).toMatchObject({ seq: head.seq, hash: head.hash });
    // Nothing new to sign: no second checkpoint of the same head.
    expect(await publishCheckpoint(signer())).toBeNull();

    // Anyone verifies it with the published keys alone.
    const keys = await g.call('GET', '/.well-known/audit-keys.json');
    const { payload, protectedHeader } = await jwtVerify(c?.token as string, createLocalJWKSet(keys.body as { keys: never[] }), {
      issuer: 'getihu-dev',
      audience: CHECKPOINT_AUDIENCE,
    });
    expect(protectedHeader.typ).toBe(CHECKPOINT_TYP);
    expect(payload).toMatchObject({ seq: head.seq, hash: head.hash });
    // The badge keys do not verify it: another key, another purpose.
    const badgeKeys = await g.call('GET', '/.well-known/jwks.json');
    await expect(jwtVerify(c?.token as string, createLocalJWKSet(badgeKeys.body as { keys: never[] }))).rejects.toThrow();

    expect((await g.call('GET', '/v1/audit/checkpoints/latest')).body).toEqual(c);
    expect((await g.call('GET', '/v1/audit/checkpoints')).body).toEqual({ checkpoints: [c], next: null });
    const events = [];
    for await (const b of p.ctx.bus.readSnapshot(topicName(p.ctx, 'checkpoint'))) events.push(...b);
    expect(events.map((e) => p.ctx.codec.decodeKnown(e.topic, e.value as Buffer))).toEqual([
      expect.objectContaining({ seq: c?.seq, hash: c?.hash, issuer: 'getihu-dev', token: c?.token }),
    ]);
  });

  it('at its cadence, signs again only after the chain moved', async () => {
    const before = (await p.store.checkpoints.latest())?.seq as number;
    const cadence = startCheckpoints(signer(), 1);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect((await p.store.checkpoints.latest())?.seq).toBe(before);
      await reads(3);
      const until = Date.now() + 10_000;
      while (((await p.store.checkpoints.latest())?.seq as number) === before && Date.now() < until)
        await new Promise((r) => setTimeout(r, 100));
    } finally {
      await cadence.stop();
    }
    expect((await p.store.checkpoints.latest())?.seq).toBeGreaterThan(before);
  });

  it('a chain edited and re-hashed with database access verifies on its own, and every kept checkpoint finds it out', async () => {
    await reads(4);
    const kept = (await publishCheckpoint(signer()))?.token as string;
    expect((await g.call('POST', '/v1/audit/checkpoints/verify', undefined, { token: kept })).body).toMatchObject({
      consistent: true,
    });

    // The rewrite: an entry's outcome changed, then every hash from it on recomputed and stored.
    const entries = await p.store.auditEntries(undefined, 100_000);
    const victim = entries.find((e) => e.action === 'credit-tags.read') as (typeof entries)[number];
    let prev = entries[victim.seq - 2]?.hash ?? 'genesis';
    for (const e of entries.slice(victim.seq - 1)) {
      const changed = e.seq === victim.seq ? { ...e, outcome: `${e.outcome}, edited` } : e;
      const h = auditHash(prev, e.seq, e.at, changed);
      await rawQuery(p.store, 'update audit_log set outcome = $1, prev_hash = $2, hash = $3 where seq = $4', [
        changed.outcome,
        prev,
        h,
        e.seq,
      ]);
      prev = h;
    }
    // The chain alone holds: this is why checkpoints are kept elsewhere.
    expect((await verifyChain(p.store)).ok).toBe(true);

    const check = await g.call('POST', '/v1/audit/checkpoints/verify', undefined, { token: kept });
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ consistent: false });
    expect(check.body.reason).toMatch(/was rewritten/);
    const reg = await g.token('regulator', 'reg-national');
    const verify = await g.call('GET', '/v1/regulator/audit/verify', reg);
    expect(verify.body).toMatchObject({ ok: false, status: 'broken', problem: expect.stringMatching(/was rewritten/) });

    // A token that is not one of this service's checkpoints is refused, naming the field.
    const forged = await g.call('POST', '/v1/audit/checkpoints/verify', undefined, {
      token: await (await g.token('bank', 'x')).toString(),
    });
    expect(forged.status).toBe(400);
    expect((forged.body.error as { message: string }).message).toMatch(/^token: not a checkpoint/);
  });
});
