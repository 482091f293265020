import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { openPipeline } from '../app/pipeline.js';
import { EmbeddedBus } from '../lib/bus/index.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { TOPICS } from '../lib/topics.js';
import { codeIn } from '../matchers/testing/fixtures.js';
import { ensurePipelineTopics } from '../pipeline/reconciler.js';
import { Codec, LocalSchemaStore } from '../schemas/codec.js';
import { CheckPool } from './checkPool.js';
import { exportFeeds } from './exportFeeds.js';
import { FEEDS } from './index.js';
import { ingestLines } from './ingest.js';

const CODE = codeIn('120101', 4242);

describe('ingest (embedded)', () => {
  it('accepts a good CSV export with a BOM and quoted JSON cells, and is harmless to re-run', async () => {
    const p = await openPipeline({ mode: 'embedded' });
    const feed = FEEDS.get('market-regulator/market-credit')!;
    const csv = `\uFEFFcredit_code,abnormal_operation,serious_illegal,penalties\n${CODE},是,false,"[{""decidedOn"":""2024-05-01"",""fineOrAbove"":true}]"\n`;
    const once = await ingestLines(Readable.from(csv), 'csv', { bus: p.ctx.bus, codec: p.ctx.codec, feed, source: 'mc.csv' });
    const twice = await ingestLines(Readable.from(csv), 'csv', { bus: p.ctx.bus, codec: p.ctx.codec, feed, source: 'mc.csv' });
    expect([once.accepted, twice.accepted]).toEqual([1, 1]);
    const values = [];
    for await (const b of p.ctx.bus.readSnapshot('getihu.fact.market-credit'))
      for (const r of b) values.push(await p.ctx.codec.decode('getihu.fact.market-credit', r.value!));
    expect(values).toHaveLength(1);
    expect(values[0]).toMatchObject({ abnormalOperation: true, penalties: [{ fineOrAbove: true, repaired: false }] });
    await p.close();
  });

  it('rejects a record too large for a broker message instead of failing the batch', async () => {
    const p = await openPipeline({ mode: 'embedded' });
    const feed = FEEDS.get('ip-office/ip')!;
    const big = JSON.stringify({ creditCode: CODE, trademarksInUse: 1, patents: 0, note: 'x'.repeat(300_000) });
    const s = await ingestLines(Readable.from(`${big}\n{"creditCode":"${CODE}","trademarksInUse":1,"patents":0}\n`), 'jsonl', {
      bus: p.ctx.bus,
      codec: p.ctx.codec,
      feed,
      source: 'ip.jsonl',
      keepOutcomes: true,
    });
    expect(s.outcomes?.map((o) => o.accepted)).toEqual([false, true]);
    await p.close();
  });

  it('refuses a CSV whose first line is not the header', async () => {
    const p = await openPipeline({ mode: 'embedded' });
    const feed = FEEDS.get('ip-office/ip')!;
    await expect(
      ingestLines(Readable.from(`${CODE},1,0\n`), 'csv', {
        bus: p.ctx.bus,
        codec: p.ctx.codec,
        feed,
        source: 'ip.csv',
      }),
    ).rejects.toThrow(/header/);
    await p.close();
  });

  it.each(['csv', 'jsonl'] as const)(
    'checked on pool threads, a %s file gives the same receipt and the same messages as checked inline',
    async (format) => {
      const dir = mkdtempSync(join(tmpdir(), 'getihu-ingest-'));
      const pool = new CheckPool(2);
      try {
        // Both threads start before the first chunk: two threads of their own, neither this one.
        const started = await pool.started();
        expect(new Set(started).size).toBe(2);
        expect(started).not.toContain(threadId);
        const files = await exportFeeds(generateBusinesses({ region: 'hebei', businesses: 60, seed: 11 }), 2024, dir, format);
        for (const [key, { file }] of files) {
          // Good lines with bad ones between them: blank, truncated, not the feed's shape.
          const lines = readFileSync(file, 'utf8').split('\n');
          const text = lines
            .flatMap((l, i) => (i === 0 && format === 'csv' ? [l] : [l, '', l.slice(0, Math.floor(l.length / 2)), '{"x":1}']))
            .join('\n');
          const feed = FEEDS.get(key)!;
          const results = [];
          for (const viaPool of [false, true]) {
            // The bus and codec alone (no store): a fresh in-process bus for each way.
            const ctx = { bus: new EmbeddedBus(), codec: await Codec.create(new LocalSchemaStore()), prefix: '', partitions: 6 };
            await ensurePipelineTopics(ctx);
            const summary = await ingestLines(Readable.from(text), format, {
              bus: ctx.bus,
              codec: ctx.codec,
              feed,
              source: file,
              keepOutcomes: true,
              batchSize: 7,
              ...(viaPool ? { pool } : {}),
            });
            const sent: unknown[] = [];
            for (const name of [TOPICS[feed.topic].name, TOPICS.deadLetter.name])
              for await (const b of ctx.bus.readSnapshot(name))
                for (const r of b) sent.push([name, r.partition, r.offset, r.key, Buffer.from(r.value ?? []).toString('base64')]);
            results.push({ summary, sent });
          }
          expect(results[0]?.summary.rejected).toBeGreaterThan(0);
          expect(results[0]?.summary.accepted).toBeGreaterThan(0);
          expect(results[1]).toEqual(results[0]);
        }
      } finally {
        await pool.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
