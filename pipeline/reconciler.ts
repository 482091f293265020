/**
 * The reconciler: facts in, one decision per credit code out, and what its two modes share (the
 * context, the decision pool, the topics). Continuous mode is in ./continuous.ts.
 *
 * Run mode — "type area A as of date D under rule set V": reads every fact topic up to its
 * end offsets at the start (the snapshot), decides every business of the area in batches on
 * the pool, emits each decision (key = credit code, id = hash of the decision) and a run summary
 * with counts per district and type. The run id names the parameters and the snapshot, so a run
 * restarted after a crash re-emits the same decisions with the same ids: a replay never makes a
 * second, different truth.
 */
import { createHash } from 'node:crypto';
import type { Piscina } from 'piscina';
import type { Bus, OutRecord } from '../lib/bus/index.js';
import type { Config } from '../lib/config.js';
import { formatIsoDate, parseIsoDate } from '../lib/dates.js';
import { GetihuError } from '../lib/errors.js';
import { countDecisionsSent } from '../lib/observe/index.js';
import { startedThreads, threadPool } from '../lib/threads.js';
import { prefixed, TOPICS, type TopicId } from '../lib/topics.js';
import { type ReportYearReading, type RuleBook, reportYearOf, reportYearReading } from '../matchers/index.js';
import { type Codec, latestSchemaText } from '../schemas/index.js';
import { BucketFiles, type Spilled } from './buckets.js';
import { CourtIndexWriter } from './courtIndex.js';
import decideBatch, { type DecideResult, type DecideTask, eventBytes, itemCount, supportEventBytes } from './decide.js';
import {
  type BucketTask,
  type DecidedBatch,
  FACT_TOPIC_IDS,
  loadFacts,
  type PreparedBatch,
  prepareBatches,
  type ShareResult,
  type ShareTask,
} from './snapshot.js';
import { FactState } from './state.js';

