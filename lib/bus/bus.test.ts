import { describe, expect, it } from 'vitest';
import { murmur2, partitionOf } from './bus.js';
import { EmbeddedBus } from './embedded.js';

/**
 * murmur2 as the Java client computes it (org.apache.kafka.common.utils.Utils.murmur2): the
 * first six are the cases of Kafka's own UtilsTest.testMurmur2, the others cover every length
 * from 1 to 5 bytes (each remainder of the 4-byte loop).
 */
const JAVA_MURMUR2: readonly [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
  ['1', -1993445489],
  ['12', 126087238],
  ['123', -267702483],
  ['1234', -1614185708],
  ['12345', -1188365604],
];

describe('partitioning', () => {
  it('hashes keys as the Java client does (murmur2)', () => {
    for (const [key, hash] of JAVA_MURMUR2) expect(murmur2(Buffer.from(key, 'utf8'))).toBe(hash);
  });

  it("places a key where the Java client's default partitioner does: toPositive(murmur2) mod partitions", () => {
    for (const n of [1, 3, 6, 12])
      for (const [key, hash] of JAVA_MURMUR2) expect(partitionOf(key, n)).toBe((hash & 0x7fffffff) % n);
  });
});

describe('EmbeddedBus', () => {
  it('keeps per-partition order, compacts snapshots of compacted topics, and commits after the handler', async () => {
    const bus = new EmbeddedBus();
    await bus.ensureTopics([
      { name: 'facts', partitions: 3, compacted: true },
      { name: 'log', partitions: 3, compacted: false },
    ]);
    await bus.send('facts', [
      { key: 'a', value: Buffer.from('1') },
      { key: 'b', value: Buffer.from('1') },
      { key: 'a', value: Buffer.from('2') },
    ]);
    const snap = [];
    for await (const b of bus.readSnapshot('facts')) snap.push(...b);
    expect(snap.map((r) => `${r.key}=${r.value}`).sort()).toEqual(['a=2', 'b=1']);
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const sub = await bus.subscribe('g', ['facts'], async (records) => {
      for (const r of records) seen.push(`${r.key}=${r.value}`);
      await gate;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect((await bus.committed('g', 'facts')).every((o) => o <= 0)).toBe(true);
    release();
    await new Promise((r) => setTimeout(r, 20));
    await bus.send('facts', [{ key: 'b', value: Buffer.from('3') }]);
    await new Promise((r) => setTimeout(r, 20));
    await sub.stop();
    expect(seen.filter((s) => s.startsWith('a'))).toEqual(['a=1', 'a=2']);
    expect(seen.filter((s) => s.startsWith('b'))).toEqual(['b=1', 'b=3']);
    const committed = await bus.committed('g', 'facts');
    expect(committed.reduce((x, y) => x + Math.max(0, y), 0)).toBe(4);
    await bus.close();
  });

  it('gives partition p of every topic to the same member', async () => {
    const bus = new EmbeddedBus();
    await bus.ensureTopics([
      { name: 'x', partitions: 4, compacted: false },
      { name: 'y', partitions: 4, compacted: false },
    ]);
    const a = await bus.subscribe('g', ['x', 'y'], async () => undefined);
    const b = await bus.subscribe('g', ['x', 'y'], async () => undefined);
    expect(b.assigned().get('x')).toEqual(b.assigned().get('y'));
    expect(a.assigned().get('x')).toEqual([0, 2]);
    expect(b.assigned().get('x')).toEqual([1, 3]);
    await a.stop();
    await b.stop();
    await bus.close();
  });
});
