/**
 * Reading a snapshot of the fact topics into a state, and turning a run's businesses into what the
 * pool decides. On Kafka a run spreads this over the pool's threads: each reads the partition it
 * is given (a business's facts all lie on its partition) up to the run's end offsets, looks its
 * operators up in the court list the run read once (courtIndex.ts: keyed by operator, the list
 * spans every partition), decides its businesses on the same thread, and hands back only the
 * encoded events, whose buffers move between threads without a copy. A partition with more
 * businesses than a thread holds at once is spread over bucket files instead (buckets.ts), each
 * bucket then decided as a task of its own. Without a pool of Kafka readers (the embedded bus) the
 * snapshot is read on the calling thread and its businesses go to the pool as batches of UTF-8 JSON
 * text.
 */
import { type InRecord, KafkaBus } from '../lib/bus/index.js';
import { GetihuError } from '../lib/errors.js';
import { inArea } from '../lib/regions.js';
import { FACT_TOPICS, prefixed, TOPICS, type TopicId } from '../lib/topics.js';
import { Codec, RemoteSchemaStore } from '../schemas/index.js';
import { BucketFiles, type Spilled } from './buckets.js';
import { CourtIndexReader } from './courtIndex.js';
import { type ConsumerName, DeadLetterer } from './deadLetters.js';
import decideBatch, { type DecideItem, type DecideResult, type DecideTask } from './decide.js';
import type { PipelineContext } from './reconciler.js';
import { assembleInput, type FactSink, FactState, topicIdOf } from './state.js';

/** The fact topics' ids, in the order a snapshot reads them. */
export const FACT_TOPIC_IDS: readonly TopicId[] = FACT_TOPICS.map((t) => topicIdOf(t.name) as TopicId);

/** The fact topics of businesses: all but the court list, which is keyed by operator. */
const BUSINESS_TOPIC_IDS: readonly TopicId[] = FACT_TOPIC_IDS.filter((id) => id !== 'court');

/** What `loadFacts` reads. */
export interface LoadOptions {
  /** Only these partitions (the court list is always read whole); all when absent. */
  readonly partitions?: readonly number[];
  readonly topics?: readonly TopicId[];
  /** Up to these end offsets, by topic name; else the end offsets now. */
  readonly upTo?: Readonly<Record<string, readonly number[]>>;
  /** From these offsets, by topic name (where a checkpoint left off); else from the log's start. */
  readonly from?: Readonly<Record<string, readonly number[]>>;
  /** Whose dead letters the records it cannot decode or apply become. */
  readonly consumer?: ConsumerName;
}

/**
 * Reads fact topics into a state and returns the offsets read up to, by topic name. After each
 * batch the state is told the offsets it now reflects and may make them durable (`FactSink`).
 * A record that cannot be decoded or applied is set aside as the consumer's dead letter and skipped.
 */
export async function loadFacts(
  ctx: Pick<PipelineContext, 'bus' | 'codec' | 'prefix'>,
  state: FactSink,
  o: LoadOptions = {},
): Promise<Record<string, number[]>> {
  const dead = new DeadLetterer(ctx, o.consumer ?? 'run-snapshot');
  const snapshot: Record<string, number[]> = {};
  for (const id of o.topics ?? FACT_TOPIC_IDS) {
    const name = prefixed(ctx.prefix, TOPICS[id]);
    const ends = [...(o.upTo?.[name] ?? (await ctx.bus.endOffsets(name)))];
    snapshot[name] = ends;
    const parts = id === 'court' ? undefined : o.partitions;
    for await (const batch of ctx.bus.readSnapshot(name, parts, ends, o.from?.[name])) {
      for (const r of batch) await applyRecord(ctx.codec, state, dead, id, r);
      const lastRead = batch.at(-1);
      if (lastRead !== undefined) state.read?.(name, lastRead.partition, lastRead.offset + 1);
      await state.flush?.();
    }
  }
  return snapshot;
}

/**
 * Decodes a record of fact topic `id` and applies it to a state; a record that cannot be decoded or
 * applied is set aside as a dead letter and skipped.
 */
async function applyRecord(codec: Codec, state: FactSink, dead: DeadLetterer, id: TopicId, r: InRecord): Promise<void> {
  if (r.value === null) return;
  try {
    state.apply(id, codec.decodeKnown(r.topic, r.value) ?? (await codec.decode(r.topic, r.value)));
  } catch (err) {
    await dead.setAside(r, err);
  }
}

/** A batch of businesses to decide: the UTF-8 JSON text of an array of `DecideItem`s. */
export interface PreparedBatch {
  readonly utf8: Uint8Array;
  readonly count: number;
}

/**
 * The businesses of `area` in a state, in credit-code order, in groups of at most `size`, each as
 * its classify input and the fact records it came from. Each business's facts are let go once its
 * input is assembled, and the state is cleared at the end.
 */
function* itemGroups(state: FactState, area: string, lastYear: number, size: number): Generator<DecideItem[]> {
  const codes = [...state.businesses.keys()]
    .filter((c) => {
      const reg = state.businesses.get(c)?.registration;
      return inArea(area, (reg?.regionCode as string | undefined) ?? c.slice(2, 8));
    })
    .sort();
  for (let i = 0; i < codes.length; i += size) {
    const items: DecideItem[] = [];
    for (const c of codes.slice(i, i + size)) {
      items.push(assembleInput(state, c, lastYear));
      state.businesses.delete(c);
    }
    yield items;
  }
  state.clear();
}

