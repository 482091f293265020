/**
 * The bus on Apache Kafka — the one module that knows the Kafka clients, so either can be replaced
 * here alone. Producer: @platformatic/kafka, idempotent, acks=all, every record's partition
 * computed here as the Java client (and kafkajs) would. Admin and consumers: kafkajs, with a
 * co-partitioned assignor (partition p of every subscribed topic to the same member) and manual
 * commits after the handler resolves. Retriable errors of either client surface as `UNAVAILABLE`.
 *
 * Why two clients: kafkajs has had no release since 2023, and its producer is the costly half.
 * Measured on this machine, sending 4 KB decision events (2,000 per batch, in chunks of 500,
 * idempotent, acks=all, to the local broker): kafkajs 65–83 µs of CPU per record gzip-compressed
 * (level 1) and 91 µs uncompressed, with about one full collection per 700 records from the
 * buffers it allocates per record; @platformatic/kafka 32 µs gzip-compressed and 15–17 µs
 * uncompressed, with 6 full collections where kafkajs had 132. The consumers can follow once the
 * same is measured for them.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync, constants as zlibConstants } from 'node:zlib';
import { compressionsAlgorithms, ProduceAcks, Producer as RecordProducer } from '@platformatic/kafka';
import {
  AssignerProtocol,
  type Consumer,
  type IHeaders,
  Kafka,
  type KafkaMessage,
  logLevel,
  type PartitionAssigner,
} from 'kafkajs';
import { GetihuError } from '../errors.js';
import { logger, watchConsumerLag } from '../observe/index.js';
import { retry } from '../retry.js';
import {
  type BatchHandler,
  type Bus,
  consumerLagOf,
  handleUntilDone,
  type InRecord,
  type OutRecord,
  partitionOf,
  type Subscription,
  type TopicConfig,
} from './bus.js';

// gzip at its fastest level instead of the client's default (6). Measured on a batch of 1,000
// decision events: level 6 took 45 µs per event for a ratio of 0.050, level 1 took 11 µs for
// 0.079; at a million decisions per run that is half a minute of CPU on a 2-core machine. Any
// Kafka reader inflates either (kafkajs's consumers with their own gzip codec).
Object.assign(compressionsAlgorithms.gzip, {
  compressSync: (data: Buffer | { buffer: Buffer }) =>
    gzipSync(Buffer.isBuffer(data) ? data : data.buffer, { level: zlibConstants.Z_BEST_SPEED }),
});

const clientLog = logger('kafka');

/** Options of the Kafka bus. */
export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** Records per produce request. */
  readonly sendChunk?: number;
}

/**
 * A partition assigner named `name`: `plan` gives each member (by id, in the order to answer)
 * the partitions it is to read, by topic. kafkajs's framing of the answer and of the member's
 * metadata is written here once.
 */
function assigner(
  name: string,
  plan: (
    members: { id: string; topics: readonly string[] }[],
    topics: string[],
    cluster: Parameters<PartitionAssigner>[0]['cluster'],
  ) => [memberId: string, assignment: Record<string, number[]>][],
): PartitionAssigner {
  return ({ cluster }) => ({
    name,
    version: 1,
    async assign({ members, topics }) {
      const subscribed = members.map((m) => ({
        id: m.memberId,
        topics:
          m.memberMetadata === undefined ? topics : (AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? []),
      }));
      return plan(subscribed, topics, cluster).map(([memberId, assignment]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
    },
  });
}

/**
 * Partition p of every topic to the same member, among the members subscribed to that topic: a
 * member is never given a topic it did not ask for, and a topic only some members read is shared
 * among those (two deployments that somehow share a group still each get all their partitions).
 */
const CoPartitionedAssigner = assigner('GetihuCoPartitioned', (members, topics, cluster) => {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const assignment = new Map<string, Record<string, number[]>>(sorted.map((m) => [m.id, {}]));
  for (const topic of topics) {
    const readers = sorted.filter((m) => m.topics.includes(topic));
    if (readers.length === 0) continue;
    for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
      const owner = assignment.get((readers[partitionId % readers.length] as { id: string }).id) as Record<string, number[]>;
      owner[topic] = [...(owner[topic] ?? []), partitionId];
    }
  }
  return sorted.map((m) => [m.id, assignment.get(m.id) ?? {}]);
});

/**
 * Assigns the only member of a one-off group exactly the partitions it asks for, so a reader of
 * some partitions fetches (and kafkajs parses) those alone.
 */
function onlyPartitions(wanted: Readonly<Record<string, readonly number[]>>): PartitionAssigner {
  return assigner('GetihuOnlyPartitions', (members) =>
    members.map(({ id }, i) => [id, i === 0 ? Object.fromEntries(Object.entries(wanted).map(([t, ps]) => [t, [...ps]])) : {}]),
  );
}

function headersOf(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (h === undefined) return out;
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  return out;
}

function toInRecord(topic: string, partition: number, m: KafkaMessage): InRecord {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key === null ? null : m.key.toString('utf8'),
    value: m.value,
    headers: headersOf(m.headers),
  };
}

