/** Bucket files: a business's records meet in one bucket whatever their key's form, and come back as written. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BucketFiles, bucketOf } from './buckets.js';

const CODE = '92120101MA05T8WQ38';

describe('bucket files', () => {
  it("puts a business's plain, yearly and versioned keys in one bucket", () => {
    for (const buckets of [2, 3, 7, 16]) {
      const b = bucketOf(CODE, buckets);
      expect(bucketOf(`${CODE}:2024`, buckets)).toBe(b);
      expect(bucketOf(`${CODE}:2024:district-review:s1`, buckets)).toBe(b);
      expect(bucketOf(`${CODE}@2025-08-01T00:00:00.000Z`, buckets)).toBe(b);
    }
  });

  it('spreads the businesses of one partition over every bucket', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(bucketOf(`92120101MA${String(i * 7919).padStart(8, '0')}`, 4));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
  });

  it("gives back each bucket's records in the order written, with their topic, place and bytes, then deletes them", () => {
    const topics = ['t.registration', 't.tax'];
    const files = new BucketFiles(3, topics);
    const big = Buffer.alloc(1_500_000, 7); // larger than a bucket's buffer
    const records = [
      { topic: 't.registration', partition: 5, offset: 0, key: CODE, value: Buffer.from('reg'), headers: {} },
      { topic: 't.tax', partition: 5, offset: 12_345_678_901, key: `${CODE}:2024`, value: big, headers: {} },
      { topic: 't.tax', partition: 5, offset: 3, key: '92120101MA00000001', value: Buffer.from('other'), headers: {} },
      { topic: 't.tax', partition: 5, offset: 4, key: null, value: Buffer.from('no key'), headers: {} },
    ];
    for (const r of records) files.add(r);
    const spilled = files.finish();
    const b = bucketOf(CODE, 3);
    const back = [...BucketFiles.records(spilled, b)];
    const mine = records.filter((r) => r.key !== null && bucketOf(r.key, 3) === b);
    expect(back.map((r) => [r.topic, r.partition, r.offset, r.key, r.value?.length])).toEqual(
      mine.map((r) => [r.topic, r.partition, r.offset, r.key, r.value?.length]),
    );
    expect(back[1]?.value?.equals(big)).toBe(true);
    // Every keyed record comes back from some bucket; the unkeyed one (no business) from none.
    const all = [0, 1, 2].filter((x) => x !== b).flatMap((x) => [...BucketFiles.records(spilled, x)]);
    expect(all.length + back.length).toBe(3);
    // Every bucket read: the folder went with the last.
    expect(existsSync(spilled.dir)).toBe(false);
    BucketFiles.remove(spilled);
  });
});
