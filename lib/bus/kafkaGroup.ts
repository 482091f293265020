/**
 * A member of a consumer group on Kafka: joins with the co-partitioned assignment, reads what it
 * owns from the committed offsets (from the start where nothing is committed), hands each
 * partition's batch to the handler, and commits it only once the handler resolved — never for a
 * partition the member lost in the meantime (the next owner reads it again from the last commit,
 * and every consumer of the pipeline is idempotent). Heartbeats run in the client's background.
 */
import { Consumer } from '@platformatic/kafka';
import { logger } from '../observe/index.js';
import { pauses, systemClock } from '../retry.js';
import { type BatchHandler, handleUntilDone, type Subscription } from './bus.js';
import { hasApiError, retrying } from './kafkaErrors.js';
import {
  CO_PARTITIONED,
  coPartitioned,
  type FetchSizes,
  fetchRound,
  logStarts,
  moveUpToLogStarts,
  type Positions,
} from './kafkaRead.js';

const groupLog = logger('kafka');

/**
 * The group's timing, Kafka's own defaults for the Java consumer: a member that stops
 * heartbeating (a process killed) loses its partitions after 30 s; a rebalance waits up to 60 s
 * for the members to join again.
 */
const TIMING = { sessionTimeout: 30_000, rebalanceTimeout: 60_000, heartbeatInterval: 3_000 } as const;

/** A member's fetches: up to 1 MB a partition, and the broker answers within a second when it has nothing. */
const FETCH: FetchSizes = { maxWaitTime: 1000, maxBytes: 10 << 20, partitionMaxBytes: 1 << 20 };

/** How a member reaches the cluster. */
export interface ClientOptions {
  readonly clientId: string;
  readonly bootstrapBrokers: string[];
  readonly retries: number;
  readonly retryDelay: number;
}

/** A group and what its member does with what it reads. */
export interface GroupOptions {
  readonly group: string;
  readonly topics: readonly string[];
  readonly handler: BatchHandler;
  readonly onAssigned?: ((assignment: ReadonlyMap<string, readonly number[]>) => Promise<void>) | undefined;
}

interface Generation {
  readonly id: number;
  readonly assignment: ReadonlyMap<string, readonly number[]>;
}

/** Joins `o.group` and runs its member until the subscription is stopped. */
export async function joinGroup(client: ClientOptions, o: GroupOptions): Promise<Subscription> {
  const member = new Consumer({
    ...client,
    groupId: o.group,
    autocommit: false,
    partitionAssigner: coPartitioned,
    protocols: [{ name: CO_PARTITIONED, version: 1 }],
    ...TIMING,
  });
  // Fetches go on connections of their own: a fetch the broker holds for a second must not hold
  // up the member's heartbeats and commits behind it.
  const reader = new Consumer({ ...client, groupId: o.group });
  member.topics.trackAll(...o.topics);
  let joined: Generation | undefined;
  let lost = false;
  member.on('consumer:group:join', (e) => {
    joined = { id: e.generationId ?? -1, assignment: new Map((e.assignments ?? []).map((a) => [a.topic, [...a.partitions]])) };
  });
  // The client rejoins by itself after a rebalance; when even that fails (the broker away for
  // longer than its retries), it says so here and the member joins again from its loop.
  member.on('error', (err: Error) => {
    groupLog.warn({ group: o.group, err: err.message }, 'the member left the group; joining again');
    lost = true;
  });
  try {
    await retrying(`joining the consumer group ${o.group}`, () => member.joinGroup({}));
  } catch (err) {
    await Promise.all([member.close().catch(() => undefined), reader.close().catch(() => undefined)]);
    throw err;
  }

  let running = true;
  let current = -1;
  const positions: Positions = new Map();
  const stale = () => !running || joined?.id !== current;

  /** Takes over a generation's assignment: where to read each partition, then the caller's own preparation. */
  async function take(g: Generation): Promise<void> {
    positions.clear();
    const owned = [...g.assignment].filter(([, ps]) => ps.length > 0);
    if (owned.length > 0) {
      const [committed, starts] = await Promise.all([
        member.listCommittedOffsets({ topics: owned.map(([topic, partitions]) => ({ topic, partitions: [...partitions] })) }),
        logStarts(
          reader,
          owned.map(([t]) => t),
        ),
      ]);
      for (const [topic, partitions] of owned) {
        const at = new Map<number, number>();
        for (const p of partitions) {
          const done = Number(committed.get(topic)?.[p] ?? -1n);
          at.set(p, Math.max(done, starts.get(topic)?.[p] ?? 0));
        }
        positions.set(topic, at);
      }
    }
    await o.onAssigned?.(g.assignment);
    current = g.id;
  }

  async function runOnce(): Promise<void> {
    if (lost) {
      await member.joinGroup({});
      lost = false;
    }
    const g = joined;
    if (g === undefined) return systemClock.sleep(100);
    if (g.id !== current) await take(g);
    if (stale()) return;
    if ([...positions.values()].every((at) => at.size === 0)) return systemClock.sleep(250);
    for (const b of await fetchRound(reader, positions, FETCH)) {
      if (stale()) return;
      if (b.records.length > 0) {
        const done = await handleUntilDone(o.handler, b.records, { group: o.group, running: () => !stale() });
        // A batch of a partition lost meanwhile is not committed: its next owner reads it again.
        if (!done || stale()) return;
        await retrying(`committing the offsets of ${o.group}`, () =>
          member.commit({ offsets: [{ topic: b.topic, partition: b.partition, offset: BigInt(b.next), leaderEpoch: -1 }] }),
        );
      }
      positions.get(b.topic)?.set(b.partition, b.next);
    }
  }

  const loop = (async () => {
    let next = pauses({ initialMs: 200, maxMs: 5000 });
    while (running) {
      try {
        await runOnce();
        next = pauses({ initialMs: 200, maxMs: 5000 });
      } catch (err) {
        if (!running) break;
        if (hasApiError(err, 'OFFSET_OUT_OF_RANGE')) {
          await moveUpToLogStarts(reader, positions).catch(() => undefined);
          continue;
        }
        groupLog.warn({ group: o.group, err: (err as Error).message }, 'reading the group’s partitions failed; trying again');
        reader.clearMetadata();
        await systemClock.sleep(next.next().value);
      }
    }
  })();

  return {
    assigned: () => joined?.assignment ?? new Map(),
    stop: async () => {
      running = false;
      await loop;
      await Promise.all([member.close().catch(() => undefined), reader.close().catch(() => undefined)]);
    },
  };
}
