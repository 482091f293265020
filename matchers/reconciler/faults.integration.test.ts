/**
 * The fault suite: what an operator does to a running line, on the real broker, registry and
 * PostgreSQL, each fault under its own topic prefix and store schema. Every test ends comparing
 * the decisions stored with what `classify` decides on the same facts. The tests are named by the
 * row of the fault table they answer (docs/operations.md, "Faults").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { generateBusinesses } from '../../lib/generate/generator.js';
import { Codec, RemoteSchemaStore } from '../../schemas/codec.js';
import { frame } from '../../schemas/wireFormat.js';
import { listDeadLetters, replayDeadLetters } from './deadLetters.js';
import { decisionIdOf } from './decide.js';
import { ingestBusinesses, type Pipeline } from './pipeline.js';
import { DecisionPool, runTyping, startContinuous, topicName } from './reconciler.js';
import { startSink } from './sink.js';
import { classifyAll, isolatedPipeline } from './testing.js';

const AS_OF = '2025-08-15';
const open: Pipeline[] = [];
const pools: DecisionPool[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const p of pools.splice(0)) await p.close();
  for (const p of open.splice(0)) await p.close();
});

function cli(args: string[], prefix: string): ChildProcess & { err: () => string } {
  const infra = inject('infra');
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/cli.ts', ...args], {
    env: { ...process.env, ...infra, GETIHU_TOPIC_PREFIX: prefix, GETIHU_DB_SCHEMA: prefix, GETIHU_PARTITIONS: '3' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += String(d);
  });
  child.stdout?.resume();
  children.push(child);
  return Object.assign(child, { err: () => err });
}

const exited = (c: ChildProcess) =>
  new Promise<number | null>((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', (code) => resolve(code))));

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

describe.each(['embedded', 'kafka'] as const)('fault suite on %s', (mode) => {
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

describe('fault suite (Kafka)', () => {
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
    const again = await replayDeadLetters(p.ctx);
    expect(again.replayed).toBe(2);
    await rec.stop();
    await sink.stop();
    await expectDecisionsOfClassify(p, final);
  }, 300_000);

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
    // And a command that cannot do its job exits non-zero with the reason, instead of idling.
    const child = cli(['run', '--area', '12', '--as-of', AS_OF], prefix);
    expect(await exited(child)).toBe(2);
    expect(child.err()).toMatch(/INVALID_ARGUMENT: area/);
  }, 120_000);
});
