// The Kafka bus against the real broker: what the pipeline relies on of a group member and a
// snapshot, shown on topics of this test's own.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { restartKafka } from '../../deploy/local/infra.js';
import type { InRecord, Subscription } from './bus.js';
import { KafkaBus } from './kafka.js';

const withKafka = inject('infra') !== undefined;

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const keyed = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ key: `${prefix}-${i}`, value: Buffer.from(`${prefix}:${i}`) }));

describe.skipIf(!withKafka)('the Kafka bus on a broker', () => {
  let bus: KafkaBus;
  const id = randomUUID().slice(0, 8);
  const x = `bus-${id}-x`;
  const y = `bus-${id}-y`;
  const log = `bus-${id}-log`;

  beforeAll(async () => {
    bus = await KafkaBus.connect({ brokers: (inject('infra')?.KAFKA_BROKERS ?? '').split(','), clientId: `bus-test-${id}` });
    await bus.ensureTopics([
      { name: x, partitions: 4, compacted: false },
      { name: y, partitions: 4, compacted: false },
      { name: log, partitions: 3, compacted: false },
    ]);
  });
  afterAll(async () => {
    await bus.deleteTopics([x, y, log]);
    await bus.close();
  });

  it('two members: partition p of every topic to one of them, each record handled once in order, committed after, taken over when one stops', async () => {
    const group = `g-${id}`;
    const seen = new Map<string, InRecord[]>([
      ['a', []],
      ['b', []],
    ]);
    const member = (name: string) =>
      bus.subscribe(group, [x, y], async (records) => {
        seen.get(name)?.push(...records);
      });
    const a = await member('a');
    const b = await member('b');
    const owned = (m: Subscription, t: string) => [...(m.assigned().get(t) ?? [])].sort();
    // Each member learns of the other's joining at its next heartbeat: until then its own view is the older one.
    const split = () =>
      [x, y].every((t) => [...owned(a, t), ...owned(b, t)].sort().join() === '0,1,2,3') && owned(a, x).length > 0;
    await until('the group to split the partitions', split);
    for (const m of [a, b]) expect(owned(m, x)).toEqual(owned(m, y));
    expect([...owned(a, x), ...owned(b, x)].sort()).toEqual([0, 1, 2, 3]);

    await bus.send(x, keyed('x', 200));
    await bus.send(y, keyed('y', 200));
    const all = () => [...(seen.get('a') ?? []), ...(seen.get('b') ?? [])];
    await until('every record handled', () => all().length >= 400);
    const byMember = (name: string, t: string) => (seen.get(name) ?? []).filter((r) => r.topic === t);
    for (const [name, m] of [
      ['a', a],
      ['b', b],
    ] as const)
      for (const t of [x, y]) for (const r of byMember(name, t)) expect(owned(m, t)).toContain(r.partition);
    for (const t of [x, y]) {
      const rs = all().filter((r) => r.topic === t);
      expect(new Set(rs.map((r) => r.key)).size).toBe(200);
      expect(rs).toHaveLength(200);
      for (let p = 0; p < 4; p++) {
        const offsets = rs.filter((r) => r.partition === p).map((r) => r.offset);
        expect(offsets).toEqual([...offsets].sort((i, j) => i - j));
      }
      await until(`${t}'s offsets committed`, async () => {
        const [end, done] = [await bus.endOffsets(t), await bus.committed(group, t)];
        return end.every((e, p) => done[p] === e);
      });
    }

    await a.stop();
    await until('b to own every partition', () => owned(b, x).length === 4 && owned(b, y).length === 4, 90_000);
    const before = seen.get('b')?.length ?? 0;
    await bus.send(x, keyed('x-late', 40));
    await until('b to handle what came after', () => (seen.get('b')?.length ?? 0) >= before + 40, 60_000);
    const late = (seen.get('b') ?? []).slice(before);
    // Nothing handled twice: b starts each partition it takes over at a's last commit.
    expect(late.map((r) => r.key).sort()).toEqual(
      keyed('x-late', 40)
        .map((r) => r.key)
        .sort(),
    );
    await b.stop();
  }, 180_000);

  it('gives a failed batch again after a pause and commits only once it is handled', async () => {
    const group = `retry-${id}`;
    await bus.send(log, [{ key: 'k', value: Buffer.from('v') }]);
    const partition = (await bus.endOffsets(log)).findIndex((e) => e > 0);
    let calls = 0;
    let committedAtFailure: number[] = [];
    const sub = await bus.subscribe(group, [log], async (records) => {
      calls++;
      if (calls === 1) {
        committedAtFailure = await bus.committed(group, log);
        throw Object.assign(new Error('the store is away'), { retriable: true });
      }
      expect(records.map((r) => r.key)).toEqual(['k']);
    });
    await until('the batch handled on its second attempt', async () => (await bus.committed(group, log))[partition] === 1);
    expect(calls).toBe(2);
    expect(committedAtFailure[partition]).toBe(-1);
    await sub.stop();
  });

  // A cluster given by address or in containers is not ours to restart.
  it.skipIf(inject('kafkaRuns') !== 'local')(
    'a member goes on through a broker restart: everything sent before and after it is handled, each record once',
    async () => {
      const group = `restart-${id}`;
      const t = `bus-${id}-restart`;
      await bus.ensureTopics([{ name: t, partitions: 3, compacted: false }]);
      const seen: InRecord[] = [];
      const sub = await bus.subscribe(group, [t], async (records) => {
        seen.push(...records);
      });
      await bus.send(t, keyed('before', 100));
      await until('what was sent before the restart', () => seen.length >= 100);
      await restartKafka();
      await bus.send(t, keyed('after', 100));
      await until('what was sent after the restart', () => seen.length >= 200, 120_000);
      await sub.stop();
      const keys = seen.map((r) => r.key);
      expect(new Set(keys).size).toBe(200);
      expect(keys).toHaveLength(200);
      await bus.deleteTopics([t]);
    },
    240_000,
  );

  it('reads a snapshot of the partitions asked for, up to the offsets given, without a group', async () => {
    const t = `bus-${id}-snap`;
    await bus.ensureTopics([{ name: t, partitions: 3, compacted: false }]);
    await bus.send(
      t,
      Array.from({ length: 30 }, (_, i) => ({ key: null, partition: i % 3, value: Buffer.from(String(i)) })),
    );
    const ends = await bus.endOffsets(t);
    expect(ends).toEqual([10, 10, 10]);
    const read: InRecord[] = [];
    for await (const batch of bus.readSnapshot(t, [1, 2], [0, 4, 10])) read.push(...batch);
    expect(read.filter((r) => r.partition === 1).map((r) => r.value?.toString())).toEqual(['1', '4', '7', '10']);
    expect(read.filter((r) => r.partition === 2)).toHaveLength(10);
    expect(read.some((r) => r.partition === 0)).toBe(false);
    await bus.deleteTopics([t]);
  });
});
