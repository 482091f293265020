/**
 * The bus on Apache Kafka — the one module that knows the Kafka client, so it can be replaced
 * here alone. One client, @platformatic/kafka, for all of it: the producer (idempotent,
 * acks=all, every record's partition computed here as the Java client would), the admin calls,
 * and reading (`kafkaRead.ts`: snapshots by fetch requests at positions kept here, no group;
 * `kafkaGroup.ts`: a group member with a co-partitioned assignment and commits after the handler
 * resolves). Retriable errors of the client surface as `UNAVAILABLE`.
 *
 * Why this client: kafkajs, used before for consumers and admin, has had no release since 2023;
 * its producer measured 65–83 µs of CPU per 4 KB decision event gzip-compressed against 32 µs
 * here, with 132 full collections where this client had 6.
 */
import { constants as zlibConstants, zstdCompressSync } from 'node:zlib';
import { Admin, Consumer, compressionsAlgorithms, ProduceAcks, Producer as RecordProducer } from '@platformatic/kafka';
import { GetihuError } from '../errors.js';
import { watchConsumerLag } from '../observe/index.js';
import { pauses, systemClock } from '../retry.js';
import {
  type BatchHandler,
  type Bus,
  consumerLagOf,
  type InRecord,
  type OutRecord,
  partitionOf,
  type Subscription,
  type TopicConfig,
} from './bus.js';
import { hasApiError, retrying, wrap } from './kafkaErrors.js';
import { type ClientOptions, joinGroup } from './kafkaGroup.js';
import { type FetchSizes, fetchRound, logStarts, moveUpToLogStarts, type Positions } from './kafkaRead.js';

// zstd at level 1, where the batches were gzip-compressed at level 1 before. Measured on this
// machine on decisions with their reasons, in batches of 500: gzip 6.9–7.5 µs of CPU a record for
// a ratio of 0.051, zstd 2.6–4.0 µs for 0.025 (level 3, zstd's default, 5.1–8.7 µs for 0.024).
// The broker checks every batch it is sent, and inflates zstd faster than gzip too. Any Kafka
// reader from 2.1 on inflates it (KIP-110).
Object.assign(compressionsAlgorithms.zstd, {
  compressSync: (data: Buffer | { buffer: Buffer }) =>
    zstdCompressSync(Buffer.isBuffer(data) ? data : data.buffer, { params: { [zlibConstants.ZSTD_c_compressionLevel]: 1 } }),
});

/** Options of the Kafka bus. */
export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** Records per produce request. */
  readonly sendChunk?: number;
}

/** How long a snapshot read goes on trying when nothing arrives (a broker gone for good) before it fails. */
const SNAPSHOT_IDLE_MS = 180_000;

/** A snapshot's fetches: a snapshot ends at known offsets, so the broker is not asked to wait long. */
const SNAPSHOT_FETCH: FetchSizes = { maxWaitTime: 100, maxBytes: 16 << 20, partitionMaxBytes: 4 << 20 };

/** Attempts per chunk sent: with the pauses between them, over half a minute beyond the client's own retries. */
const SEND_ATTEMPTS = 24;

/** The bus on a Kafka cluster. */
export class KafkaBus implements Bus {
  readonly mode = 'kafka' as const;
  readonly #client: ClientOptions;
  readonly #admin: Admin;
  /** Reads end offsets; never joins a group. */
  readonly #offsets: Consumer;
  readonly #chunk: number;
  #producer: RecordProducer | undefined;
  readonly #subscriptions = new Set<Subscription>();

