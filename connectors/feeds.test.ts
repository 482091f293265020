/**
 * One field list per feed: a feed's fields are declared in its columns, its zod row, the fact it
 * makes, and its topic's Avro schema (and once more where a snapshot is split into agency rows).
 * These tests hold the four to each other, on every feed, so a field added to one and forgotten
 * in another fails here instead of on a broker.
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { completeCreditCode } from '../lib/creditCode.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { TOPICS } from '../lib/topics.js';
import { latestSchemaText } from '../schemas/codec.js';
import type { FeedDefinition } from './feed.js';
import { FEEDS, splitBusiness } from './index.js';

const SEED = 20241;
const LAST_YEAR = 2024;

/** The fields of a feed's zod row. */
function rowFields(feed: FeedDefinition): string[] {
  const shape = (feed.row as unknown as { shape?: Record<string, unknown> }).shape;
  if (shape === undefined) throw new Error(`${feed.agency}/${feed.feed}: the row is not a zod object`);
  return Object.keys(shape).sort();
}

/** Rows of every feed, from generated businesses of each province (seed logged). */
function sampleRows(): Map<string, Record<string, unknown>[]> {
  console.info(`feeds.test: generated businesses, seed ${SEED}`);
  const rows = new Map<string, Record<string, unknown>[]>();
  for (const region of ['beijing', 'tianjin', 'hebei'])
    for (const b of generateBusinesses({ region, businesses: 3000, seed: SEED }))
      for (const r of splitBusiness(b as unknown as Record<string, unknown>, LAST_YEAR)) {
        const list = rows.get(r.feed) ?? [];
        if (list.length < 200) list.push(r.row);
        rows.set(r.feed, list);
      }
  return rows;
}

/**
 * The feeds a snapshot does not split into (a 名特优新 round's own records): one row each, as
 * the market regulator's platform exports them.
 */
const HAND_ROWS: Readonly<Record<string, Record<string, unknown>>> = {
  'market-regulator/mtyx-reports': {
    creditCode: completeCreditCode('92120101MA05L8XR'),
    year: 2025,
    reportedOn: '2025-07-20',
    operatorChanged: true,
    newOperatorId: 'op-2',
  },
};

describe('one field list per feed', () => {
  const samples = sampleRows();

  for (const [key, feed] of FEEDS) {
    describe(key, () => {
      it('its columns are exactly its row fields', () => {
        expect(feed.columns.map((c) => c.field).sort()).toEqual(rowFields(feed));
        expect(new Set(feed.columns.map((c) => c.header)).size).toBe(feed.columns.length);
      });

      it('its facts carry exactly the fields of its topic Avro schema, and each is valid', () => {
        const rows = samples.get(key) ?? (HAND_ROWS[key] === undefined ? [] : [HAND_ROWS[key]]);
        expect(rows.length, `no sample rows for ${key}`).toBeGreaterThan(0);
        const schema = JSON.parse(latestSchemaText(TOPICS[feed.topic].name)) as { fields: { name: string }[] };
        const type = avro.Type.forSchema(schema as avro.Schema);
        const names = schema.fields.map((f) => f.name).sort();
        for (const [i, raw] of rows.entries()) {
          const row = feed.row.parse(raw);
          feed.check(row, { allowCodes: new Set() });
          const fact = feed.toFact(row, {
            agency: feed.agency,
            feed: feed.feed,
            line: i + 1,
            recordId: `r${i}`,
            reportedAt: null,
          });
          expect(fact.topic).toBe(feed.topic);
          expect(Object.keys(fact.value).sort()).toEqual(names);
          const errors: string[] = [];
          type.isValid(fact.value, { errorHook: (path) => errors.push(path.join('.')) });
          expect(errors, `${key} line ${i + 1}`).toEqual([]);
        }
      });

      it('the rows a snapshot splits into name only its columns, and every field its row requires', () => {
        const rows = samples.get(key);
        if (rows === undefined) {
          expect(HAND_ROWS[key], `${key} is neither split from a snapshot nor given a row here`).toBeDefined();
          return;
        }
        const fields = new Set(feed.columns.map((c) => c.field));
        const required = rowFields(feed).filter((f) => !feed.row.safeParse({ ...rows[0], [f]: undefined }).success);
        for (const r of rows) {
          expect(Object.keys(r).filter((f) => !fields.has(f))).toEqual([]);
          for (const f of required) expect(r[f], `${key}: ${f}`).not.toBeUndefined();
        }
      });
    });
  }
});
