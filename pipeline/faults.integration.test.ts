/**
 * The fault suite: what an operator does to a running line, on the real broker, registry and
 * PostgreSQL, each fault under its own topic prefix and store schema. Every test ends comparing
 * the decisions stored with what `classify` decides on the same facts. The tests are named by the
 * row of the fault table they answer (docs/operations.md, "Faults").
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { restartRegistry, startPostgres, stopPostgres } from '../deploy/local/infra.js';
import { startTestGateway } from '../gateway/testing.js';
import { isGetihuError } from '../lib/errors.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { Store } from '../lib/store/store.js';
import { Codec, RemoteSchemaStore } from '../schemas/codec.js';
import { frame } from '../schemas/wireFormat.js';
import { startContinuous } from './continuous.js';
import { listDeadLetters, replayDeadLetters } from './deadLetters.js';
import { decisionIdOf } from './decide.js';
import { DecisionPool, runTyping, topicName } from './reconciler.js';
import { startSink } from './sink.js';
import {
  classifyAll,
  spawnCli as cli,
  exited,
  isolatedPipeline,
  killSpawned,
  MODES,
  storeHolds,
  withServices,
} from './testing.js';

const AS_OF = '2025-08-15';
const open: Pipeline[] = [];
const pools: DecisionPool[] = [];
afterEach(async () => {
  killSpawned();
  for (const p of pools.splice(0)) await p.close();
  for (const p of open.splice(0)) await p.close();
});

/** Every business's stored decision is the one `classify` makes of the same facts. */
async function expectDecisionsOfClassify(p: Pipeline, businesses: readonly Record<string, unknown>[]): Promise<void> {
  const expected = classifyAll(businesses, AS_OF);
  const stored = await p.store.allDecisions();
  expect(stored).toHaveLength(businesses.length);
  const wrong = stored.filter((d) => d.decisionId !== decisionIdOf(expected.get(d.creditCode)!));
  expect(wrong.map((d) => `${d.creditCode}: ${d.type}, classify: ${expected.get(d.creditCode)?.type}`)).toEqual([]);
}

/** A growth business of the sample, and the same business with its market-credit fact turned abnormal. */
function growthTurnedAbnormal(businesses: Record<string, unknown>[]): {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
} {
  const expected = classifyAll(businesses, AS_OF);
  const before = businesses.find((b) => expected.get(b.creditCode as string)?.type === 'growth');
  if (before === undefined) throw new Error('no growth business in the sample');
  const after: Record<string, unknown> = {
    ...before,
    marketCredit: { ...(before.marketCredit as object), abnormalOperation: true, seriousIllegal: false, penalties: [] },
  };
  const check = classifyAll([after], AS_OF).get(after.creditCode as string)?.type;
  if (check !== 'ineligible') throw new Error(`the turned business is ${check}, not ineligible`);
  return { before, after };
}

/** A business of the sample whose type changes when its last annual report is corrected to not filed. */
function correctedToUnfiled(businesses: Record<string, unknown>[]): {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
} {
  const expected = classifyAll(businesses, AS_OF);
  for (const before of businesses) {
    const ar = before.annualReport as { year: number; filed: boolean } | undefined;
    if (ar?.filed !== true) continue;
    const after: Record<string, unknown> = { ...before, annualReport: { ...ar, filed: false } };
    if (classifyAll([after], AS_OF).get(after.creditCode as string)?.type !== expected.get(before.creditCode as string)?.type)
      return { before, after };
  }
  throw new Error('no business in the sample whose type an unfiled report changes');
}