function wrap(err: unknown, what: string): GetihuError {
  if (err instanceof GetihuError) return err;
  const e = err as { retriable?: boolean; canRetry?: boolean; message?: string; name?: string };
  return new GetihuError(
    e.retriable === false || (e.canRetry === false && !retriableAnywhere(err)) ? 'INTERNAL' : 'UNAVAILABLE',
    `${what}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`,
    undefined,
    { cause: err },
  );
}

/**
 * Whether the client calls the failure, or what caused it, retriable. When kafkajs's own retries
 * are spent it throws a non-retriable error whose cause is the retriable one (a broker refusing
 * connections while it restarts, say): that is still worth trying again later. @platformatic/kafka
 * marks each error `canRetry` and gathers the attempts it gave up on under one error: retriable
 * when none of them says otherwise.
 */
function retriableAnywhere(err: unknown): boolean {
  type E = { retriable?: boolean; canRetry?: boolean; cause?: unknown; findBy?: (k: string, v: unknown) => unknown };
  for (let e = err as E | undefined, depth = 0; e != null && depth < 5; depth++) {
    if (e.retriable === true) return true;
    if (typeof e.findBy === 'function') return e.findBy('canRetry', false) == null;
    e = e.cause as E | undefined;
  }
  return false;
}

/**
 * Retries a call while kafkajs says its error (or the error under it) is retriable: a leader
 * moving, metadata not yet propagated after a topic was created, a broker restarting. The one
 * retry policy, driven by `retriable` alone.
 */
async function retrying<T>(what: string, fn: () => Promise<T>, attempts = 12): Promise<T> {
  try {
    return await retry(fn, { initialMs: 100, maxMs: 2000, attempts, retriable: retriableAnywhere });
  } catch (err) {
    throw wrap(err, what);
  }
}

/** How long a snapshot read waits for its next record before it fails. */
const SNAPSHOT_IDLE_MS = 180_000;

/** Attempts per chunk sent: with the pauses between them, over half a minute beyond kafkajs's own retries. */
const SEND_ATTEMPTS = 24;

/** The bus on a Kafka cluster. */
export class KafkaBus implements Bus {
  readonly mode = 'kafka' as const;
  readonly #kafka: Kafka;
  readonly #admin;
  readonly #chunk: number;
  readonly #options: KafkaBusOptions;
  #producer: RecordProducer | undefined;
  readonly #consumers = new Set<Consumer>();

