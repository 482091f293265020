/**
 * The bus: the only surface through which the system touches a log. Two implementations with
 * the same topic/key/partition semantics — {@link EmbeddedBus} in-process and the Kafka bus
 * (@platformatic/kafka) — so the pipeline runs the same code on a laptop and on a cluster, and
 * the Kafka client can be replaced in one module.
 */

import { logger, outages } from '../observe/index.js';
import { pauses } from '../retry.js';

/** A record to write. */
export interface OutRecord {
  readonly key: string | null;
  /** Partition by this instead of the key (e.g. a yearly fact keyed `code:year`, partitioned by code). */
  readonly partitionKey?: string;
  /** Write to this partition, whatever the key (a record sent back to where it was read). */
  readonly partition?: number;
  readonly value: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A record read back, with where it sits in the log. */
export interface InRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/** A topic to create. */
export interface TopicConfig {
  readonly name: string;
  readonly partitions: number;
  readonly compacted: boolean;
  readonly replicationFactor?: number;
  /**
   * Batches sent to it are compressed by this process (a bus that does not compress ignores it;
   * readers take either). For topics of large, repetitive values.
   */
  readonly compressed?: boolean;
}

/** Handles one batch of one topic-partition; its offsets are committed only after it resolves. */
export type BatchHandler = (records: readonly InRecord[]) => Promise<void>;

/** A running group subscription. */
export interface Subscription {
  /** Partitions this member owns now, per topic. */
  assigned(): ReadonlyMap<string, readonly number[]>;
  stop(): Promise<void>;
}

/** The bus. */
export interface Bus {
  readonly mode: 'embedded' | 'kafka';
  /** Creates missing topics; existing ones are left as they are. */
  ensureTopics(topics: readonly TopicConfig[]): Promise<void>;
  /** Number of partitions of a topic. */
  partitions(topic: string): Promise<number>;
  /** Writes records; resolves once every one is acknowledged by all in-sync replicas. */
  send(topic: string, records: readonly OutRecord[]): Promise<void>;
  /** The next offset to be written, per partition. */
  endOffsets(topic: string): Promise<number[]>;
  /** The first offset still in the log (records before it are gone), per partition. */
  startOffsets(topic: string): Promise<number[]>;
  /**
   * Reads a topic from the beginning (or from `from`, offsets per partition, where a checkpoint
   * left off) up to the end offsets at the time of the call (or `upTo`, end offsets read earlier),
   * in per-partition order, in batches; only the given partitions when named.
   */
  readSnapshot(
    topic: string,
    partitions?: readonly number[],
    upTo?: readonly number[],
    from?: readonly number[],
  ): AsyncIterable<readonly InRecord[]>;
  /**
   * Joins consumer group `group` on `topics`: partition p of every topic goes to the same member
   * (co-partitioning), batches are handed over in order, and a batch's offsets are committed
   * only after its handler resolves. `onAssigned` runs before any batch of newly owned partitions.
   */
  subscribe(
    group: string,
    topics: readonly string[],
    handler: BatchHandler,
    onAssigned?: (assignment: ReadonlyMap<string, readonly number[]>) => Promise<void>,
  ): Promise<Subscription>;
  /** The committed offset (next to read) of a group, per partition; -1 where nothing is committed. */
  committed(group: string, topic: string): Promise<number[]>;
  /**
   * Commits offsets (next to read, per partition) for a group no member is running in: a job that
   * reads a topic in bounded steps (`readSnapshot`) and must resume where it stopped.
   */
  commit(group: string, topic: string, offsets: readonly number[]): Promise<void>;
  /** Deletes topics (those that exist), with their records: a deployment or a test taken down. */
  deleteTopics(topics: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`), so that a key lands on the same partition
 * embedded and on a broker.
 */
export function murmur2(data: Buffer): number {
  const length = data.length;
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  let h = seed ^ length;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4]! & 0xff) + ((data[i4 + 1]! & 0xff) << 8) + ((data[i4 + 2]! & 0xff) << 16) + ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const index = length4 * 4;
  const rest = length & 3;
  if (rest === 3) h ^= (data[index + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[index + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[index]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of a key, as Kafka's default partitioner chooses it. */
export function partitionOf(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}

const handlerLog = logger('bus');

/**
 * Hands a batch to its handler until it succeeds or the subscription stops: the one pause-and-
 * resume of every consumer. A handler sets aside records it cannot use (see the pipeline's dead
 * letters), so what reaches here is an outage (the store, registry or broker down: `retriable`)
 * or a fault of the handler itself; either is logged and tried again after a pause that grows to
 * `maxPauseMs`, never skipped (skipping would lose the batch) and never crashed on silently.
 * Returns false when the subscription stopped before the batch was handled.
 */
export async function handleUntilDone(
  handler: BatchHandler,
  records: readonly InRecord[],
  o: {
    readonly running: () => boolean;
    readonly beat?: () => Promise<void>;
    readonly group: string;
    readonly maxPauseMs?: number;
  },
): Promise<boolean> {
  const next = pauses({ initialMs: 200, maxMs: o.maxPauseMs ?? 5000 });
  for (let attempt = 1; ; attempt++) {
    try {
      await handler(records);
      if (attempt > 1) handlerLog.info({ group: o.group, topic: records[0]?.topic, attempt }, 'batch handled after a pause');
      return true;
    } catch (err) {
      const retriable = (err as { retriable?: boolean }).retriable === true;
      const where = { group: o.group, topic: records[0]?.topic, partition: records[0]?.partition, offset: records[0]?.offset };
      if (retriable) {
        outages.inc({ dependency: dependencyOf(err) });
        handlerLog.warn({ ...where, attempt, err: (err as Error).message }, 'a dependency is unavailable; the batch waits');
      } else
        handlerLog.error({ ...where, attempt, err: (err as Error)?.stack ?? String(err) }, 'the handler failed; the batch waits');
    }
    const pause = next.next().value;
    const until = Date.now() + pause;
    while (Date.now() < until) {
      if (!o.running()) return false;
      await new Promise((r) => setTimeout(r, Math.min(250, until - Date.now())));
      await o.beat?.().catch(() => undefined);
    }
    if (!o.running()) return false;
  }
}

function dependencyOf(err: unknown): string {
  const m = String((err as Error)?.message ?? '');
  return /store|postgres/i.test(m) ? 'store' : /registry|schema/i.test(m) ? 'registry' : 'bus';
}

/**
 * What `group` has still to read of each of `topics`: the partitions' end offsets less the offsets
 * it committed (the next it would read; none committed counts from the start).
 */
export async function consumerLagOf(
  bus: Pick<Bus, 'endOffsets' | 'committed'>,
  group: string,
  topics: readonly string[],
): Promise<{ topic: string; lag: number }[]> {
  return Promise.all(
    topics.map(async (topic) => {
      const [end, done] = await Promise.all([bus.endOffsets(topic), bus.committed(group, topic)]);
      return { topic, lag: end.reduce((n, e, p) => n + Math.max(0, e - Math.max(0, done[p] ?? 0)), 0) };
    }),
  );
}
