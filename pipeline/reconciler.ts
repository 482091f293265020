/**
 * The reconciler: facts in, one decision per credit code out.
 *
 * Run mode — "type area A as of date D under rule set V": reads every fact topic up to its
 * end offsets at the start (the snapshot), decides every business of the area in batches on
 * the pool, emits each decision (key = credit code, id = hash of the decision) and a run summary
 * with counts per district and type. The run id names the parameters and the snapshot, so a run
 * restarted after a crash re-emits the same decisions with the same ids: a replay never makes a
 * second, different truth.
 *
 * Continuous mode: a consumer group over the co-partitioned fact topics. On assignment it
 * rebuilds the owned partitions' state from the compacted topics and the last decisions from
 * the decision topic, and emits what differs; then each new fact re-decides its business, and
 * a decision is emitted only when it changed. Offsets are committed only after the decisions
 * they caused are acknowledged. Court facts are keyed by operator, so every member reads the
 * whole court topic and re-decides the operator's businesses it owns.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Piscina } from 'piscina';
import { type Bus, type InRecord, type OutRecord, partitionOf, type Subscription } from '../lib/bus/index.js';
import type { Config } from '../lib/config.js';
import { formatIsoDate, parseIsoDate, yearOf } from '../lib/dates.js';
import { GetihuError } from '../lib/errors.js';
import { countDecisionsSent, logger } from '../lib/observe/index.js';
import { startedThreads, threadPool } from '../lib/threads.js';
import { FACT_TOPICS, prefixed, TOPICS, type TopicId } from '../lib/topics.js';
import type { RuleBook } from '../matchers/index.js';
import { type Codec, latestSchemaText } from '../schemas/index.js';
import { DeadLetterer } from './deadLetters.js';
import decideBatch, { type DecideResult, type DecideTask, eventBytes, itemCount, supportEventBytes } from './decide.js';
import { FactStore } from './factStore.js';
import { FACT_TOPIC_IDS, loadFacts, type PreparedBatch, type PrepareTask, prepareBatches } from './snapshot.js';
import { assembleInput, type FactSink, FactState, topicIdOf } from './state.js';

export { inArea } from '../lib/regions.js';
export { loadFacts } from './snapshot.js';

const log = logger('reconciler');

/** The pipeline's shared parts. */
export interface PipelineContext {
  readonly bus: Bus;
  readonly codec: Codec;
  /** Topic-name prefix (tests and tenants); '' in production. */
  readonly prefix: string;
  /** Partitions of each topic created. */
  readonly partitions: number;
  /** Where other threads reach the same broker and registry (Kafka mode only). */
  readonly remote?: { readonly brokers: readonly string[]; readonly registryUrl: string };
  /** The service's configuration (GETIHU_CONFIG), read once at the entry. */
  readonly config: Config;
  /** The rule sets of `config.rulesDir` (the shipped ones by default), loaded once. */
  readonly ruleBook: RuleBook;
}

/** What a decision pool's threads are told of the configuration with every batch. */
export function decideConfigOf(ctx: Pick<PipelineContext, 'config'>): DecideTask['config'] {
  return {
    rulesDir: ctx.config.rulesDir ?? null,
    allowCodes: ctx.config.creditCodes.checksumAllowList.map((e) => e.code.toUpperCase()),
  };
}

/** The full name of a topic in this context. */
export function topicName(ctx: PipelineContext, id: TopicId): string {
  return prefixed(ctx.prefix, TOPICS[id]);
}

/**
 * Creates the pipeline's topics (fact topics compacted). Decision batches are sent zstd-compressed:
 * explained decisions are large and repetitive, and sending them uncompressed allocates every byte
 * several times over in the client (measured: at 200k businesses, full collections during a run
 * fell from 57 to 17).
 */
export async function ensurePipelineTopics(
  ctx: Pick<PipelineContext, 'bus' | 'prefix' | 'partitions'>,
  replicationFactor = 1,
): Promise<void> {
  await ctx.bus.ensureTopics(
    Object.values(TOPICS).map((t) => ({
      name: prefixed(ctx.prefix, t),
      partitions: ctx.partitions,
      compacted: t.compacted,
      compressed: t.kind === 'decision',
      replicationFactor,
    })),
  );
}