  private constructor(options: KafkaBusOptions) {
    this.#kafka = new Kafka({
      clientId: options.clientId ?? 'getihu',
      brokers: [...options.brokers],
      // Failures surface as GetihuError once retries are spent; transient retries are not news,
      // but the client's errors (a consumer that crashed, a group that cannot join) are logged.
      logLevel: logLevel.ERROR,
      logCreator: () => (entry) => {
        const { message, ...extra } = entry.log;
        // A broker's error answer to one request (not the leader, topic not yet there) is logged
        // by the connection before the client retries it: news only when debugging.
        if (entry.namespace === 'Connection') clientLog.debug({ namespace: entry.namespace, ...extra }, `kafkajs: ${message}`);
        else clientLog.error({ namespace: entry.namespace, ...extra }, `kafkajs: ${message}`);
      },
      retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10_000 },
    });
    this.#admin = this.#kafka.admin();
    this.#chunk = options.sendChunk ?? 500;
    this.#options = options;
  }

  /** Connects to the cluster. */
  static async connect(options: KafkaBusOptions): Promise<KafkaBus> {
    const bus = new KafkaBus(options);
    try {
      await bus.#admin.connect();
    } catch (err) {
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
    // what still does not exist, so a partial success is not created twice.
    await retrying('creating topics', async () => {
      const now = new Set(await this.#admin.listTopics());
      const still = missing.filter((t) => !now.has(t.name));
      if (still.length === 0) return;
      await this.#admin.createTopics({
        waitForLeaders: true,
        topics: still.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? 1,
          configEntries: t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
        })),
      });
    });
    // A created topic is usable once every partition has a leader that answers.
    for (const t of missing) await this.endOffsets(t.name);
  }

  async partitions(topic: string): Promise<number> {
    return (await this.endOffsets(topic)).length;
  }

  #producerReady(): RecordProducer {
    // Idempotent: one request in flight per connection, acks from every in-sync replica. The
    // client's own retries are short; `send` keeps trying under the bus's one retry policy.
    this.#producer ??= new RecordProducer({
      clientId: this.#options.clientId ?? 'getihu',
      bootstrapBrokers: [...this.#options.brokers],
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
      retries: 8,
      retryDelay: 300,
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
    const compression = this.#compressed.has(topic) ? ({ compression: 'gzip' } as const) : {};
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
    const offsets = await retrying(`reading the end offsets of ${topic}`, () => this.#admin.fetchTopicOffsets(topic));
    const out: number[] = [];
    for (const o of offsets) out[o.partition] = Number(o.high);
    return out;
  }

  async committed(group: string, topic: string): Promise<number[]> {
    const n = await this.partitions(topic);
    const out = Array.from({ length: n }, () => -1);
    const res = await retrying(`reading the committed offsets of ${group}`, () =>
      this.#admin.fetchOffsets({ groupId: group, topics: [topic] }),
    );
    for (const t of res) for (const p of t.partitions) out[p.partition] = Number(p.offset);
    return out;
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    const existing = new Set(await retrying('listing topics', () => this.#admin.listTopics()));
    const gone = topics.filter((t) => existing.has(t));
    if (gone.length > 0) await retrying('deleting topics', () => this.#admin.deleteTopics({ topics: gone }));
  }

  async commit(group: string, topic: string, offsets: readonly number[]): Promise<void> {
    const partitions = offsets.flatMap((o, partition) => (o >= 0 ? [{ partition, offset: String(o) }] : []));
    if (partitions.length === 0) return;
    await retrying(`committing the offsets of ${group}`, () => this.#admin.setOffsets({ groupId: group, topic, partitions }));
  }

  async *readSnapshot(
    topic: string,
    partitions?: readonly number[],
    upTo?: readonly number[],
  ): AsyncIterable<readonly InRecord[]> {
    const ends = upTo ?? (await this.endOffsets(topic));
    const wanted = new Set(partitions ?? ends.map((_, p) => p));
    const pending = new Set([...wanted].filter((p) => (ends[p] ?? 0) > 0));
    if (pending.size === 0) return;
    const groupId = `getihu-snapshot-${randomUUID()}`;
    // A short fetch wait: a snapshot ends at known offsets, and disconnect waits for the fetch in flight.
    const consumer = this.#kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 4 << 20,
      maxWaitTimeInMs: 100,
      partitionAssigners: [onlyPartitions({ [topic]: [...pending] })],
    });
    this.#consumers.add(consumer);
    const queue: (readonly InRecord[] | Error | null)[] = [];
    let notify: (() => void) | undefined;
    const push = (x: readonly InRecord[] | Error | null) => {
      queue.push(x);
      notify?.();
    };
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (!wanted.has(batch.partition) || !pending.has(batch.partition)) return;
          const end = ends[batch.partition] as number;
          const records = batch.messages.map((m) => toInRecord(topic, batch.partition, m)).filter((r) => r.offset < end);
          if (records.length > 0) push(records);
          const last = records.at(-1)?.offset ?? Number(batch.lastOffset());
          if (last + 1 >= end) {
            pending.delete(batch.partition);
            if (pending.size === 0) push(null);
          }
        },
      });
      for (;;) {
        if (queue.length === 0) {
          // Every wait has an end: a snapshot that gets no record for this long (a broker gone
          // for good) fails with TIMEOUT, and the caller tries again later.
          let idle: NodeJS.Timeout | undefined;
          await new Promise<void>((r) => {
            notify = r;
            idle = setTimeout(() => {
              push(
                new GetihuError(
                  'TIMEOUT',
                  `reading a snapshot of ${topic}: nothing arrived for ${SNAPSHOT_IDLE_MS / 1000} s with partitions ${[...pending].join(',')} still to read`,
                ),
              );
            }, SNAPSHOT_IDLE_MS);
          });
          clearTimeout(idle);
        }
        notify = undefined;
        const item = queue.shift();
        if (item === undefined) continue;
        if (item === null) break;
        if (item instanceof Error) throw item;
        yield item;
      }
    } catch (err) {
      throw wrap(err, `reading a snapshot of ${topic}`);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      this.#consumers.delete(consumer);
      await this.#admin.deleteGroups([groupId]).catch(() => undefined);
    }
  }

  async subscribe(
    group: string,
    topics: readonly string[],
    handler: BatchHandler,
    onAssigned?: (a: ReadonlyMap<string, readonly number[]>) => Promise<void>,
  ): Promise<Subscription> {
    const consumer = this.#kafka.consumer({
      groupId: group,
      partitionAssigners: [CoPartitionedAssigner],
      allowAutoTopicCreation: false,
    });
    this.#consumers.add(consumer);
    let assignment: Map<string, number[]> = new Map();
    let ready: Promise<void> = Promise.resolve();
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      assignment = new Map(Object.entries(e.payload.memberAssignment));
      const a = assignment;
      ready = ready.then(() => onAssigned?.(a));
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        await ready;
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        const records = batch.messages.map((m) => toInRecord(batch.topic, batch.partition, m));
        if (!(await handleUntilDone(handler, records, { group, running: () => isRunning() && !isStale(), beat: heartbeat })))
          return;
        const last = (records.at(-1) as InRecord).offset;
        // Advance the fetch position, then commit: only now are the batch's outputs acknowledged.
        resolveOffset(String(last));
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(last + 1) }]);
        await heartbeat();
      },
    });
    const unwatch = watchConsumerLag(group, () => consumerLagOf(this, group, topics));
    return {
      assigned: () => assignment,
      stop: async () => {
        unwatch();
        await consumer.disconnect();
        this.#consumers.delete(consumer);
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#consumers].map((c) => c.disconnect().catch(() => undefined)));
    this.#consumers.clear();
    await this.#producer?.close().catch(() => undefined);
    await this.#admin.disconnect().catch(() => undefined);
  }
}