describe.each(MODES)('fault suite on %s', (mode) => {
  it('row 3: an older export replayed after a correction never undoes the correction', async () => {
    const p = await isolatedPipeline(mode);
    open.push(p);
    const pool = new DecisionPool(0);
    pools.push(pool);
    const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 300, seed: 303 })];
    const { before, after } = correctedToUnfiled(businesses);
    const code = before.creditCode as string;
    // The regulator's 2024 export of 1 March, its correction of one report on 1 June, and the
    // March export sent again (a re-run, a restored backup).
    await ingestBusinesses(p.ctx, businesses, 2024, 'export-0301', '2025-03-01');
    await ingestBusinesses(p.ctx, [after], 2024, 'correction-0601', '2025-06-01T09:30:00+08:00');
    await ingestBusinesses(p.ctx, businesses, 2024, 'export-0301-again', '2025-03-01');
    const sink = await startSink(p.ctx, p.store);
    const rec = await startContinuous(p.ctx, { asOf: AS_OF, group: `${p.prefix}.rec`, pool });
    await rec.caughtUp(120_000);
    await sink.caughtUp(120_000);
    const final = businesses.map((b) => (b.creditCode === code ? after : b));
    await expectDecisionsOfClassify(p, final);
    // A run reads the same snapshot (compacted, on the embedded bus) and decides the same.
    await runTyping(p.ctx, { area: '120000', asOf: AS_OF, pool });
    await sink.caughtUp(120_000);
    await rec.stop();
    await sink.stop();
    await expectDecisionsOfClassify(p, final);
    expect((await p.store.decision(code))?.type).toBe(classifyAll([after], AS_OF).get(code)?.type);
  }, 300_000);
});

