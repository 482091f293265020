// kafkajs's own default partitioner: the embedded bus must place keys exactly as it does.
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { partitionOf } from './bus.js';
import { EmbeddedBus } from './embedded.js';

describe('partitioning', () => {
  it('matches the Kafka client (murmur2) for many keys and partition counts', () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const n of [1, 3, 6, 12]) {
      const partitionMetadata = Array.from({ length: n }, (_, i) => ({
        partitionId: i,
        leader: 1,
        replicas: [1],
        isr: [1],
        partitionErrorCode: 0,
      }));
      for (let i = 0; i < 2000; i++) {
        const key = i % 3 === 0 ? `92120101MA${i.toString(36).toUpperCase().padStart(8, '0')}` : `operator-${i}-个体户`;
        const expected = kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(partitionOf(key, n)).toBe(expected);
      }
    }
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