/** The businesses of `area` in a state as batches of at most `size`, each the UTF-8 JSON text of its items. */
export function prepareBatches(state: FactState, area: string, lastYear: number, size: number): PreparedBatch[] {
  const batches: PreparedBatch[] = [];
  for (const items of itemGroups(state, area, lastYear, size)) {
    const json = JSON.stringify(items);
    // A buffer of its own (never a slice of Node's shared pool), since a thread may give it away.
    const utf8 = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
    utf8.write(json);
    batches.push({ utf8, count: items.length });
  }
  return batches;
}

/** What a pool thread needs to read and decide its share of a run's snapshot. */
export interface ShareTask {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly prefix: string;
  /** Schema id of each topic, as the run's codec registered them. */
  readonly schemaIds: Readonly<Record<string, number>>;
  readonly partitions: readonly number[];
  /** The run's end offsets, by topic name. */
  readonly ends: Readonly<Record<string, readonly number[]>>;
  /** The folder of the run's court list (`CourtIndexWriter`), which the share looks its operators up in. */
  readonly courtDir: string;
  /**
   * The most businesses a thread holds in memory at once. A share whose partitions may hold more
   * (by their registration records) is spread over bucket files on disk instead, and each bucket is
   * then decided as a task of its own (`decideBucket`).
   */
  readonly heldBusinesses: number;
  readonly area: string;
  readonly lastYear: number;
  readonly batchSize: number;
  /** How each batch is decided and encoded: the run's as-of date, rule set, run id and writer schemas. */
  readonly decide: Omit<DecideTask, 'items'>;
}

/** What a pool thread needs to decide one bucket of a share that was spread over bucket files. */
export type BucketTask = Omit<ShareTask, 'partitions' | 'heldBusinesses'> & {
  readonly spilled: Spilled;
  readonly bucket: number;
};

/** A share's batch decided: its events, and how many businesses it held. */
export interface DecidedBatch {
  readonly r: DecideResult;
  readonly count: number;
}

/** What a share answers: its batches decided, or where it spread its records to be decided bucket by bucket. */
export type ShareResult = { readonly decided: DecidedBatch[] } | { readonly spilled: Spilled };

/** A share's connection, codec and court list, for the time of one task. */
async function withShare<T>(
  task: Omit<ShareTask, 'partitions' | 'heldBusinesses'>,
  work: (ctx: Pick<PipelineContext, 'bus' | 'codec' | 'prefix'>, court: CourtIndexReader) => Promise<T>,
): Promise<T> {
  const court = new CourtIndexReader(task.courtDir);
  try {
    const bus = await KafkaBus.connect({ brokers: task.brokers, clientId: 'getihu-run-reader' });
    try {
      const codec = Codec.withIds(new RemoteSchemaStore(task.registryUrl), task.prefix, task.schemaIds);
      return await work({ bus, codec, prefix: task.prefix }, court);
    } finally {
      await bus.close();
    }
  } finally {
    await court.close();
  }
}

/** The businesses of a state decided on this thread, batch by batch, in credit-code order. */
function decideState(task: Omit<ShareTask, 'partitions' | 'heldBusinesses'>, state: FactState): DecidedBatch[] {
  const decided: DecidedBatch[] = [];
  for (const items of itemGroups(state, task.area, task.lastYear, task.batchSize))
    decided.push({ r: decideBatch({ ...task.decide, items }), count: items.length });
  return decided;
}

/**
 * Reads the task's partitions on a connection of its own. If they hold no more businesses than a
 * thread holds at once, decides them on this thread, batch by batch, in credit-code order: what
 * leaves the thread is the encoded events. Otherwise spreads their records over bucket files by
 * key, undecoded, and answers where, for `decideBucket` to decide each bucket.
 */
export async function decideShare(task: ShareTask): Promise<ShareResult> {
  const registrations = prefixed(task.prefix, TOPICS.registration);
  const held = task.partitions.reduce((n, p) => n + (task.ends[registrations]?.[p] ?? 0), 0);
  const buckets = Math.ceil(held / task.heldBusinesses);
  return withShare(task, async (ctx, court) => {
    if (buckets <= 1) {
      const state = new FactState({ court });
      await loadFacts(ctx, state, { partitions: task.partitions, topics: BUSINESS_TOPIC_IDS, upTo: task.ends });
      return { decided: decideState(task, state) };
    }
    const names = BUSINESS_TOPIC_IDS.map((id) => prefixed(task.prefix, TOPICS[id]));
    const files = new BucketFiles(buckets, names);
    try {
      const dead = new DeadLetterer(ctx, 'run-snapshot');
      for (const name of names)
        for await (const batch of ctx.bus.readSnapshot(name, task.partitions, task.ends[name]))
          for (const r of batch) {
            if (r.value === null) continue;
            // The connectors key every business fact; a record without a key names no bucket.
            if (r.key === null)
              await dead.setAside(r, new GetihuError('INVALID_INPUT', 'a business fact without a key (its credit code)'));
            else files.add(r);
          }
      return { spilled: files.finish() };
    } catch (err) {
      BucketFiles.remove(files);
      throw err;
    }
  });
}

/** Decides one bucket of a spilled share (see `decideShare`) on this thread; the bucket's file is deleted. */
export async function decideBucket(task: BucketTask): Promise<DecidedBatch[]> {
  return withShare(task, async (ctx, court) => {
    const state = new FactState({ court });
    const dead = new DeadLetterer(ctx, 'run-snapshot');
    for (const r of BucketFiles.records(task.spilled, task.bucket))
      await applyRecord(ctx.codec, state, dead, topicIdOf(r.topic) as TopicId, r);
    return decideState(task, state);
  });
}