  private constructor(options: KafkaBusOptions) {
    // The client's own retries are short; every call here goes on under the bus's one retry policy.
    this.#client = {
      clientId: options.clientId ?? 'getihu',
      bootstrapBrokers: [...options.brokers],
      retries: 8,
      retryDelay: 300,
    };
    this.#admin = new Admin(this.#client);
    this.#offsets = new Consumer({ ...this.#client, groupId: `${this.#client.clientId}-offsets` });
    this.#chunk = options.sendChunk ?? 500;
  }

  /** Connects to the cluster: fails when no broker of `brokers` answers. */
  static async connect(options: KafkaBusOptions): Promise<KafkaBus> {
    const bus = new KafkaBus(options);
    try {
      await bus.#admin.metadata({ topics: [] });
    } catch (err) {
      await bus.close();
      throw wrap(err, `connecting to ${options.brokers.join(',')}`);
    }
    return bus;
  }

  /** Topics this process compresses its batches for (named in ensureTopics). */
  readonly #compressed = new Set<string>();

  async ensureTopics(topics: readonly TopicConfig[]): Promise<void> {
    for (const t of topics) if (t.compressed === true) this.#compressed.add(t.name);
    const existing = new Set(await retrying('listing topics', () => this.#admin.listTopics()));
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) return;
    // A broker that has just started answers some creations with a retriable error (its
    // metadata not settled yet): try again under the bus's retry policy, creating each time only
    // what still does not exist, so a partial success is not created twice. One request a topic,
    // so that a topic another process created meanwhile is told apart from a real refusal.
    await retrying('creating topics', async () => {
      const now = new Set(await this.#admin.listTopics());
      for (const t of missing.filter((m) => !now.has(m.name)))
        await this.#admin
          .createTopics({
            topics: [t.name],
            partitions: t.partitions,
            replicas: t.replicationFactor ?? 1,
            configs: t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
          })
          .catch((err: unknown) => {
            // Another process of the deployment created it at the same moment: it is there.
            if (!hasApiError(err, 'TOPIC_ALREADY_EXISTS')) throw err;
          });
    });
    // A created topic is usable once every partition has a leader that answers.
    for (const t of missing) await this.endOffsets(t.name);
  }

  async partitions(topic: string): Promise<number> {
    return (await this.endOffsets(topic)).length;
  }

  #producerReady(): RecordProducer {
    // Idempotent: one request in flight per connection, acks from every in-sync replica.
    this.#producer ??= new RecordProducer({
      ...this.#client,
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
    });
    return this.#producer;
  }

  readonly #partitionCounts = new Map<string, number>();
  /** The send in flight per topic: the next waits for it (see `send`). */
  readonly #sending = new Map<string, Promise<unknown>>();

  /**
   * Sends `records` to `topic`, acknowledged by every in-sync replica before it resolves. Sends to
   * one topic go one after the other: the idempotent producer, given concurrent sends to one
   * partition, acknowledges them all and writes only one (platformatic/kafka#326) — two consumers
   * setting records aside at the same moment lost one dead letter that way.
   */
  async send(topic: string, records: readonly OutRecord[]): Promise<void> {
    if (records.length === 0) return;
    const before = this.#sending.get(topic) ?? Promise.resolve();
    const mine = before.then(() => this.#sendNow(topic, records));
    const settled = mine.catch(() => undefined);
    this.#sending.set(topic, settled);
    try {
      await mine;
    } finally {
      if (this.#sending.get(topic) === settled) this.#sending.delete(topic);
    }
  }

  async #sendNow(topic: string, records: readonly OutRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = this.#producerReady();
    let n = this.#partitionCounts.get(topic);
    if (n === undefined) {
      n = await this.partitions(topic);
      this.#partitionCounts.set(topic, n);
    }
    const partitions = n;
    const compression = this.#compressed.has(topic) ? ({ compression: 'zstd' } as const) : {};
    for (let i = 0; i < records.length; i += this.#chunk) {
      // Each record's partition is the Java client's for its key (or partition key), so records
      // land where every other Kafka client puts them; records without a key go round-robin.
      const messages = records.slice(i, i + this.#chunk).map((r) => {
        const by = r.partitionKey ?? r.key;
        return {
          topic,
          ...(r.key === null ? {} : { key: Buffer.from(r.key, 'utf8') }),
          value: r.value,
          ...(r.partition !== undefined
            ? { partition: r.partition }
            : by === null
              ? {}
              : { partition: partitionOf(by, partitions) }),
          ...(r.headers === undefined
            ? {}
            : { headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])) }),
        };
      });
      // The client gives up on a broker that is down for longer than its own retries last (a
      // restart that loads many logs); keep trying. Sending a chunk again may write it twice if the first
      // attempt landed unacknowledged: every topic is keyed, facts are state and decisions carry
      // deterministic ids, so a repeat changes nothing.
      await retrying(`producing to ${topic}`, () => producer.send({ messages, ...compression }), SEND_ATTEMPTS);
    }
  }

  async endOffsets(topic: string): Promise<number[]> {
    const offsets = await retrying(`reading the end offsets of ${topic}`, () => this.#offsets.listOffsets({ topics: [topic] }));
    return [...(offsets.get(topic) ?? [])].map(Number);
  }

  async committed(group: string, topic: string): Promise<number[]> {
    const n = await this.partitions(topic);
    const out = Array.from({ length: n }, () => -1);
    const res = await retrying(`reading the committed offsets of ${group}`, () =>
      this.#admin.listConsumerGroupOffsets({
        groups: [{ groupId: group, topics: [{ name: topic, partitionIndexes: out.map((_, p) => p) }] }],
      }),
    );
    for (const g of res)
      for (const t of g.topics)
        if (t.name === topic) for (const p of t.partitions) out[p.partitionIndex] = Number(p.committedOffset);
    return out;
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    const existing = new Set(await retrying('listing topics', () => this.#admin.listTopics()));
    const gone = topics.filter((t) => existing.has(t));
    if (gone.length > 0) await retrying('deleting topics', () => this.#admin.deleteTopics({ topics: gone }));
    for (const t of gone) this.#partitionCounts.delete(t);
  }

  async commit(group: string, topic: string, offsets: readonly number[]): Promise<void> {
    const partitionOffsets = offsets.flatMap((o, partition) => (o >= 0 ? [{ partition, offset: BigInt(o) }] : []));
    if (partitionOffsets.length === 0) return;
    await retrying(`committing the offsets of ${group}`, () =>
      this.#admin.alterConsumerGroupOffsets({ groupId: group, topics: [{ name: topic, partitionOffsets }] }),
    );
  }

  async startOffsets(topic: string): Promise<number[]> {
    const offsets = await retrying(`reading the start offsets of ${topic}`, () =>
      this.#offsets.listOffsets({ topics: [topic], timestamp: -2n }),
    );
    return [...(offsets.get(topic) ?? [])].map(Number);
  }

  /**
   * Reads the partitions up to their ends by fetch requests of its own connections, without a
   * group: nothing to join, nothing left behind. A fetch that fails is tried again; a snapshot
   * that gets nothing for SNAPSHOT_IDLE_MS fails with TIMEOUT, and the caller tries again later.
   */
  async *readSnapshot(
    topic: string,
    partitions?: readonly number[],
    upTo?: readonly number[],
    from?: readonly number[],
  ): AsyncIterable<readonly InRecord[]> {
    const ends = upTo ?? (await this.endOffsets(topic));
    const wanted = partitions ?? ends.map((_, p) => p);
    if (wanted.every((p) => (ends[p] ?? 0) <= 0)) return;
    const reader = new Consumer({ ...this.#client, groupId: `${this.#client.clientId}-snapshot` });
    try {
      const starts = await retrying(`reading a snapshot of ${topic}`, () => logStarts(reader, [topic]));
      const at = new Map<number, number>();
      for (const p of wanted) {
        const start = Math.max(starts.get(topic)?.[p] ?? 0, from?.[p] ?? 0);
        if (start < (ends[p] ?? 0)) at.set(p, start);
      }
      const positions: Positions = new Map([[topic, at]]);
      const idle = (cause: unknown) =>
        new GetihuError(
          'TIMEOUT',
          `reading a snapshot of ${topic}: nothing arrived for ${SNAPSHOT_IDLE_MS / 1000} s with partitions ${[...at.keys()].join(',')} still to read`,
          undefined,
          cause === undefined ? undefined : { cause },
        );
      let progress = Date.now();
      let next = pauses({ initialMs: 100, maxMs: 2000 });
      while (at.size > 0) {
        let batches: Awaited<ReturnType<typeof fetchRound>>;
        try {
          batches = await fetchRound(reader, positions, SNAPSHOT_FETCH);
        } catch (err) {
          if (hasApiError(err, 'OFFSET_OUT_OF_RANGE')) {
            await retrying(`reading a snapshot of ${topic}`, () => moveUpToLogStarts(reader, positions));
            continue;
          }
          if (Date.now() - progress > SNAPSHOT_IDLE_MS) throw idle(err);
          reader.clearMetadata();
          await systemClock.sleep(next.next().value);
          continue;
        }
        next = pauses({ initialMs: 100, maxMs: 2000 });
        // A partition that answers but gives nothing more while short of its end is no better
        // than one that does not answer: it fails the same way, never loops for good.
        if (batches.length === 0 && Date.now() - progress > SNAPSHOT_IDLE_MS) throw idle(undefined);
        for (const b of batches) {
          const end = ends[b.partition] ?? 0;
          const records = b.records.filter((r) => r.offset < end);
          if (records.length > 0) yield records;
          if (b.next >= end) at.delete(b.partition);
          else at.set(b.partition, b.next);
          progress = Date.now();
        }
      }
    } finally {
      await reader.close().catch(() => undefined);
    }
  }

  async subscribe(
    group: string,
    topics: readonly string[],
    handler: BatchHandler,
    onAssigned?: (a: ReadonlyMap<string, readonly number[]>) => Promise<void>,
  ): Promise<Subscription> {
    const member = await joinGroup(this.#client, { group, topics, handler, onAssigned });
    const unwatch = watchConsumerLag(group, () => consumerLagOf(this, group, topics));
    const subscription: Subscription = {
      assigned: () => member.assigned(),
      stop: async () => {
        unwatch();
        this.#subscriptions.delete(subscription);
        await member.stop();
      },
    };
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((s) => s.stop().catch(() => undefined)));
    await this.#producer?.close().catch(() => undefined);
    await Promise.all([this.#offsets.close().catch(() => undefined), this.#admin.close().catch(() => undefined)]);
  }
}
