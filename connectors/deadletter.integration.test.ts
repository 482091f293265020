/**
 * Thousands of malformed records per feed, through the real broker and registry: no crash,
 * every bad record in the dead-letter topic with its line and a reason code, every good record
 * in its fact topic, and nothing else.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pipeline } from '../app/pipeline.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { Random } from '../lib/generate/random.js';
import { topicName } from '../pipeline/reconciler.js';
import { isolatedPipeline, withServices } from '../pipeline/testing.js';
import { CheckPool } from './checkPool.js';
import { FEEDS } from './index.js';
import { ingestLines } from './ingest.js';
import { splitBusiness } from './split.js';

const open: Pipeline[] = [];
const pools: CheckPool[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
  for (const p of pools.splice(0)) await p.close();
});

/** Ways an export goes wrong, as text lines of the given format. */
function corrupt(
  rnd: Random,
  good: Record<string, unknown>,
  format: 'csv' | 'jsonl',
  columns: readonly { header: string; field: string; kind: string }[],
): string {
  const row = structuredClone(good);
  const kind = rnd.int(0, 7);
  const codeField = 'creditCode' in row ? 'creditCode' : 'operatorId';
  switch (kind) {
    case 0:
      return format === 'jsonl' ? '{"creditCode": "92' : '"unclosed,quote';
    case 1:
      return format === 'jsonl' ? '[1,2,3]' : 'too,few';
    case 2:
      if (codeField === 'creditCode')
        row.creditCode = `${String(row.creditCode).slice(0, 17)}${String(row.creditCode).endsWith('0') ? '1' : '0'}`;
      else row.operatorId = '';
      break;
    case 3:
      if (codeField === 'creditCode') row.creditCode = '91330100799655058B';
      else row.dishonest = 'maybe';
      break;
    case 4: {
      const dateField = Object.keys(row).find((k) => /On$/.test(k));
      if (dateField !== undefined) row[dateField] = '2024-02-30';
      else row[codeField] = 'X';
      break;
    }
    case 5: {
      const numberField = Object.keys(row).find((k) => typeof row[k] === 'number');
      if (numberField !== undefined) row[numberField] = -5;
      else if (codeField === 'creditCode') row[codeField] = 'I'.repeat(18);
      else row.dishonest = 42; // an operator id is opaque: break another field instead
      break;
    }
    case 6:
      delete row[codeField];
      break;
    default:
      return format === 'jsonl' ? 'null' : ',,,,,,,,,,,,,,,,,,,,';
  }
  if (format === 'jsonl') return JSON.stringify(row);
  return stringify([
    columns.map((c) => (row[c.field] == null ? '' : c.kind === 'json' ? JSON.stringify(row[c.field]) : String(row[c.field]))),
  ]).trimEnd();
}

describe.skipIf(!withServices())('dead-letter path (Kafka)', () => {
  it.each([
    ['csv', 0],
    ['jsonl', 0],
    ['csv', 2],
    ['jsonl', 2],
  ] as const)(
    'routes every malformed %s record of every feed to the dead-letter topic with a reason (checked on %i threads)',
    async (format, threads) => {
      const p = await isolatedPipeline('kafka');
      open.push(p);
      const pool = threads === 0 ? undefined : new CheckPool(threads);
      if (pool !== undefined) pools.push(pool);
      const rnd = new Random(format === 'csv' ? 1 : 2);
      const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 400, seed: 5 })];
      const byFeed = new Map<string, Record<string, unknown>[]>();
      for (const b of businesses)
        for (const r of splitBusiness(b, 2024)) byFeed.set(r.feed, [...(byFeed.get(r.feed) ?? []), r.row]);
      let expectedDead = 0;
      for (const [key, rows] of byFeed) {
        const feed = FEEDS.get(key)!;
        const lines: string[] = format === 'csv' ? [feed.columns.map((c) => c.header).join(',')] : [];
        const bad = new Set<number>();
        for (let i = 0; i < 1200; i++) {
          const good = rows[i % rows.length] as Record<string, unknown>;
          if (i % 3 === 0 && i / 3 < rows.length) {
            lines.push(
              format === 'jsonl'
                ? JSON.stringify(good)
                : stringify([
                    feed.columns.map((c) =>
                      good[c.field] == null ? '' : c.kind === 'json' ? JSON.stringify(good[c.field]) : String(good[c.field]),
                    ),
                  ]).trimEnd(),
            );
          } else {
            lines.push(corrupt(rnd, good, format, feed.columns));
            bad.add(lines.length);
          }
        }
        const summary = await ingestLines(Readable.from(`${lines.join('\n')}\n`), format, {
          bus: p.ctx.bus,
          codec: p.ctx.codec,
          feed,
          source: `${feed.feed}.${format}`,
          topicPrefix: p.prefix,
          keepOutcomes: true,
          ...(pool === undefined ? {} : { pool, batchSize: 250 }),
        });
        const rejectedLines = new Set((summary.outcomes ?? []).filter((o) => !o.accepted).map((o) => o.line));
        expect(summary.read).toBe(summary.accepted + summary.rejected);
        expect(rejectedLines).toEqual(bad);
        expect(summary.accepted).toBe((summary.outcomes ?? []).filter((o) => o.accepted).length);
        for (const o of summary.outcomes ?? []) if (!o.accepted) expect(o.reasonCode).toMatch(/^[A-Z_]+$/);
        expect(summary.rejected).toBeGreaterThan(600);
        expectedDead += summary.rejected;
      }
      let dead = 0;
      const reasons = new Set<string>();
      for await (const batch of p.ctx.bus.readSnapshot(topicName(p.ctx, 'deadLetter'))) {
        for (const r of batch) {
          const v = await p.ctx.codec.decode(topicName(p.ctx, 'deadLetter'), r.value as Buffer);
          expect(v.line).toBeGreaterThan(0);
          // The original bytes travel with the reason; only an empty line has none.
          expect(Buffer.isBuffer(v.original)).toBe(true);
          if (v.reasonCode !== 'EMPTY_LINE') expect((v.original as Buffer).length).toBeGreaterThan(0);
          reasons.add(v.reasonCode as string);
          dead++;
        }
      }
      expect(dead).toBe(expectedDead);
      expect(reasons.size).toBeGreaterThanOrEqual(4);
    },
  );
});
