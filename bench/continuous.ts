/**
 * `npm run bench -- continuous [--businesses N] [--seconds S] [--rate R] [--json]`, against the
 * local Kafka, registry and PostgreSQL (started if needed): continuous mode under a steady stream
 * of facts. A register of N businesses is ingested and decided first; then for S seconds, R
 * market-credit facts a second are sent (in tenths of a second), each one turning a business's
 * abnormal-operation flag, which changes its type (every business in the stream is one whose type
 * the flag changes). For every fact, the time from its acknowledgement by the broker until the
 * serving store — what the gateway reads — answers with the decision `classify` makes of the
 * business's new facts. Reports p50, p90, p99 and the largest, and facts/s achieved.
 *
 * Then a restart: the member is stopped and started again on its state folder, and the seconds
 * until every partition is ready and caught up are measured, against a member started on an empty
 * folder, which reads every partition whole (the ratio of the two, and the fact records each read).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestBusinesses } from '../app/index.js';
import { FEEDS, ingestRecords, splitBusiness } from '../connectors/index.js';
import { infraUp } from '../deploy/local/infra.js';
import { parseIsoDate } from '../lib/dates.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { Classifier, RuleBook } from '../matchers/index.js';
import { DecisionPool, decisionIdOf, prefixedGroup, startContinuous, startSink } from '../pipeline/index.js';
import { deleteTopicsWithPrefix, dropSchema, openBenchPipeline } from './cleanup.js';

const AS_OF = '2025-08-15';
const PARTITIONS = 6;
const log = (s: string) => process.stderr.write(`${s}\n`);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Runs the continuous-mode latency benchmark. */
export async function benchContinuous(businesses: number, seconds: number, rate: number): Promise<Record<string, unknown>> {
  const infra = await infraUp();
  const prefix = `benchc${randomBytes(4).toString('hex')}`;
  const p = await openBenchPipeline(infra, prefix, prefix, PARTITIONS);
  const pool = new DecisionPool(1);
  const stateDirs = [mkdtempSync(join(tmpdir(), 'getihu-benchc-')), mkdtempSync(join(tmpdir(), 'getihu-benchc-'))];
  try {
    const register = [...generateBusinesses({ region: 'tianjin', businesses, seed: 31 })];
    const classifier = new Classifier({ asOf: parseIsoDate(AS_OF), ruleBook: RuleBook.load() });
    const turned = (b: Record<string, unknown>, abnormal: boolean) => ({
      ...b,
      marketCredit: { ...(b.marketCredit as object), abnormalOperation: abnormal },
    });
    // The businesses whose type the flag changes: typed, and 不符合分型条件 once flagged.
    const stream = register.filter(
      (b) =>
        classifier.classifyRecord(turned(b, false)).type !== 'ineligible' &&
        classifier.classifyRecord(turned(b, true)).type === 'ineligible',
    );
    const start = register.map((b) => (stream.includes(b) ? turned(b, false) : b));
    log(`ingesting ${businesses} businesses; ${stream.length} of them in the stream…`);
    await pool.started();
    const group = prefixedGroup(p.ctx, 'rec');
    const rec = await startContinuous(p.ctx, { asOf: AS_OF, group, pool, stateDir: stateDirs[0] as string });
    const sink = await startSink(p.ctx, p.store);
    await ingestBusinesses(p.ctx, start, 2024, 'register');
    await rec.caughtUp(600_000);
    await sink.caughtUp(600_000);

    log(`streaming ${rate} facts/s for ${seconds} s…`);
    const feed = FEEDS.get('market-regulator/market-credit');
    if (feed === undefined) throw new Error('no market-regulator/market-credit feed');
    const flags = new Map(stream.map((b) => [b.creditCode as string, false]));
    const pending = new Map<string, { id: string; ackedAt: number }>();
    const latencies: number[] = [];
    let sent = 0;
    let next = 0;
    let polling = true;
    const poller = (async () => {
      while (polling || pending.size > 0) {
        const codes = [...pending.keys()];
        if (codes.length > 0) {
          const now = performance.now();
          const tags = await p.store.creditTagsOf(codes);
          tags.forEach((t, i) => {
            const code = codes[i] as string;
            const want = pending.get(code);
            if (want !== undefined && t.tags?.decisionId === want.id) {
              latencies.push(now - want.ackedAt);
              pending.delete(code);
            }
          });
        }
        // Every 50 ms: a finer poll is more load on the store than the goal's 1 s needs resolving.
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t0 = performance.now();
    const perTick = Math.max(1, Math.round(rate / 10));
    for (let tick = 0; performance.now() - t0 < seconds * 1000; tick++) {
      const due = t0 + tick * 100;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const batch: { code: string; id: string; row: Record<string, unknown> }[] = [];
      for (let k = 0; k < perTick; k++) {
        const b = stream[next++ % stream.length] as Record<string, unknown>;
        const code = b.creditCode as string;
        // A business still waiting for its last change is left for the next round.
        if (pending.has(code)) continue;
        const abnormal = !flags.get(code);
        flags.set(code, abnormal);
        const now = turned(b, abnormal);
        const row = splitBusiness(now, 2024).find((r) => r.feed === 'market-regulator/market-credit')?.row;
        if (row === undefined) throw new Error(`${code} has no market-credit record`);
        batch.push({ code, id: decisionIdOf(classifier.classifyRecord(now)), row });
      }
      await ingestRecords(
        batch.map((x, i) => ({ line: i + 1, original: JSON.stringify(x.row), fields: x.row })),
        {
          bus: p.ctx.bus,
          codec: p.ctx.codec,
          allowCodes: new Set(),
          feed,
          source: 'bench/market-credit.jsonl',
          topicPrefix: p.ctx.prefix,
        },
      );
      const ackedAt = performance.now();
      for (const x of batch) pending.set(x.code, { id: x.id, ackedAt });
      sent += batch.length;
    }
    const streamed = (performance.now() - t0) / 1000;
    polling = false;
    const drainUntil = performance.now() + 60_000;
    while (pending.size > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
    const unanswered = pending.size;
    pending.clear();
    await poller;
    await rec.stop();

    // A restart: the same state folder (every partition from its checkpoint), then an empty one (read whole).
    const restart = async (stateDir: string) => {
      const t = performance.now();
      const again = await startContinuous(p.ctx, { asOf: AS_OF, group, pool, stateDir });
      while (again.rebuilds().length < PARTITIONS) await new Promise((r) => setTimeout(r, 20));
      await again.caughtUp(600_000);
      const seconds = (performance.now() - t) / 1000;
      const rebuilds = again.rebuilds();
      await again.stop();
      return {
        seconds: Number(seconds.toFixed(2)),
        from: [...new Set(rebuilds.map((r) => r.from))].join(','),
        records: rebuilds.reduce((n, r) => n + r.records, 0),
      };
    };
    log('restarting on the state folder, then on an empty one…');
    const resumed = await restart(stateDirs[0] as string);
    const rebuilt = await restart(stateDirs[1] as string);
    await sink.stop();
    const sorted = [...latencies].sort((a, b) => a - b);
    const ms = (x: number) => Math.round(x);
    return {
      bench: 'continuous',
      businesses,
      streamBusinesses: stream.length,
      seconds: Number(streamed.toFixed(1)),
      rate,
      factsPerSecond: Math.round(sent / streamed),
      facts: sent,
      answered: latencies.length,
      unanswered,
      p50ms: ms(percentile(sorted, 50)),
      p90ms: ms(percentile(sorted, 90)),
      p99ms: ms(percentile(sorted, 99)),
      maxMs: ms(sorted.at(-1) ?? Number.NaN),
      goalP99ms: 1000,
      restart: { resumed, rebuilt, ratio: Number((rebuilt.seconds / resumed.seconds).toFixed(2)) },
    };
  } finally {
    await pool.close();
    await p.close();
    for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
    await deleteTopicsWithPrefix(infra.KAFKA_BROKERS.split(','), `${prefix}.`).catch(() => undefined);
    await dropSchema(infra.DATABASE_URL, prefix).catch(() => undefined);
  }
}
