/**
 * Poison never stops the line. A consumer that meets a record it cannot decode or apply (bytes
 * that are not Avro, a schema id the registry does not know, a value the state refuses) sets it
 * aside on the dead-letter topic — consumer, topic, partition, offset, key, reason code, reason
 * and the original bytes — logs and counts it, and goes on past it. An outage is not poison: an
 * `UNAVAILABLE` or `TIMEOUT` error is thrown on, so the batch is tried again once the registry,
 * store or broker is back, and nothing is set aside that a retry would have used.
 *
 * `listDeadLetters` reads them back; `replayDeadLetters` sends each consumer's dead letter back to
 * the partition it came from, once (the replay is a consumer group of its own that commits past
 * what it sent), for after the cause is fixed.
 */
import type { InRecord, OutRecord } from '../lib/bus/index.js';
import { isGetihuError } from '../lib/errors.js';
import { deadLetters as deadLetterCount, logger } from '../lib/observe/index.js';
import { prefixed, TOPICS } from '../lib/topics.js';
import type { PipelineContext } from './reconciler.js';

const log = logger('dead-letters');

/** The consumers that set records aside, by the name a dead letter carries. */
export type ConsumerName = 'reconciler' | 'rebuild' | 'run-snapshot' | 'sink' | 'ledger';

/** Whether an error is the record's fault (set it aside) rather than an outage (try again). */
export function isPoison(err: unknown): boolean {
  return !(isGetihuError(err) && err.retriable);
}

function reasonOf(err: unknown): { code: string; message: string } {
  if (isGetihuError(err)) return { code: err.code, message: err.message };
  const message = (err as Error)?.message ?? String(err);
  // avsc and the wire format throw plain errors for bytes that are not what the schema says.
  return { code: 'INVALID_INPUT', message: `cannot decode: ${message}` };
}

/** A dead letter as read back. */
export interface DeadLetter {
  readonly key: string;
  readonly consumer: string | null;
  readonly agency: string;
  readonly feed: string;
  readonly line: number;
  readonly sourceTopic: string | null;
  readonly sourcePartition: number | null;
  readonly sourceOffset: number | null;
  readonly sourceKey: string | null;
  readonly reasonCode: string;
  readonly reason: string;
  readonly original: Buffer;
  readonly deadAt: number | null;
}

/** Sets records aside for one consumer. */
export class DeadLetterer {
  readonly #ctx: Pick<PipelineContext, 'bus' | 'codec' | 'prefix'>;
  readonly #consumer: ConsumerName;
  readonly #topic: string;

  constructor(ctx: Pick<PipelineContext, 'bus' | 'codec' | 'prefix'>, consumer: ConsumerName) {
    this.#ctx = ctx;
    this.#consumer = consumer;
    this.#topic = prefixed(ctx.prefix, TOPICS.deadLetter);
  }