describe.skipIf(!withServices())('fault suite (Kafka)', () => {
  it('row 1: garbage on a fact topic and a bad schema id on the decision topic stop no consumer; both are dead letters, replayable', async () => {
    const p = await isolatedPipeline('kafka');
    open.push(p);
    const pool = new DecisionPool(0);
    pools.push(pool);
    const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 400, seed: 101 })];
    await ingestBusinesses(p.ctx, businesses, 2024);
    const sink = await startSink(p.ctx, p.store);
    let rec = await startContinuous(p.ctx, { asOf: AS_OF, group: `${p.prefix}.rec`, pool });
    await rec.caughtUp(120_000);

    // Garbage on the partition of the business that is about to change, then a bad schema id
    // among the decisions, then the valid fact that changes it.
    const { before, after } = growthTurnedAbnormal(businesses);
    const code = before.creditCode as string;
    await p.ctx.bus.send(topicName(p.ctx, 'marketCredit'), [{ key: code, value: Buffer.from('not avro at all \u0000\u00ff') }]);
    await p.ctx.bus.send(topicName(p.ctx, 'typing'), [{ key: code, value: frame(999_999, Buffer.from([1, 2, 3])) }]);
    await ingestBusinesses(p.ctx, [after], 2024, 'correction');
    await rec.caughtUp(120_000);
    await sink.caughtUp(120_000);
    const final = businesses.map((b) => (b.creditCode === code ? after : b));
    expect((await p.store.decision(code))?.type).toBe('ineligible');
    await expectDecisionsOfClassify(p, final);

    // A restarted reconciler rebuilds past both (it used to die on start every time), and a run
    // over the same topics completes.
    await rec.stop();
    rec = await startContinuous(p.ctx, { asOf: AS_OF, group: `${p.prefix}.rec`, pool });
    await rec.caughtUp(120_000);
    const run = await runTyping(p.ctx, { area: '120000', asOf: AS_OF, pool });
    expect(run.decisions).toBe(businesses.length);
    await sink.caughtUp(120_000);
    await expectDecisionsOfClassify(p, final);

    const dead = await listDeadLetters(p.ctx);
    const byConsumer = (c: string) => dead.filter((d) => d.consumer === c);
    for (const c of ['reconciler', 'rebuild', 'run-snapshot']) {
      const d = byConsumer(c).find((x) => x.sourceTopic === topicName(p.ctx, 'marketCredit'));
      expect(d, c).toBeDefined();
      expect(d?.sourceKey).toBe(code);
      expect(d?.reasonCode).toBe('INVALID_INPUT');
      expect(d?.original.toString('latin1')).toContain('not avro at all');
    }
    const sinkDead = byConsumer('sink').find((x) => x.sourceTopic === topicName(p.ctx, 'typing'));
    expect(sinkDead?.reason).toMatch(/999999/);

    // The replay sends each set-aside record back once, to the partition it came from; the garbage
    // is set aside again (a new dead letter), a second replay sends only that.
    const replay = await replayDeadLetters(p.ctx);
    expect(replay.replayed).toBe(2);
    expect(replay.duplicates).toBeGreaterThan(0);
    await rec.caughtUp(120_000);
    await sink.caughtUp(120_000);
    // Each replayed record, still bad, is set aside again by the consumer that reads it: the
    // garbage by the reconciler, the bad schema id by the sink, each at its new offset.
    const setAsideAgain = (list: Awaited<ReturnType<typeof listDeadLetters>>) =>
      ['reconciler', 'sink'].map((c) =>
        list.some(
          (d) =>
            d.consumer === c &&
            d.sourceKey === code &&
            !dead.some((x) => x.sourceTopic === d.sourceTopic && x.sourceOffset === d.sourceOffset),
        ),
      );
    let later = await listDeadLetters(p.ctx);
    for (const until = Date.now() + 60_000; setAsideAgain(later).includes(false) && Date.now() < until; )
      later = await listDeadLetters(p.ctx);
    expect(setAsideAgain(later), JSON.stringify(later.map(({ original: _o, ...d }) => d))).toEqual([true, true]);
    const again = await replayDeadLetters(p.ctx);
    expect(again.replayed).toBe(2);
    await rec.stop();
    await sink.stop();
    await expectDecisionsOfClassify(p, final);
  }, 300_000);

  it('row 1, its cause: sends made at the same moment to one partition all land, each once', async () => {
    // Two consumers setting records aside at once send to the dead-letter topic together; the
    // idempotent producer acknowledged both and wrote one (platformatic/kafka#326).
    const p = await isolatedPipeline('kafka');
    open.push(p);
    const topic = topicName(p.ctx, 'deadLetter');
    const before = (await p.ctx.bus.endOffsets(topic)).reduce((a, b) => a + b, 0);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        p.ctx.bus.send(topic, [{ key: 'same-partition', value: Buffer.from(`record ${i}`), partition: 0 }]),
      ),
    );
    const after = await p.ctx.bus.endOffsets(topic);
    expect(after.reduce((a, b) => a + b, 0) - before).toBe(40);
    const seen: string[] = [];
    for await (const batch of p.ctx.bus.readSnapshot(topic, [0]))
      for (const r of batch) seen.push((r.value as Buffer).toString());
    expect(seen.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `record ${i}`).sort());
  }, 120_000);

  it('row 5: two deployments on one broker under their own prefixes each get every decision', async () => {
    const a = await isolatedPipeline('kafka');
    const b = await isolatedPipeline('kafka');
    open.push(a, b);
    const pool = new DecisionPool(0);
    pools.push(pool);
    const ba = [...generateBusinesses({ region: 'tianjin', businesses: 300, seed: 5 })];
    const bb = [...generateBusinesses({ region: 'tianjin', businesses: 250, seed: 55 })];
    await ingestBusinesses(a.ctx, ba, 2024);
    await ingestBusinesses(b.ctx, bb, 2024);
    const sa = await startSink(a.ctx, a.store);
    const sb = await startSink(b.ctx, b.store);
    await runTyping(a.ctx, { area: '120000', asOf: AS_OF, pool });
    await runTyping(b.ctx, { area: '120000', asOf: AS_OF, pool });
    await sa.caughtUp(120_000);
    await sb.caughtUp(120_000);
    await sa.stop();
    await sb.stop();
    await expectDecisionsOfClassify(a, ba);
    await expectDecisionsOfClassify(b, bb);
  }, 300_000);

  it('row 9: processes starting at once on a new prefix all register their schemas, with the same ids', async () => {
    const prefix = `race${Date.now().toString(36)}`;
    const url = inject('infra').SCHEMA_REGISTRY_URL;
    const codecs = await Promise.all(Array.from({ length: 6 }, () => Codec.create(new RemoteSchemaStore(url), prefix)));
    const ids = codecs.map((c) => JSON.stringify(c.registered()));
    expect(new Set(ids).size).toBe(1);
    // Whole pipelines too: topics created, the store's schema migrated, by four at once.
    const infra = inject('infra');
    const fresh = `race${Date.now().toString(36)}b`;
    const pipelines = await Promise.all(
      Array.from({ length: 4 }, () =>
        openPipeline({
          mode: 'kafka',
          brokers: infra.KAFKA_BROKERS.split(','),
          registryUrl: url,
          databaseUrl: infra.DATABASE_URL,
          prefix: fresh,
          dbSchema: fresh,
          partitions: 3,
        }),
      ),
    );
    open.push(...pipelines);
    expect(await pipelines[0]!.ctx.bus.partitions(topicName(pipelines[0]!.ctx, 'typing'))).toBe(3);
    expect(await pipelines[3]!.store.allDecisions()).toEqual([]);
    // And a command that cannot do its job exits non-zero with the reason, instead of idling.
    const child = cli(['run', '--area', '12', '--as-of', AS_OF], prefix);
    expect(await exited(child)).toBe(2);
    expect(child.err()).toMatch(/INVALID_ARGUMENT: area/);
  }, 120_000);

  // The services below are this machine's own (infra.ts), stopped and started by the tests; a
  // cluster given by address or containers are not ours to stop.
  const ours = () => inject('kafkaRuns') === 'local';

  it('row 2: PostgreSQL stopped under load: the gateway answers 503 then 200 by itself, the reconciler waits, no decision is lost', async (t) => {
    if (!ours()) return t.skip();
    const p = await isolatedPipeline('kafka');
    open.push(p);
    const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 2000, seed: 202 })];
    await ingestBusinesses(p.ctx, businesses, 2024);
    const g = await startTestGateway(p.store, p.ctx);
    const token = await g.token('public');
    const reconcile = cli(['reconcile', '--as-of', AS_OF], p.prefix);
    const until = Date.now() + 120_000;
    while ((await p.store.allDecisions()).length < 200 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    // Under load: the reconciler is still writing decisions when the database goes away.
    const { before, after } = growthTurnedAbnormal(businesses);
    stopPostgres();
    const downAt = Date.now();
    try {
      await ingestBusinesses(p.ctx, [after], 2024, 'during-outage');
      const search = await g.call('GET', `/v1/public/search?name=${encodeURIComponent('烟酒')}`, token);
      expect(search.status).toBe(503);
      expect((search.body.error as { code: string }).code).toBe('UNAVAILABLE');
      expect(JSON.stringify(search.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|15432/);
      expect((await g.call('GET', '/readyz')).status).toBe(503);
      while (Date.now() - downAt < 20_000) await new Promise((r) => setTimeout(r, 500));
      expect(reconcile.exitCode, reconcile.err()).toBeNull();
    } finally {
      await startPostgres();
    }
    const upAt = Date.now();
    let ready = 0;
    while (ready !== 200 && Date.now() - upAt < 60_000) {
      ready = (await g.call('GET', '/readyz')).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ready).toBe(200);
    const gatewayBackMs = Date.now() - upAt;
    const final = businesses.map((b) => (b.creditCode === before.creditCode ? after : b));
    const expected = classifyAll(final, AS_OF);
    const done = storeHolds(p, expected);
    while (!(await done()) && Date.now() - upAt < 180_000) await new Promise((r) => setTimeout(r, 500));
    const decisionsBackMs = Date.now() - upAt;
    expect(reconcile.exitCode, reconcile.err()).toBeNull();
    await expectDecisionsOfClassify(p, final);
    process.stderr.write(
      `row 2: gateway ready ${gatewayBackMs} ms after PostgreSQL; every decision stored ${decisionsBackMs} ms after\n`,
    );
    reconcile.kill('SIGTERM');
    expect(await exited(reconcile)).toBe(0);
    await g.close();
  }, 400_000);

  it('row 6: the registry restarted keeps every schema id; what was written before stays readable', async (t) => {
    if (!ours()) return t.skip();
    const p = await isolatedPipeline('kafka');
    open.push(p);
    const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 300, seed: 606 })];
    await ingestBusinesses(p.ctx, businesses, 2024);
    const ids = p.ctx.codec.registered();
    await restartRegistry();
    const url = inject('infra').SCHEMA_REGISTRY_URL;
    // A process started after the restart: the same ids for the same schemas, and the facts
    // written before decode with the schemas the registry still holds.
    const fresh = await Codec.create(new RemoteSchemaStore(url), p.prefix);
    expect(fresh.registered()).toEqual(ids);
    const run = cli(['run', '--area', '120000', '--as-of', AS_OF], p.prefix);
    expect(await exited(run), run.err()).toBe(0);
    const sink = await startSink(p.ctx, p.store);
    await sink.caughtUp(120_000);
    await sink.stop();
    await expectDecisionsOfClassify(p, businesses);
    expect(await listDeadLetters(p.ctx)).toEqual([]);
  }, 300_000);

  it('row 8: two infra:up while the registry is starting start it once, and its pid file names the one that runs', async (t) => {
    if (!ours()) return t.skip();
    const apicurio = () =>
      execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes('apicurio-registry-app') && l.includes('-jar'))
        .map((l) => Number(l.trim().split(/\s+/)[0]));
    const { stopRegistry } = await import('../deploy/local/infra.js');
    await stopRegistry();
    expect(apicurio()).toEqual([]);
    const up = () =>
      spawn(process.execPath, ['--import', 'tsx', 'deploy/local/infra.ts', 'up'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const a = up();
    await new Promise((r) => setTimeout(r, 1500));
    const b = up();
    const [ea, eb] = await Promise.all([exited(a), exited(b)]);
    expect([ea, eb]).toEqual([0, 0]);
    const running = apicurio();
    expect(running).toHaveLength(1);
    const { readFileSync } = await import('node:fs');
    expect(Number(readFileSync('.data/infra/apicurio.pid', 'utf8'))).toBe(running[0]);
  }, 300_000);
});

