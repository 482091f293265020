/**
 * The embedded store's thread runs each statement prepared, its arguments written as literals
 * (lib/store/pgliteWorker.ts): arrays as PostgreSQL array literals where the parameter is of an
 * array type. Every value must come back as it was sent, however it is written, and on the
 * prepared path as on the first, unprepared one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from './store.js';
import { rawQuery } from './testing.js';

const awkward = [
  'plain',
  'a "quoted" word',
  'back\\slash and \\"both\\"',
  "it's",
  '{braces}, commas, and spaces ',
  'NULL',
  '',
  '名特优新',
  '\ud83d\ude00 emoji',
  'tab\there, newline\nthere',
];

describe('the embedded store: arrays as parameters', () => {
  let store: Store;
  beforeAll(async () => {
    store = await Store.pglite();
  });
  afterAll(async () => {
    await store.close();
  });

  it('reads back every element of a text array, in order, nulls included, on every call', async () => {
    const sent = [...awkward, null];
    const q = 'select x from unnest($1::text[]) with ordinality as k(x, i) order by k.i';
    for (let call = 0; call < 3; call++) {
      const rows = await rawQuery(store, q, [sent]);
      expect(rows.map((r) => r.x)).toEqual(sent);
    }
  });

  it('reads back arrays of numbers and dates, and a text array beside other parameters', async () => {
    const q = `select n, d::text as d, t, $4::int as extra
      from unnest($1::int[], $2::date[], $3::text[]) with ordinality as k(n, d, t, i) order by k.i`;
    for (let call = 0; call < 2; call++) {
      const rows = await rawQuery(store, q, [[1, -2, 30], ['2025-08-15', '2024-02-29', null], ['x', 'y"', 'z\\'], 7]);
      expect(rows).toEqual([
        { n: 1, d: '2025-08-15', t: 'x', extra: 7 },
        { n: -2, d: '2024-02-29', t: 'y"', extra: 7 },
        { n: 30, d: null, t: 'z\\', extra: 7 },
      ]);
    }
  });

  it('passes a JSON parameter as JSON, not as an array literal', async () => {
    const q = 'select jsonb_array_length($1::jsonb) as n';
    for (let call = 0; call < 2; call++) expect((await rawQuery(store, q, [JSON.stringify([1, 2, 3])]))[0]?.n).toBe(3);
  });
});
