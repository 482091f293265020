/**
 * Scale-out on the real broker, registry and database: several `reconcile` processes in one
 * consumer group share a 12-partition register, and one killed with SIGKILL mid-ingest gives its
 * partitions to the others; a new process takes its state slot. The serving store ends with exactly what `classify` decides of every
 * business, and every business's last decision event — whichever member wrote it — is that one.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestBusinesses, type Pipeline } from '../app/index.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { decisionIdOf } from './decide.js';
import { topicName } from './reconciler.js';
import { classifyAll, exited, isolatedPipeline, killSpawned, spawnCli, storeHolds, waitUntil, withServices } from './testing.js';

const AS_OF = '2025-08-15';
const PARTITIONS = 12;
const open: Pipeline[] = [];
afterEach(async () => {
  killSpawned();
  for (const p of open.splice(0)) await p.close();
});

/** A `reconcile` process of the test's consumer group, on 12 partitions, its state under `stateDir`, logging each partition it takes. */
const reconciler = (prefix: string, stateDir: string) =>
  spawnCli(['reconcile', '--as-of', AS_OF, '--group', 'rec', '--state-dir', stateDir], prefix, PARTITIONS, {
    GETIHU_LOG: 'info',
  });

/** The partitions a member logged as ready, and where their state came from. */
const partitionsTaken = (m: ReturnType<typeof reconciler>) =>
  m
    .err()
    .split('\n')
    .filter((l) => l.includes('partition state ready'))
    .map((l) => JSON.parse(l) as { partition: number; from: string });

describe.skipIf(!withServices())('scale-out (Kafka)', () => {
  it('three reconcile processes share 12 partitions; one killed mid-ingest, the others finish its share as classify decides', async () => {
    const p = await isolatedPipeline('kafka', PARTITIONS);
    open.push(p);
    const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 2400, seed: 4242 })];
    const stateDir = mkdtempSync(join(tmpdir(), 'getihu-scaleout-'));
    // One at a time, each in the group before the next starts, so that each claims the next slot.
    const members: ReturnType<typeof reconciler>[] = [];
    for (const _ of [0, 1, 2]) {
      const m = reconciler(p.prefix, stateDir);
      members.push(m);
      await waitUntil('a member to take partitions', async () => partitionsTaken(m).length > 0, 120_000);
    }
    const typing = topicName(p.ctx, 'typing');
    const decided = async () => (await p.ctx.bus.endOffsets(typing)).reduce((a, b) => a + b, 0);
    await ingestBusinesses(p.ctx, businesses.slice(0, 1200), 2024, 'part1');
    await waitUntil('decisions under way', async () => (await decided()) > 100, 120_000);
    const killed = members[1] as ChildProcess;
    killed.kill('SIGKILL');
    await exited(killed);
    await ingestBusinesses(p.ctx, businesses.slice(1200), 2024, 'part2');
    // A new process takes the killed member's slot (its lock names a process that is gone) and its place in the group.
    const replacement = reconciler(p.prefix, stateDir);
    members.push(replacement);
    await waitUntil('the replacement to take partitions', async () => partitionsTaken(replacement).length > 0, 120_000);
    expect(replacement.err()).toContain(`state in ${join(stateDir, 'slot-1')}`);

    const expected = classifyAll(businesses, AS_OF);
    await waitUntil('the store to hold what classify decides', storeHolds(p, expected), 240_000);
    // Each business's last decision on its partition is the one classify makes: no member that
    // lost the partition wrote after the one that took it over.
    const last = new Map<string, string>();
    for await (const batch of p.ctx.bus.readSnapshot(typing))
      for (const r of batch)
        if (r.key !== null && r.value !== null) last.set(r.key, (await p.ctx.codec.decode(typing, r.value)).decisionId as string);
    expect(last.size).toBe(businesses.length);
    for (const [code, id] of last) expect(id, code).toBe(decisionIdOf(expected.get(code)!));
    expect((await p.ctx.bus.endOffsets(typing)).filter((n) => n > 0)).toHaveLength(PARTITIONS);

    const survivors = [members[0], members[2], replacement] as ChildProcess[];
    for (const m of survivors) m.kill('SIGTERM');
    expect(await Promise.all(survivors.map((m) => exited(m)))).toEqual([0, 0, 0]);
    rmSync(stateDir, { recursive: true, force: true });
  }, 360_000);
});