describe('fault suite (embedded store)', () => {
  const asRoot = userInfo().uid === 0;
  /** A small tmpfs where root may mount one (else undefined); read-only when asked. */
  const tmpfs = (mb: number, readOnly = false): string | undefined => {
    if (!asRoot) return undefined;
    const dir = mkdtempSync(join(tmpdir(), 'getihu-disk-'));
    try {
      if (readOnly) mkdirSync(join(dir, 'ro'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mb}m${readOnly ? ',ro' : ''}`, 'tmpfs', dir]);
      return dir;
    } catch {
      rmSync(dir, { recursive: true, force: true });
      return undefined;
    }
  };
  const unmount = (dir: string) => {
    // Lazily: a thread that has not yet let go of a file must not fail the test's clean-up.
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  };
  const rows = (i: number) =>
    Array.from({ length: 500 }, (_, k) => ({
      creditCode: `92${String(i * 500 + k).padStart(16, '0')}`,
      name: `商户${'名'.repeat(120)}`,
      region: '120101',
      operatorId: null,
    }));

  it('row 7: a full disk is a clear error with the path, never a hang; once space is freed the store goes on with its data', async (t) => {
    const disk = tmpfs(40);
    if (disk === undefined) {
      // Without a tmpfs: a folder made read-only is refused at open, with its path.
      const dir = mkdtempSync(join(tmpdir(), 'getihu-ro-'));
      chmodSync(dir, 0o555);
      const err = await Store.pglite(join(dir, 'db')).catch((e: unknown) => e);
      chmodSync(dir, 0o755);
      rmSync(dir, { recursive: true, force: true });
      expect(isGetihuError(err)).toBe(true);
      expect((err as Error).message).toContain(join(dir, 'db'));
      return t.skip();
    }
    try {
      const dir = join(disk, 'db');
      const store = await Store.pglite(dir, 10_000);
      let written = 0;
      let failure: unknown;
      const started = Date.now();
      for (let i = 0; failure === undefined && i < 1000; i++) {
        try {
          await store.upsertBusinesses(rows(i));
          written = i + 1;
        } catch (err) {
          failure = err;
        }
      }
      expect(isGetihuError(failure, 'UNAVAILABLE') || isGetihuError(failure, 'TIMEOUT')).toBe(true);
      expect((failure as Error).message).toContain(dir);
      expect((failure as Error).message).toMatch(/No space left|disk full/i);
      expect(Date.now() - started).toBeLessThan(60_000);
      // Space freed: the next write goes through and everything written before is there.
      execFileSync('mount', ['-o', 'remount,size=256m', disk]);
      await store.upsertBusinesses(rows(written));
      expect(await store.business(rows(0)[0]!.creditCode)).not.toBeNull();
      expect(await store.business(rows(written)[499]!.creditCode)).not.toBeNull();
      await store.close();
    } finally {
      unmount(disk);
    }
    // A disk too small to open on, and a read-only one: refused at open with the path.
    const tiny = tmpfs(4) as string;
    try {
      const err = await Store.pglite(join(tiny, 'db'), 10_000).catch((e: unknown) => e);
      expect(isGetihuError(err, 'UNAVAILABLE')).toBe(true);
      expect((err as Error).message).toContain(join(tiny, 'db'));
    } finally {
      unmount(tiny);
    }
    const ro = tmpfs(4, true) as string;
    try {
      const err = await Store.pglite(join(ro, 'db'), 10_000).catch((e: unknown) => e);
      expect(isGetihuError(err, 'INVALID_CONFIG')).toBe(true);
      expect((err as Error).message).toContain(join(ro, 'db'));
    } finally {
      unmount(ro);
    }
  }, 300_000);
});