  /**
   * Sets one record aside, acknowledged before it resolves (so the consumer may commit past it).
   * Throws the error back when it is an outage, not poison.
   */
  async setAside(r: InRecord, err: unknown): Promise<void> {
    if (!isPoison(err)) throw err;
    const reason = reasonOf(err);
    const key = `${this.#consumer}/${r.topic}/${r.partition}/${r.offset}`;
    await this.#ctx.bus.send(this.#topic, [
      {
        key,
        value: this.#ctx.codec.encode(this.#topic, {
          agency: 'getihu',
          feed: this.#consumer,
          line: r.offset,
          targetTopic: null,
          reasonCode: reason.code,
          reason: reason.message,
          original: r.value ?? Buffer.alloc(0),
          consumer: this.#consumer,
          sourceTopic: r.topic,
          sourcePartition: r.partition,
          sourceOffset: r.offset,
          sourceKey: r.key,
          deadAt: Date.now(),
        }),
      },
    ]);
    deadLetterCount.inc({ consumer: this.#consumer, topic: r.topic, reason: reason.code });
    log.error(
      { consumer: this.#consumer, topic: r.topic, partition: r.partition, offset: r.offset, key: r.key, reasonCode: reason.code },
      `set aside a record it cannot use: ${reason.message}`,
    );
  }

  /**
   * Decodes each record with a value and hands it to `use`; a record that fails either is set
   * aside. Outages are thrown on (the batch is tried again).
   */
  async each(
    records: readonly InRecord[],
    use: (r: InRecord, value: Record<string, unknown>) => void | Promise<void>,
  ): Promise<void> {
    for (const r of records) {
      if (r.value === null) continue;
      let value: Record<string, unknown>;
      try {
        value = this.#ctx.codec.decodeKnown(r.topic, r.value) ?? (await this.#ctx.codec.decode(r.topic, r.value));
        await use(r, value);
      } catch (err) {
        await this.setAside(r, err);
      }
    }
  }

  /** Decodes each record with a value; those that cannot be decoded are set aside and left out. */
  async decodeAll(records: readonly InRecord[]): Promise<{ record: InRecord; value: Record<string, unknown> }[]> {
    const out: { record: InRecord; value: Record<string, unknown> }[] = [];
    await this.each(records, (record, value) => {
      out.push({ record, value });
    });
    return out;
  }
}

/** Every dead letter on the topic, in log order (consumers' and agencies'). */
export async function listDeadLetters(ctx: Pick<PipelineContext, 'bus' | 'codec' | 'prefix'>): Promise<DeadLetter[]> {
  const topic = prefixed(ctx.prefix, TOPICS.deadLetter);
  const out: DeadLetter[] = [];
  for await (const batch of ctx.bus.readSnapshot(topic)) {
    for (const r of batch) {
      if (r.value === null || r.key === null) continue;
      out.push(toDeadLetter(r.key, await ctx.codec.decode(topic, r.value)));
    }
  }
  return out;
}

function toDeadLetter(key: string, v: Record<string, unknown>): DeadLetter {
  return {
    key,
    consumer: (v.consumer as string | null) ?? null,
    agency: v.agency as string,
    feed: v.feed as string,
    line: Number(v.line),
    sourceTopic: (v.sourceTopic as string | null) ?? null,
    sourcePartition: (v.sourcePartition as number | null) ?? null,
    sourceOffset: v.sourceOffset == null ? null : Number(v.sourceOffset),
    sourceKey: (v.sourceKey as string | null) ?? null,
    reasonCode: v.reasonCode as string,
    reason: v.reason as string,
    original: v.original as Buffer,
    deadAt: v.deadAt == null ? null : Number(v.deadAt),
  };
}

/** What a replay did. */
export interface ReplaySummary {
  /** Consumer dead letters sent back to where they came from. */
  readonly replayed: number;
  /** The same record set aside by more than one consumer (or run): sent back once. */
  readonly duplicates: number;
  /** Agency dead letters: the agency corrects and pushes the record again; not replayed. */
  readonly agencyRecords: number;
}

/**
 * Sends every consumer dead letter not replayed before back to its topic and partition, with its
 * key and original bytes, once: the replay reads from where its group last stopped up to the end
 * offsets at its start, and commits those. A record set aside again after the replay is a new dead
 * letter, for a later replay (never in this one, so a record still bad cannot go round forever).
 */
export async function replayDeadLetters(
  ctx: PipelineContext,
  group = ctx.prefix === '' ? 'getihu-dead-letter-replay' : `${ctx.prefix}.getihu-dead-letter-replay`,
): Promise<ReplaySummary> {
  const topic = prefixed(ctx.prefix, TOPICS.deadLetter);
  const ends = await ctx.bus.endOffsets(topic);
  const from = await ctx.bus.committed(group, topic);
  let replayed = 0;
  let duplicates = 0;
  let agencyRecords = 0;
  const sent = new Set<string>();
  for await (const batch of ctx.bus.readSnapshot(topic, undefined, ends)) {
    const out = new Map<string, OutRecord[]>();
    for (const r of batch) {
      if (r.value === null || r.key === null || r.offset < (from[r.partition] ?? 0)) continue;
      const d = toDeadLetter(r.key, await ctx.codec.decode(topic, r.value));
      if (d.sourceTopic === null || d.sourcePartition === null || d.sourceOffset === null) {
        agencyRecords++;
        continue;
      }
      const where = `${d.sourceTopic}/${d.sourcePartition}/${d.sourceOffset}`;
      if (sent.has(where)) {
        duplicates++;
        continue;
      }
      sent.add(where);
      const list = out.get(d.sourceTopic) ?? [];
      list.push({
        key: d.sourceKey,
        value: d.original,
        partition: d.sourcePartition,
        headers: { 'getihu-replayed-from': `${topic}/${r.partition}/${r.offset}` },
      });
      out.set(d.sourceTopic, list);
    }
    for (const [t, records] of out) await ctx.bus.send(t, records);
    replayed += [...out.values()].reduce((n, l) => n + l.length, 0);
  }
  await ctx.bus.commit(group, topic, ends);
  return { replayed, duplicates, agencyRecords };
}
