/**
 * Crash safety on the real broker, registry and database: a reconciler killed (SIGKILL) at
 * random points and restarted ends with the decisions of a clean run, none lost, none
 * contradictory; a broker restarted during ingest loses no fact.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ingestBusinesses, type Pipeline } from '../app/pipeline.js';
import { restartKafkaContainer } from '../deploy/local/containers.js';
import { restartKafka } from '../deploy/local/infra.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { Random } from '../lib/generate/random.js';
import { decisionIdOf } from './decide.js';
import { topicName } from './reconciler.js';
import { startSink } from './sink.js';
import {
  classifyAll,
  spawnCli as cli,
  exited,
  isolatedPipeline,
  killSpawned,
  storeHolds,
  waitUntil,
  withServices,
} from './testing.js';

const AS_OF = '2025-08-15';
const open: Pipeline[] = [];
afterEach(async () => {
  killSpawned();
  for (const p of open.splice(0)) await p.close();
});

const total = async (p: Pipeline, id: 'typing' | 'registration') =>
  (await p.ctx.bus.endOffsets(topicName(p.ctx, id))).reduce((a, b) => a + b, 0);

describe.skipIf(!withServices())('crash safety (Kafka)', () => {
  it('a run killed at random points and restarted ends exactly as a clean run', async () => {
    const p = await isolatedPipeline('kafka');
    open.push(p);
    const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 3000, seed: 77 })];
    await ingestBusinesses(p.ctx, businesses, 2024);
    const rnd = new Random(Date.now() % 100_000);
    for (let attempt = 0; attempt < 2; attempt++) {
      const before = await total(p, 'typing');
      const kill = before + rnd.int(100, 2500);
      const child = cli(['run', '--area', '120000', '--as-of', AS_OF, '--batch-size', '100'], p.prefix);
      await waitUntil('some decisions', async () => (await total(p, 'typing')) >= kill || child.exitCode !== null);
      child.kill('SIGKILL');
      await exited(child);
    }
    const final = cli(['run', '--area', '120000', '--as-of', AS_OF, '--batch-size', '500'], p.prefix);
    expect(await exited(final)).toBe(0);

    const sink = await startSink(p.ctx, p.store);
    await sink.caughtUp(120_000);
    await sink.stop();
    const expected = classifyAll(businesses, AS_OF);
    const stored = await p.store.allDecisions();
    expect(stored).toHaveLength(businesses.length);
    for (const d of stored) expect(d.decisionId).toBe(decisionIdOf(expected.get(d.creditCode)!));
    // None contradictory: every decision ever emitted for a business is the one true decision.
    for (const b of businesses.slice(0, 300)) {
      const h = await p.store.history(b.creditCode as string);
      expect(new Set(h.map((x) => x.decisionId)).size).toBe(1);
    }
  });

  it('a continuous reconciler killed during ingest and restarted converges to the clean decisions', async () => {
    const p = await isolatedPipeline('kafka');
    open.push(p);
    const businesses = [...generateBusinesses({ region: 'hebei', businesses: 1500, seed: 78 })];
    let rec = cli(['reconcile', '--as-of', AS_OF, '--group', 'rec'], p.prefix);
    await ingestBusinesses(p.ctx, businesses.slice(0, 700), 2024, 'part1');
    await waitUntil('decisions under way', async () => (await total(p, 'typing')) > 50);
    rec.kill('SIGKILL');
    await exited(rec);
    await ingestBusinesses(p.ctx, businesses.slice(700), 2024, 'part2');
    rec = cli(['reconcile', '--as-of', AS_OF, '--group', 'rec'], p.prefix);
    const expected = classifyAll(businesses, AS_OF);
    await waitUntil('the store to hold the clean decisions', storeHolds(p, expected), 120_000);
    rec.kill('SIGTERM');
    expect(await exited(rec)).toBe(0);
  });

  // A cluster given by address is not ours to restart.
  it.skipIf(inject('kafkaRuns') === 'given')(
    'a broker restarted during ingest loses no fact',
    async () => {
      const p = await isolatedPipeline('kafka');
      open.push(p);
      const businesses = [...generateBusinesses({ region: 'beijing', businesses: 6000, seed: 79 })];
      const ingest = ingestBusinesses(p.ctx, businesses, 2024);
      await waitUntil('ingest under way', async () => (await total(p, 'registration')) > 500);
      const runs = inject('kafkaRuns');
      if (runs === 'local') await restartKafka();
      else await restartKafkaContainer(runs, inject('infra').KAFKA_BROKERS);
      const receipts = await ingest;
      for (const r of receipts) expect(r.accepted).toBe(r.read);
      const keys = new Set<string>();
      for await (const batch of p.ctx.bus.readSnapshot(topicName(p.ctx, 'registration')))
        for (const r of batch) keys.add(r.key as string);
      expect(keys.size).toBe(businesses.length);
      for (const b of businesses) expect(keys.has(b.creditCode as string)).toBe(true);
      // A broker restart reloads every log of the run so far: late in a full run it takes minutes.
    },
    360_000,
  );
});