/** Decides batches: on worker threads (piscina) for large batches, inline for small ones. */
export class DecisionPool {
  readonly #pool: Piscina | undefined;
  readonly #inlineBelow: number;
  /** Batches it decides at once (1 when it decides inline). */
  readonly threads: number;

  constructor(threads: number, inlineBelow = 256) {
    this.#inlineBelow = inlineBelow;
    this.threads = Math.max(1, threads);
    this.#pool = threads <= 0 ? undefined : threadPool(new URL('./decideWorker.ts', import.meta.url), threads);
  }

  /** Decides one batch. */
  async run(task: DecideTask): Promise<DecideResult> {
    if (this.#pool === undefined || itemCount(task) < this.#inlineBelow) return decideBatch(task);
    return (await this.#pool.run(task)) as DecideResult;
  }

  /** Resolves once every thread has started (see `startedThreads`); answers their ids (none inline). */
  async started(): Promise<number[]> {
    return this.#pool === undefined ? [] : startedThreads(this.#pool, this.threads);
  }

  /** Whether it has threads of its own to spread a run's snapshot read over. */
  get parallel(): boolean {
    return this.#pool !== undefined;
  }

  /** Reads and prepares one share of a run's snapshot on a pool thread (see `parallel`). */
  async prepare(task: PrepareTask): Promise<PreparedBatch[]> {
    if (this.#pool === undefined) throw new GetihuError('INTERNAL', 'a pool without threads reads no snapshot shares');
    return (await this.#pool.run(task, { name: 'prepareShare' })) as PreparedBatch[];
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
  }
}

/** The summary of a typing run. */
export interface RunSummary {
  readonly runId: string;
  readonly area: string;
  readonly asOf: string;
  readonly ruleset: string;
  readonly decisions: number;
  readonly rejected: number;
  readonly counts: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly snapshot: Readonly<Record<string, number[]>>;
  /** The bytes of the events the run sent (framed values, without keys or headers): decisions and support. */
  readonly eventBytes: { readonly decisions: number; readonly support: number; readonly supportEvents: number };
}

/** Options of a run. */
export interface RunOptions {
  readonly area: string;
  readonly asOf: string;
  /** A rule set for every business; default: the one in force per region. */
  readonly ruleset?: string;
  readonly pool: DecisionPool;
  readonly batchSize?: number;
  /**
   * Called after each batch is acknowledged (for progress and for crash tests): the businesses done,
   * and of how many once every partition is read (null until then).
   */
  readonly onBatch?: (done: number, total: number | null) => void | Promise<void>;
}

/** Runs "type area A as of date D under rule set V" over a snapshot of the fact topics. */
export async function runTyping(ctx: PipelineContext, o: RunOptions): Promise<RunSummary> {
  if (!/^\d{6}$/.test(o.area))
    throw new GetihuError('INVALID_ARGUMENT', `area: '${o.area}' is not a 6-digit division code (000000 = everywhere)`);
  const asOfDay = parseIsoDate(o.asOf, 'asOf');
  const rulesetLabel = o.ruleset ?? 'in-force';
  const lastYear = yearOf(asOfDay) - 1;
  const size = o.batchSize ?? 2000;
  // The run's snapshot: the fact topics' end offsets now. Its state is the run's own, read a few
  // partitions at a time (`snapshotBatches`). Before deciding, each business becomes the JSON text
  // of its classify input, batched as UTF-8 bytes, and its facts are let go. The decide loop then
  // runs on a small heap: the bus allocates buffers for the records it sends, that churn makes V8
  // collect every second or two, and each full collection walks every live object on this thread
  // (bytes outside the heap are not walked at all).
  const snapshot: Record<string, number[]> = {};
  for (const id of FACT_TOPIC_IDS) {
    const name = topicName(ctx, id);
    snapshot[name] = await ctx.bus.endOffsets(name);
  }
  const runId = `run:${o.area}:${formatIsoDate(asOfDay)}:${rulesetLabel}:${createHash('sha256').update(JSON.stringify(snapshot)).digest('hex').slice(0, 16)}`;
  const decisionTopic = topicName(ctx, 'typing');
  const schemaId = ctx.codec.schemaIdOf(decisionTopic);
  const schema = latestSchemaText(TOPICS.typing.name);
  const { topic: supportTopic, writer: support } = supportWriterOf(ctx);
  const config = decideConfigOf(ctx);
  const source = snapshotBatches(ctx, o.pool, snapshot, o.area, lastYear, size);
  const counts: Record<string, Record<string, number>> = {};
  let decisions = 0;
  let rejected = 0;
  const sent = { decisions: 0, support: 0, supportEvents: 0 };
  // As many batches are being decided as the pool has threads, ahead of the one being sent;
  // batches are sent in order. The next batch is asked of the source without waiting for it: at a
  // partition's end it may still be being read, while decided batches can already be sent.
  const ahead: Promise<{ r: DecideResult; count: number }>[] = [];
  let exhausted = false;
  let failed: { error: unknown } | undefined;
  let filling: Promise<void> | undefined;
  const fill = (): Promise<void> =>
    (filling ??= (async () => {
      try {
        while (ahead.length < o.pool.threads && !exhausted) {
          const next = await source.batches.next();
          if (next.done === true) {
            exhausted = true;
            break;
          }
          const items = next.value;
          const decided = o.pool
            .run({ asOf: formatIsoDate(asOfDay), ruleset: o.ruleset ?? null, runId, schemaId, schema, items, config, support })
            .then((r) => ({ r, count: items.count }));
          decided.catch(() => undefined);
          ahead.push(decided);
        }
      } catch (error) {
        failed = { error };
      } finally {
        filling = undefined;
      }
    })());
  let done = 0;
  for (;;) {
    if (ahead.length === 0) await fill();
    if (failed !== undefined) throw failed.error;
    const first = ahead.shift();
    if (first === undefined) break;
    const { r, count } = await first;
    void fill();
    const out: OutRecord[] = r.records.map((x) => ({
      key: x.key,
      value: eventBytes(r, x),
      headers: { 'getihu-run-id': runId },
    }));
    await ctx.bus.send(decisionTopic, out);
    await sendSupport(ctx, supportTopic, r, () => true);
    for (const x of r.records) {
      const row = counts[x.region] ?? {};
      row[x.type] = (row[x.type] ?? 0) + 1;
      counts[x.region] = row;
    }
    countDecisionsSent('run', r.records);
    for (const x of r.records) sent.decisions += x.length;
    for (const x of r.support?.records ?? []) sent.support += x.length;
    sent.supportEvents += r.support?.records.length ?? 0;
    decisions += r.records.length;
    rejected += r.rejected.length;
    done += count;
    await o.onBatch?.(done, source.total());
  }
  const summary: RunSummary = {
    runId,
    area: o.area,
    asOf: formatIsoDate(asOfDay),
    ruleset: rulesetLabel,
    decisions,
    rejected,
    counts,
    snapshot,
    eventBytes: sent,
  };
  const runTopic = topicName(ctx, 'run');
  await ctx.bus.send(runTopic, [
    {
      key: runId,
      value: ctx.codec.encode(runTopic, {
        runId,
        area: o.area,
        asOf: asOfDay,
        ruleset: rulesetLabel,
        snapshotJson: JSON.stringify(snapshot),
        countsJson: JSON.stringify(counts),
        decisions,
        rejected,
      }),
    },
  ]);
  return summary;
}

/** A run's batches as they are read, and how many businesses they hold in all once that is known. */
interface SnapshotBatches {
  readonly batches: AsyncGenerator<PreparedBatch>;
  /** The businesses of every batch, once the last partition is read; null until then. */
  total(): number | null;
}

/**
 * The batches of a run's snapshot. On Kafka with a pool of threads, partition by partition: a pool
 * thread reads one partition's facts into a state of its own and turns them into batches, and as
 * many partitions are being read as the pool has threads, so the facts held at once are a few
 * partitions' rather than the register's. Otherwise (the embedded bus) the snapshot is read here whole.
 */
function snapshotBatches(
  ctx: PipelineContext,
  pool: DecisionPool,
  snapshot: Readonly<Record<string, readonly number[]>>,
  area: string,
  lastYear: number,
  size: number,
): SnapshotBatches {
  let total: number | null = null;
  const count = (batches: readonly PreparedBatch[]) => batches.reduce((n, b) => n + b.count, 0);
  async function* read(): AsyncGenerator<PreparedBatch> {
    if (ctx.remote === undefined || !pool.parallel) {
      const state = new FactState();
      await loadFacts(ctx, state, { upTo: snapshot });
      const all = prepareBatches(state, area, lastYear, size);
      total = count(all);
      yield* all;
      return;
    }
    const remote = ctx.remote;
    const partitions = Math.max(...Object.values(snapshot).map((e) => e.length));
    const schemaIds = ctx.codec.registered();
    const ahead: Promise<PreparedBatch[]>[] = [];
    let next = 0;
    let counted = 0;
    const fill = () => {
      while (ahead.length < pool.threads && next < partitions) {
        const share = pool.prepare({
          brokers: remote.brokers,
          registryUrl: remote.registryUrl,
          prefix: ctx.prefix,
          schemaIds,
          partitions: [next++],
          ends: snapshot,
          area,
          lastYear,
          batchSize: size,
        });
        share.catch(() => undefined);
        ahead.push(share);
      }
    };
    fill();
    for (let share = ahead.shift(); share !== undefined; share = ahead.shift()) {
      const batches = await share;
      fill();
      counted += count(batches);
      if (ahead.length === 0) total = counted;
      yield* batches;
    }
  }
  return { batches: read(), total: () => total };
}

/**
 * Resolves once every group has committed up to the end offsets of its topics (everything written
 * so far has been handled and its outputs acknowledged).
 * @throws GetihuError `TIMEOUT`
 */
export async function waitCaughtUp(
  bus: Bus,
  groups: readonly { group: string; topics: readonly string[] }[],
  what: string,
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let behind = false;
    for (const { group, topics } of groups) {
      for (const t of topics) {
        const [end, done] = [await bus.endOffsets(t), await bus.committed(group, t)];
        if (end.some((e, p) => e > 0 && (done[p] ?? -1) < e)) behind = true;
      }
    }
    if (!behind) return;
    if (Date.now() > until) throw new GetihuError('TIMEOUT', `${what} did not catch up in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A running continuous reconciler. */
export interface ContinuousReconciler {
  /** Resolves once every fact written so far has been applied and its decisions acknowledged. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** How each partition it was given came by its state, in order. */
  rebuilds(): readonly PartitionRebuild[];
  stop(): Promise<void>;
}

/** The support topic and its writer schema, which a decision task is given to encode each decision's measures. */
function supportWriterOf(ctx: PipelineContext): { topic: string; writer: { schemaId: number; schema: string } } {
  const topic = topicName(ctx, 'support');
  return { topic, writer: { schemaId: ctx.codec.schemaIdOf(topic), schema: latestSchemaText(TOPICS.support.name) } };
}

/** Sends a batch's support events (those of the businesses `keep` names), after its decisions. */
async function sendSupport(
  ctx: PipelineContext,
  topic: string,
  r: DecideResult,
  keep: (creditCode: string) => boolean,
  copy = false,
): Promise<void> {
  const s = r.support;
  if (s === undefined) return;
  const out = s.records
    .filter((x) => keep(x.key))
    .map((x) => ({ key: x.key, value: copy ? Buffer.from(supportEventBytes(s, x)) : supportEventBytes(s, x) }));
  if (out.length > 0) await ctx.bus.send(topic, out);
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
  const lastYear = yearOf(asOfDay) - 1;
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
        await state.flush();
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
    const from: Record<string, number[]> = {};
    for (const name of names) {
      const b = bounds.get(name) as { start: number[]; end: number[] };
      // The court list is every member's whole; its checkpoints serve whichever partitions it has.
      from[name] = b.end.map((_, p) =>
        name === courtTopic
          ? fits(name, p)
            ? (state.checkpoint(name, p) as number)
            : 0
          : resumed.has(p)
            ? (state.checkpoint(name, p) as number)
            : 0,
      );
    }
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
