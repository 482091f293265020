/**
 * The pipeline end to end, on the embedded bus and on the real Kafka + Apicurio + PostgreSQL
 * (started by deploy/local/vitestSetup.ts): agency feeds through the connectors, the reconciler,
 * the sink. The decisions must be exactly those of `classify` on the same snapshots.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestBusinesses, type Pipeline } from '../app/pipeline.js';
import { partitionOf } from '../lib/bus/index.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { FACT_TOPICS, prefixed, TOPICS } from '../lib/topics.js';
import { business, withSection } from '../matchers/testing/fixtures.js';
import { startContinuous } from './continuous.js';
import { decisionIdOf } from './decide.js';
import { FactStore } from './factStore.js';
import { DecisionPool, runTyping } from './reconciler.js';
import { startSink } from './sink.js';
import { classifyAll, goldenBusinesses, isolatedPipeline, MODES, supportAll, survivalReadyToGrow, waitUntil } from './testing.js';

const AS_OF = '2025-08-15';
const open: Pipeline[] = [];
const pools: DecisionPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
  for (const p of open.splice(0)) await p.close();
});

describe.each(MODES)('pipeline on %s', (mode) => {
  // On Kafka, once more with partitions larger than a thread holds at once: each share is then spread
  // over bucket files and decided bucket by bucket.
  const held = mode === 'embedded' ? [undefined] : [undefined, 3];
  it.each(held)(
    'types the golden set through connectors, a run and the sink exactly as classify does (held %s)',
    async (heldBusinesses) => {
      const p = await isolatedPipeline(mode);
      open.push(p);
      // Two threads and small batches: several batches are decided at once, ahead of the one being sent.
      const pool = new DecisionPool(2, 10);
      pools.push(pool);
      const businesses = goldenBusinesses();
      const receipts = await ingestBusinesses(p.ctx, businesses, 2024);
      expect(receipts.every((r) => r.rejected === 0)).toBe(true);
      const sink = await startSink(p.ctx, p.store);
      let batches = 0;
      const summary = await runTyping(p.ctx, {
        area: '000000',
        asOf: AS_OF,
        pool,
        batchSize: 25,
        ...(heldBusinesses === undefined ? {} : { heldBusinesses }),
        onBatch: () => {
          batches++;
        },
      });
      expect(summary.decisions).toBe(businesses.length);
      expect(batches).toBeGreaterThan(2);
      await sink.caughtUp();
      await sink.stop();
      const expected = classifyAll(businesses, AS_OF);
      const stored = await p.store.allDecisions();
      expect(stored).toHaveLength(expected.size);
      for (const d of stored) {
        const want = expected.get(d.creditCode)!;
        expect({
          type: d.type,
          label: d.label,
          mtyx: d.mtyxBasicEligible,
          ruleset: d.ruleset,
          region: d.region,
          asOf: d.asOf,
        }).toEqual({
          type: want.type,
          label: want.label,
          mtyx: want.mtyxBasicEligible,
          ruleset: want.ruleset,
          region: want.region,
          asOf: want.asOf,
        });
        expect(d.reasons).toEqual(JSON.parse(JSON.stringify(want.reasons)));
        expect(d.decisionId).toBe(decisionIdOf(want));
        expect(d.sources.length).toBeGreaterThan(0);
        expect(d.runId).toBe(summary.runId);
      }
      const run = await p.store.run(summary.runId);
      expect(run?.status).toBe('complete');
      // 精准帮扶: each business's measures reached the store through the support topic, as `support` gives them.
      const owed = supportAll(businesses, AS_OF);
      let measures = 0;
      for (const d of stored) {
        const row = await p.store.support.of(d.creditCode);
        const want = owed.get(d.creditCode)!;
        expect(row).toMatchObject({ decisionId: d.decisionId, type: want.type, catalogue: want.catalogue, runId: summary.runId });
        expect(row?.measures).toEqual(JSON.parse(JSON.stringify(want.measures)));
        expect(row?.ifRecognised).toEqual(JSON.parse(JSON.stringify(want.ifRecognised)));
        measures += row?.measures.length ?? 0;
      }
      expect(measures).toBeGreaterThan(stored.length);
    },
  );

  it('a run before the report season closes reads the year before last and says so (国市监注发〔2024〕10号 附件 一(三)1、一(四)1)', async () => {
    const p = await isolatedPipeline(mode);
    open.push(p);
    const pool = new DecisionPool(1);
    pools.push(pool);
    // An old business whose last report is 2023's, and one established in May 2024 with none yet.
    const old = withSection(business('120101'), 'annualReport', { year: 2023, filed: true });
    const young = business('120102', {
      annualReport: undefined,
      registration: { status: 'active', establishedOn: '2024-05-01', seasonal: false },
    });
    await ingestBusinesses(p.ctx, [old, young], 2023);
    const sink = await startSink(p.ctx, p.store);
    const typeOf = async (code: unknown) => (await p.store.decision(code as string))?.type;
    const march = await runTyping(p.ctx, { area: '120000', asOf: '2025-03-15', pool });
    await sink.caughtUp();
    // In March 2025 the 2024 reports are still being filed: 2023's are read, and a business
    // established in 2024 owes none yet.
    expect(march.reportYear).toMatchObject({ reportYear: 2023, seasonOpenFor: 2024 });
    expect(march.reportYear.note).toMatch(
      /2024 annual reports are still being filed.*read the annual reports, tax and social insurance of 2023/,
    );
    expect([await typeOf(old.creditCode), await typeOf(young.creditCode)]).toEqual(['survival', 'survival']);
    // In August the 2024 season is over: neither filed a 2024 report.
    const august = await runTyping(p.ctx, { area: '120000', asOf: '2025-08-15', pool });
    await sink.caughtUp();
    await sink.stop();
    expect(august.reportYear).toEqual({ reportYear: 2024 });
    expect([await typeOf(old.creditCode), await typeOf(young.creditCode)]).toEqual(['ineligible', 'ineligible']);
  });

  it('continuous mode re-decides a business when a fact changes, and emits only changes', async () => {
    const p = await isolatedPipeline(mode);
    open.push(p);
    const pool = new DecisionPool(0);
    pools.push(pool);
    const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 200, seed: 21 })];
    await ingestBusinesses(p.ctx, businesses, 2024);
    const sink = await startSink(p.ctx, p.store);
    const rec = await startContinuous(p.ctx, { asOf: AS_OF, group: 'rec', pool });
    await rec.caughtUp();
    await sink.caughtUp();
    const before = new Map((await p.store.allDecisions()).map((d) => [d.creditCode, d]));
    expect(before.size).toBe(200);
    const expected = classifyAll(businesses, AS_OF);
    for (const [code, d] of before) expect(d.type).toBe(expected.get(code)!.type);

    // The IP office reports a patent for a survival business: it becomes development.
    const target = survivalReadyToGrow(businesses, expected, '2023-01-01');
    const decisionsBefore = (await p.ctx.bus.endOffsets(`${p.prefix ? `${p.prefix}.` : ''}getihu.decision.typing`)).reduce(
      (a, b) => a + b,
      0,
    );
    await ingestBusinesses(p.ctx, [{ ...target, ip: { trademarksInUse: 0, patents: 1 } }], 2024, 'update');
    await rec.caughtUp();
    await sink.caughtUp();
    const after = await p.store.decision(target.creditCode as string);
    expect(after?.type).toBe('development');
    const decisionsAfter = (await p.ctx.bus.endOffsets(`${p.prefix ? `${p.prefix}.` : ''}getihu.decision.typing`)).reduce(
      (a, b) => a + b,
      0,
    );
    // Re-sending every other fact unchanged emitted nothing; only the changed business has a new decision.
    expect(decisionsAfter - decisionsBefore).toBe(1);
    const history = await p.store.history(target.creditCode as string);
    expect(history.map((h) => h.type)).toEqual(['survival', 'development']);
    await rec.stop();
    await sink.stop();
  });

  it('a restarted member reads each partition on from its checkpoint; one that no longer fits the log is read whole', async () => {
    const p = await isolatedPipeline(mode, 4);
    open.push(p);
    const pool = new DecisionPool(0);
    pools.push(pool);
    const stateDir = mkdtempSync(join(tmpdir(), 'getihu-rec-state-'));
    const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 120, seed: 23 })];
    await ingestBusinesses(p.ctx, businesses, 2024);
    const sink = await startSink(p.ctx, p.store);
    const factTopics = FACT_TOPICS.filter((t) => t.name !== TOPICS.court.name).map((t) => prefixed(p.prefix, t));
    const factsWritten = async () => {
      let n = 0;
      for (const t of factTopics) n += (await p.ctx.bus.endOffsets(t)).reduce((a, b) => a + b, 0);
      return n;
    };
    const typing = prefixed(p.prefix, TOPICS.typing);
    const decisionsSent = async () => (await p.ctx.bus.endOffsets(typing)).reduce((a, b) => a + b, 0);

    let rec = await startContinuous(p.ctx, { asOf: AS_OF, group: 'rec', pool, stateDir });
    await rec.caughtUp();
    // The first start has no state: every partition is read whole, every fact written so far.
    expect(rec.rebuilds().map((r) => r.from)).toEqual(['topics', 'topics', 'topics', 'topics']);
    expect(rec.rebuilds().reduce((n, r) => n + r.records, 0)).toBe(await factsWritten());
    await rec.stop();

    // While it is down, the IP office reports a patent for a survival business: it becomes development.
    const expected = classifyAll(businesses, AS_OF);
    const target = survivalReadyToGrow(businesses, expected, '2023-01-01');
    const [factsBefore, decisionsBefore] = [await factsWritten(), await decisionsSent()];
    await ingestBusinesses(p.ctx, [{ ...target, ip: { trademarksInUse: 0, patents: 1 } }], 2024, 'update');
    const factsSince = (await factsWritten()) - factsBefore;
    expect(factsSince).toBeGreaterThan(0);

    rec = await startContinuous(p.ctx, { asOf: AS_OF, group: 'rec', pool, stateDir });
    await rec.caughtUp();
    await sink.caughtUp();
    // Every partition resumed, reading only the facts written since it stopped.
    expect(rec.rebuilds().map((r) => r.from)).toEqual(['checkpoint', 'checkpoint', 'checkpoint', 'checkpoint']);
    expect(rec.rebuilds().reduce((n, r) => n + r.records, 0)).toBe(factsSince);
    expect((await p.store.decision(target.creditCode as string))?.type).toBe('development');
    // Its state and last decisions were kept: only the business that changed has a new decision.
    expect((await decisionsSent()) - decisionsBefore).toBe(1);
    await rec.stop();

    // A checkpoint past the end of its log (a topic re-created, say) is not trusted: that partition is read whole.
    const partition = partitionOf(target.creditCode as string, 4);
    const store = await FactStore.open(stateDir, 4);
    store.read(factTopics[0] as string, partition, 1_000_000);
    await store.close();
    rec = await startContinuous(p.ctx, { asOf: AS_OF, group: 'rec', pool, stateDir });
    // Nothing new to read: the group's offsets are at the end before the member has even joined.
    await waitUntil('the member to take its partitions', async () => rec.rebuilds().length === 4);
    await rec.caughtUp();
    expect(rec.rebuilds().map((r) => [r.partition, r.from])).toEqual(
      [0, 1, 2, 3].map((q) => [q, q === partition ? 'topics' : 'checkpoint']),
    );
    expect((await p.store.decision(target.creditCode as string))?.type).toBe('development');
    expect((await decisionsSent()) - decisionsBefore).toBe(1);
    await rec.stop();
    await sink.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });
});

describe.each(MODES)('co-partitioning on %s', (mode) => {
  it("puts every fact of a business — yearly ones keyed code:year included — on the business's partition", async () => {
    const p = await isolatedPipeline(mode, 6);
    open.push(p);
    const businesses = [...generateBusinesses({ region: 'beijing', businesses: 300, seed: 31 })];
    await ingestBusinesses(p.ctx, businesses, 2024);
    const { partitionOf } = await import('../lib/bus/bus.js');
    const { FACT_TOPICS, prefixed } = await import('../lib/topics.js');
    let checked = 0;
    for (const t of FACT_TOPICS.filter((x) => x.keyField === 'creditCode')) {
      for await (const batch of p.ctx.bus.readSnapshot(prefixed(p.prefix, t))) {
        for (const r of batch) {
          const code = (r.key as string).split(':')[0] as string;
          expect(r.partition, `${t.name} ${r.key}`).toBe(partitionOf(code, 6));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1500);
  });
});

describe('名特优新 round on the pipeline (embedded)', () => {
  it('reads applications and honours from the fact topics and decides as the pure round does', async () => {
    const { runRecognition } = await import('./round.js');
    const { runRecognitionRound } = await import('../matchers/index.js');
    const { RuleBook } = await import('../matchers/index.js');
    const { parseIsoDate } = await import('../lib/dates.js');
    const p = await isolatedPipeline('embedded');
    open.push(p);
    const businesses = [...generateBusinesses({ region: 'beijing', businesses: 3000, seed: 41 })];
    await ingestBusinesses(p.ctx, businesses, 2024);
    const got = await runRecognition(p.ctx, p.store, { area: '110000', asOf: AS_OF });
    const want = runRecognitionRound({
      ruleBook: RuleBook.load(),
      asOf: parseIsoDate(AS_OF),
      area: '110000',
      records: businesses,
    });
    expect(got.counts).toEqual(want.counts);
    expect(got.counts.recognised).toBeGreaterThan(0);
    expect(got.candidates.map((c) => [c.creditCode, c.outcome, c.category])).toEqual(
      want.candidates.map((c) => [c.creditCode, c.outcome, c.category]),
    );
    let events = 0;
    for await (const b of p.ctx.bus.readSnapshot('getihu.decision.mtyx')) events += b.length;
    expect(events).toBe(want.candidates.length);
  });
});
