/**
 * Continuous mode: a consumer group over the co-partitioned fact topics. On assignment a member
 * makes the owned partitions' state ready — from its checkpoint in the on-disk store (./factStore.ts)
 * or read whole from the compacted topics, with the last decisions from the decision topic — and
 * emits what differs; then each new fact re-decides its business, and a decision is emitted only
 * when it changed. The state is written after each batch with the offsets it reflects; offsets
 * are committed only after the decisions they caused are acknowledged. Court facts are keyed by
 * operator, so every member reads the whole court topic and re-decides the operator's businesses
 * it owns.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InRecord, partitionOf, type Subscription } from '../lib/bus/index.js';
import { formatIsoDate, parseIsoDate } from '../lib/dates.js';
import { countDecisionsSent, logger } from '../lib/observe/index.js';
import { FACT_TOPICS, prefixed, TOPICS, type TopicId } from '../lib/topics.js';
import { reportYearOf } from '../matchers/index.js';
import { latestSchemaText } from '../schemas/index.js';
import { DeadLetterer } from './deadLetters.js';
import { eventBytes } from './decide.js';
import { FactStore } from './factStore.js';
import {
  type DecisionPool,
  decideConfigOf,
  type PipelineContext,
  sendSupport,
  supportWriterOf,
  topicName,
  waitCaughtUp,
} from './reconciler.js';
import { loadFacts } from './snapshot.js';
import { assembleInput, type FactSink, topicIdOf } from './state.js';

const log = logger('reconciler');

/** A running continuous reconciler. */
export interface ContinuousReconciler {
  /** Resolves once every fact written so far has been applied and its decisions acknowledged. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** How each partition it was given came by its state, in order. */
  rebuilds(): readonly PartitionRebuild[];
  stop(): Promise<void>;
}

/** Options of continuous mode. */
export interface ContinuousOptions {
  readonly asOf: string;
  readonly group: string;
  readonly pool: DecisionPool;
  /**
   * Where this member keeps its state (see `FactStore`); a restart with the same folder reads each
   * partition on from its checkpoint. A folder of its own, removed at stop, when absent.
   */
  readonly stateDir?: string;
  /** Businesses decided at once when a whole partition is (re)decided. */
  readonly batchSize?: number;
}

/** How a member came by the state of a partition it was given. */
export interface PartitionRebuild {
  readonly partition: number;
  /** From its checkpoint, or read whole from the compacted topics (none, or one that no longer fits the log). */
  readonly from: 'checkpoint' | 'topics';
  /** Fact records read to get there. */
  readonly records: number;
}