export { inArea } from '../lib/regions.js';
export { loadFacts } from './snapshot.js';

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

  /** Reads and decides one share of a run's snapshot on a pool thread, or spreads it over bucket files (see `parallel`). */
  async decideShare(task: ShareTask): Promise<ShareResult> {
    if (this.#pool === undefined) throw new GetihuError('INTERNAL', 'a pool without threads reads no snapshot shares');
    return (await this.#pool.run(task, { name: 'decideShare' })) as ShareResult;
  }

  /** Decides one bucket of a share spread over bucket files, on a pool thread. */
  async decideBucket(task: BucketTask): Promise<DecidedBatch[]> {
    if (this.#pool === undefined) throw new GetihuError('INTERNAL', 'a pool without threads decides no buckets');
    return (await this.#pool.run(task, { name: 'decideBucket' })) as DecidedBatch[];
  }

  #closed: Promise<void> | undefined;

  /** Stops its threads; closing again waits for the first close. */
  close(): Promise<void> {
    this.#closed ??= this.#pool?.destroy() ?? Promise.resolve();
    return this.#closed;
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
  /** The year of the yearly facts the run read, and why when it is not the as-of year − 1. */
  readonly reportYear: ReportYearReading;
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
  /** The most businesses a thread holds in memory at once on Kafka (see `HELD_BUSINESSES`). */
  readonly heldBusinesses?: number;
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
  const lastYear = reportYearOf(asOfDay);
  const size = o.batchSize ?? 2000;
  // The run's snapshot: the fact topics' end offsets now. Its state is the run's own, read a few
  // partitions at a time on the pool's threads, which decide them where they read them
  // (`snapshotBatches`). The send loop here then runs on a small heap: it holds encoded events,
  // bytes outside the heap that no collection walks, while the bus's churn of buffers for the
  // records it sends makes V8 collect every second or two.
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
  const decide = { asOf: formatIsoDate(asOfDay), ruleset: o.ruleset ?? null, runId, schemaId, schema, config, support };
  const held = o.heldBusinesses ?? HELD_BUSINESSES;
  const source = snapshotBatches(ctx, o.pool, snapshot, o.area, lastYear, size, held, decide);
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
          const batch = next.value;
          if ('r' in batch) {
            ahead.push(Promise.resolve(batch));
            continue;
          }
          const decided = o.pool.run({ ...decide, items: batch }).then((r) => ({ r, count: batch.count }));
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
  try {
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
  } finally {
    // A run that fails or stops early lets its source clean up (the court list's folder).
    await source.batches.return(undefined);
  }
  const summary: RunSummary = {
    runId,
    area: o.area,
    asOf: formatIsoDate(asOfDay),
    ruleset: rulesetLabel,
    decisions,
    rejected,
    counts,
    reportYear: reportYearReading(asOfDay),
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
  /** Batches to decide, or batches a pool thread has already decided where it read them. */
  readonly batches: AsyncGenerator<PreparedBatch | DecidedBatch>;
  /** The businesses of every batch, once the last partition is read; null until then. */
  total(): number | null;
}

/**
 * The most businesses a pool thread holds in memory at once in a run on Kafka: about 55 MB of facts
 * on the heap (2.7 KB a business). A partition with more is spread over bucket files first.
 */
const HELD_BUSINESSES = 20_000;

/**
 * The batches of a run's snapshot. On Kafka with a pool of threads, partition by partition: a pool
 * thread reads one partition's facts into a state of its own and decides them there, and as many
 * partitions are being read as the pool has threads. A partition with more businesses than a
 * thread holds at once (`HELD_BUSINESSES`) is spread over bucket files by key instead, and its
 * buckets are decided one task each. So the facts held at once are at most `HELD_BUSINESSES`
 * businesses' per thread whatever the register or partition size, and what crosses between threads is the encoded
 * events. Otherwise (the embedded bus) the snapshot is read here whole and its batches are decided
 * by the pool.
 */
function snapshotBatches(
  ctx: PipelineContext,
  pool: DecisionPool,
  snapshot: Readonly<Record<string, readonly number[]>>,
  area: string,
  lastYear: number,
  size: number,
  heldBusinesses: number,
  decide: ShareTask['decide'],
): SnapshotBatches {
  let total: number | null = null;
  const count = (batches: readonly { count: number }[]) => batches.reduce((n, b) => n + b.count, 0);
  async function* read(): AsyncGenerator<PreparedBatch | DecidedBatch> {
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
    // The court list once, for every share to look its operators up in.
    const court = new CourtIndexWriter();
    const common = {
      brokers: remote.brokers,
      registryUrl: remote.registryUrl,
      prefix: ctx.prefix,
      schemaIds,
      ends: snapshot,
      courtDir: court.dir,
      area,
      lastYear,
      batchSize: size,
      decide,
    };
    // Tasks in the order their batches are sent: a partition's share, or a bucket of a share that
    // was spread over bucket files; as many running as the pool has threads.
    const ahead: Promise<ShareResult>[] = [];
    const waiting: (() => Promise<ShareResult>)[] = [];
    const spills: Spilled[] = [];
    let next = 0;
    const fill = () => {
      while (ahead.length < pool.threads) {
        let start = waiting.shift();
        if (start === undefined && next < partitions) {
          const partition = next++;
          start = () => pool.decideShare({ ...common, partitions: [partition], heldBusinesses });
        }
        if (start === undefined) break;
        const running = start();
        running.catch(() => undefined);
        ahead.push(running);
      }
    };
    try {
      await loadFacts(ctx, court, { topics: ['court'], upTo: snapshot });
      await court.close({ remove: false });
      let counted = 0;
      fill();
      for (let running = ahead.shift(); running !== undefined; running = ahead.shift()) {
        const result = await running;
        if ('spilled' in result) {
          const { spilled } = result;
          spills.push(spilled);
          for (let bucket = 0; bucket < spilled.buckets; bucket++)
            waiting.push(async () => ({ decided: await pool.decideBucket({ ...common, spilled, bucket }) }));
          fill();
          continue;
        }
        fill();
        counted += count(result.decided);
        if (ahead.length === 0) total = counted;
        yield* result.decided;
      }
    } finally {
      // Tasks still running (the run failed or stopped early) finish before their folders go.
      await Promise.allSettled(ahead);
      for (const s of spills) BucketFiles.remove(s);
      await court.close({ remove: true });
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

/** The support topic and its writer schema, which a decision task is given to encode each decision's measures. */
export function supportWriterOf(ctx: PipelineContext): { topic: string; writer: { schemaId: number; schema: string } } {
  const topic = topicName(ctx, 'support');
  return { topic, writer: { schemaId: ctx.codec.schemaIdOf(topic), schema: latestSchemaText(TOPICS.support.name) } };
}

/** Sends a batch's support events (those of the businesses `keep` names), after its decisions. */
export async function sendSupport(
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
