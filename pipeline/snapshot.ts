/**
 * Reading a snapshot of the fact topics into a state, and turning a run's businesses into the
 * batches the pool decides. On Kafka a run spreads this over the pool's threads: each reads the
 * partitions it is given (a business's facts all lie on its partition; the court list, keyed by
 * operator, is read whole by each) up to the run's end offsets, and hands back its batches as
 * UTF-8 bytes, which move between threads without a copy and are no work for any collector.
 */
import { KafkaBus } from '../lib/bus/index.js';
import { inArea } from '../lib/regions.js';
import { FACT_TOPICS, prefixed, TOPICS, type TopicId } from '../lib/topics.js';
import { Codec, RemoteSchemaStore } from '../schemas/index.js';
import { type ConsumerName, DeadLetterer } from './deadLetters.js';
import type { PipelineContext } from './reconciler.js';
import { assembleInput, FactState, topicIdOf } from './state.js';

/** The fact topics' ids, in the order a snapshot reads them. */
export const FACT_TOPIC_IDS: readonly TopicId[] = FACT_TOPICS.map((t) => topicIdOf(t.name) as TopicId);

/**
 * Reads fact topics (all, or the given partitions; the court list always whole) into a state, up
 * to `upTo` (end offsets by topic name) or else the end offsets now; returns the offsets read up to.
 * A record that cannot be decoded or applied is set aside as `consumer`'s dead letter and skipped.
 */
export async function loadFacts(
  ctx: Pick<PipelineContext, 'bus' | 'codec' | 'prefix'>,
  state: FactState,
  partitions?: readonly number[],
  topics: readonly TopicId[] = FACT_TOPIC_IDS,
  upTo?: Readonly<Record<string, readonly number[]>>,
  consumer: ConsumerName = 'run-snapshot',
): Promise<Record<string, number[]>> {
  const dead = new DeadLetterer(ctx, consumer);
  const snapshot: Record<string, number[]> = {};
  for (const id of topics) {
    const name = prefixed(ctx.prefix, TOPICS[id]);
    const ends = [...(upTo?.[name] ?? (await ctx.bus.endOffsets(name)))];
    snapshot[name] = ends;
    const parts = id === 'court' ? undefined : partitions;
    for await (const batch of ctx.bus.readSnapshot(name, parts, ends)) {
      for (const r of batch) {
        if (r.value === null) continue;
        try {
          state.apply(id, ctx.codec.decodeKnown(name, r.value) ?? (await ctx.codec.decode(name, r.value)));
        } catch (err) {
          await dead.setAside(r, err);
        }
      }
    }
  }
  return snapshot;
}

/** A batch of businesses to decide: the UTF-8 JSON text of an array of `DecideItem`s. */
export interface PreparedBatch {
  readonly utf8: Uint8Array;
  readonly count: number;
}

/**
 * The businesses of `area` in a state, in credit-code order, as batches of at most `size`. Each
 * business's facts are let go once its input is written, and the state is cleared at the end.
 */
export function prepareBatches(state: FactState, area: string, lastYear: number, size: number): PreparedBatch[] {
  const codes = [...state.businesses.keys()]
    .filter((c) => {
      const reg = state.businesses.get(c)?.registration;
      return inArea(area, (reg?.regionCode as string | undefined) ?? c.slice(2, 8));
    })
    .sort();
  const batches: PreparedBatch[] = [];
  for (let i = 0; i < codes.length; i += size) {
    const texts: string[] = [];
    for (const c of codes.slice(i, i + size)) {
      texts.push(JSON.stringify(assembleInput(state, c, lastYear)));
      state.businesses.delete(c);
    }
    const json = `[${texts.join(',')}]`;
    // A buffer of its own (never a slice of Node's shared pool), since a thread may give it away.
    const utf8 = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
    utf8.write(json);
    batches.push({ utf8, count: texts.length });
  }
  state.clear();
  return batches;
}

/** What a pool thread needs to read its share of a run's snapshot. */
export interface PrepareTask {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly prefix: string;
  /** Schema id of each topic, as the run's codec registered them. */
  readonly schemaIds: Readonly<Record<string, number>>;
  readonly partitions: readonly number[];
  /** The run's end offsets, by topic name. */
  readonly ends: Readonly<Record<string, readonly number[]>>;
  readonly area: string;
  readonly lastYear: number;
  readonly batchSize: number;
}

/** Reads the task's partitions on a connection of its own and prepares their batches. */
export async function prepareShare(task: PrepareTask): Promise<PreparedBatch[]> {
  const bus = await KafkaBus.connect({ brokers: task.brokers, clientId: 'getihu-run-reader' });
  try {
    const codec = Codec.withIds(new RemoteSchemaStore(task.registryUrl), task.prefix, task.schemaIds);
    const state = new FactState();
    await loadFacts({ bus, codec, prefix: task.prefix }, state, task.partitions, FACT_TOPIC_IDS, task.ends);
    return prepareBatches(state, task.area, task.lastYear, task.batchSize);
  } finally {
    await bus.close();
  }
}