/** Starts continuous mode as one member of `group`. */
export async function startContinuous(ctx: PipelineContext, o: ContinuousOptions): Promise<ContinuousReconciler> {
  const asOfDay = parseIsoDate(o.asOf, 'asOf');
  const lastYear = reportYearOf(asOfDay);
  const size = o.batchSize ?? 2000;
  const owned = new Set<number>();
  const decisionTopic = topicName(ctx, 'typing');
  const schemaId = ctx.codec.schemaIdOf(decisionTopic);
  const schema = latestSchemaText(TOPICS.typing.name);
  const { topic: supportTopic, writer: support } = supportWriterOf(ctx);
  const n = await ctx.bus.partitions(decisionTopic);
  const scratch = o.stateDir === undefined ? mkdtempSync(join(tmpdir(), 'getihu-reconciler-')) : undefined;
  const state = await FactStore.open(o.stateDir ?? (scratch as string), n);
  const rebuilds: PartitionRebuild[] = [];
  // State changes and decisions run one at a time: a court fact must never be decided against a
  // half-rebuilt partition.
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn);
    chain = next.catch(() => undefined);
    return next;
  };

  // Businesses a fact changed whose decision is not yet acknowledged. A batch tried again after
  // an outage applies its facts a second time, which changes nothing in the state and so names no
  // business: the ones its first attempt named are still owed.
  const owed = new Set<string>();
  const decideAndEmit = async (codes: Iterable<string>) => {
    for (const c of codes) owed.add(c);
    const list = [...owed].filter((c) => owned.has(partitionOf(c, n))).sort();
    owed.clear();
    if (list.length === 0) return;
    try {
      for (let i = 0; i < list.length; i += size) {
        await decideAndEmitNow(list.slice(i, i + size));
        // A long list (a partition taken over) writes as it goes; the caller writes the last part.
        if (i + size < list.length) await state.flush();
      }
    } catch (err) {
      for (const c of list) owed.add(c);
      throw err;
    }
  };
  const decideAndEmitNow = async (list: readonly string[]) => {
    const items = list.map((c) => assembleInput(state, c, lastYear));
    const r = await o.pool.run({
      asOf: formatIsoDate(asOfDay),
      ruleset: null,
      runId: null,
      schemaId,
      schema,
      items,
      config: decideConfigOf(ctx),
      support,
    });
    const changed = r.records.filter((x) => state.decided(x.key) !== x.decisionId);
    await ctx.bus.send(
      decisionTopic,
      // Copies: a view would keep the whole batch's buffer alive for the few events that changed.
      changed.map((x) => ({ key: x.key, value: Buffer.from(eventBytes(r, x)) })),
    );
    const changedCodes = new Set(changed.map((x) => x.key));
    await sendSupport(ctx, supportTopic, r, (code) => changedCodes.has(code), true);
    for (const x of changed) state.setDecided(x.key, x.decisionId);
    countDecisionsSent('continuous', changed);
  };

  // The court list is read whole by every member (its own group), whatever partitions it owns.
  const courtTopic = topicName(ctx, 'court');
  const courtGroup = `${o.group}.court.${randomUUID()}`;
  const dead = new DeadLetterer(ctx, 'reconciler');
  const deadOnRebuild = new DeadLetterer(ctx, 'rebuild');
  /** Applies a batch of facts, notes the offset it reaches, decides what it changed and writes the state. */
  const handle = (topic: TopicId, records: readonly InRecord[]) =>
    exclusive(async () => {
      const affected: string[] = [];
      await dead.each(records, (_r, v) => {
        affected.push(...state.apply(topic, v));
      });
      const last = records.at(-1);
      if (last !== undefined) state.read(last.topic, last.partition, last.offset + 1);
      await decideAndEmit(affected);
      await state.flush();
    });
  const courtSub = await ctx.bus.subscribe(courtGroup, [courtTopic], (records) => handle('court', records));

  const factNames = FACT_TOPICS.filter((t) => t.name !== TOPICS.court.name).map((t) => prefixed(ctx.prefix, t));
  const onAssigned = (assignment: ReadonlyMap<string, readonly number[]>) => exclusive(() => rebuild(assignment));
  const rebuild = async (assignment: ReadonlyMap<string, readonly number[]>) => {
    const parts = assignment.get(factNames[0] as string) ?? [];
    const fresh = parts.filter((p) => !owned.has(p));
    // Partitions now another member's: their state goes, or the disk fills with every rebalance.
    for (const p of [...owned]) if (!parts.includes(p)) await state.release(p);
    for (const c of [...owed]) if (!parts.includes(partitionOf(c, n))) owed.delete(c);
    owned.clear();
    for (const p of parts) owned.add(p);
    if (fresh.length === 0) return;
    // A partition resumes from its checkpoint when every fact topic has one that still lies within
    // the log; else it is read whole (and whatever was kept of it is let go first).
    const names = [...factNames, courtTopic];
    const bounds = new Map<string, { start: number[]; end: number[] }>();
    for (const name of names) bounds.set(name, { start: await ctx.bus.startOffsets(name), end: await ctx.bus.endOffsets(name) });
    const fits = (name: string, p: number) => {
      const cp = state.checkpoint(name, p);
      const b = bounds.get(name) as { start: number[]; end: number[] };
      return cp !== undefined && cp >= (b.start[p] ?? 0) && cp <= (b.end[p] ?? 0);
    };
    const resumed = new Set(fresh.filter((p) => factNames.every((name) => fits(name, p))));
    for (const p of fresh) if (!resumed.has(p)) await state.release(p);
    // The court list is every member's whole: each of its partitions resumes where its own checkpoint fits.
    const resumes = (name: string, p: number) => (name === courtTopic ? fits(name, p) : resumed.has(p));
    const from: Record<string, number[]> = {};
    for (const name of names)
      from[name] = (bounds.get(name) as { end: number[] }).end.map((_, p) =>
        resumes(name, p) ? (state.checkpoint(name, p) as number) : 0,
      );
    const counted = countingSink(state);
    const upTo = Object.fromEntries(names.map((name) => [name, (bounds.get(name) as { end: number[] }).end]));
    await loadFacts(ctx, counted, { partitions: fresh, from, upTo, consumer: 'rebuild' });
    // Read to the end offsets taken above: the state reflects them even where compaction left no record at the end.
    for (const name of names)
      for (const p of name === courtTopic ? (upTo[name]?.keys() ?? []) : fresh) state.read(name, p, upTo[name]?.[p] ?? 0);
    await state.flush();
    // The last decision of each business read whole, so that only what differs is sent.
    const scratchParts = fresh.filter((p) => !resumed.has(p));
    if (scratchParts.length > 0)
      for await (const batch of ctx.bus.readSnapshot(decisionTopic, scratchParts)) {
        await deadOnRebuild.each(batch, (r, v) => {
          if (r.key !== null && v.runId === null) state.setDecided(r.key, v.decisionId as string);
        });
        await state.flush();
      }
    for (const p of fresh) {
      const r: PartitionRebuild = {
        partition: p,
        from: resumed.has(p) ? 'checkpoint' : 'topics',
        records: counted.records.get(p) ?? 0,
      };
      rebuilds.push(r);
      log.info(r, 'partition state ready');
      await decideAndEmit(state.codesOf(p));
      await state.flush();
    }
  };
  const sub: Subscription = await ctx.bus.subscribe(
    o.group,
    factNames,
    (records: readonly InRecord[]) => handle(topicIdOf((records[0] as InRecord).topic) as TopicId, records),
    onAssigned,
  );

  const caughtUp = (timeoutMs = 60_000) =>
    waitCaughtUp(
      ctx.bus,
      [
        { group: o.group, topics: factNames },
        { group: courtGroup, topics: [courtTopic] },
      ],
      'the reconciler',
      timeoutMs,
    );
  return {
    caughtUp,
    rebuilds: () => [...rebuilds],
    stop: async () => {
      await sub.stop();
      await courtSub.stop();
      await chain;
      await state.close();
      if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** A sink that counts the business facts applied per partition on the way to the state (court records aside). */
function countingSink(state: FactSink): FactSink & { readonly records: Map<number, number> } {
  const records = new Map<number, number>();
  // The facts applied since the last batch's end was noted: they were that batch's.
  let pending = 0;
  return {
    records,
    apply: (topic, value) => {
      if (topic !== 'court') pending++;
      return state.apply(topic, value);
    },
    read: (topic, p, next) => {
      if (pending > 0) records.set(p, (records.get(p) ?? 0) + pending);
      pending = 0;
      state.read?.(topic, p, next);
    },
    flush: () => state.flush?.() ?? Promise.resolve(),
  };
}
