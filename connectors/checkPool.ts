/**
 * Checking and encoding a feed's records on worker threads (piscina): the main thread reads the
 * lines and sends, the pool's threads parse, check and Avro-encode chunks of lines. Outcomes,
 * order, dead letters and receipts are exactly those of checking inline (`checkRecord`).
 */
import type { Piscina } from 'piscina';
import type { OutRecord } from '../lib/bus/index.js';
import { GetihuError } from '../lib/errors.js';
import { startedThreads, threadPool } from '../lib/threads.js';
import { Codec, LocalSchemaStore } from '../schemas/index.js';
import type { Column } from './feed.js';
import { FEEDS } from './index.js';
import { type Checked, checkRecord, csvHeader, csvRecord, jsonlRecord, type RecordOutcome } from './ingest.js';
import type { ExportProfile } from './profile.js';

/** A chunk of a feed's lines to check. */
export interface CheckTask {
  /** The feed, as `agency/feed`. */
  readonly feed: string;
  readonly source: string;
  /** Topic-name prefix, and the full names of the feed's topic and the dead-letter topic. */
  readonly prefix: string;
  readonly factTopic: string;
  readonly dlqTopic: string;
  /** The export's reported-on time (ms), for records without their own. */
  readonly reportedAt: number | null;
  /** When the records were received (ms). */
  readonly receivedAt: number;
  /** Credit codes the configuration admits beyond their checksum. */
  readonly allowCodes: readonly string[];
  /** The schema id of each topic, as the caller's codec registered them. */
  readonly schemaIds: Readonly<Record<string, number>>;
  readonly format: 'csv' | 'jsonl';
  /** How the export is written. */
  readonly profile: ExportProfile;
  /** The CSV header line. */
  readonly header?: string;
  readonly lines: readonly string[];
  /** The physical line number of each line. */
  readonly numbers: readonly number[];
}

/** A checked chunk: the encoded values back to back in one buffer, in order. */
export interface CheckedChunk {
  readonly values: Uint8Array;
  readonly records: readonly {
    readonly dead: boolean;
    readonly key: string;
    readonly partitionKey?: string;
    readonly length: number;
  }[];
  readonly outcomes: readonly RecordOutcome[];
}

const codecs = new Map<string, Codec>();
const headers = new Map<string, (Column | undefined)[]>();

/** Checks and encodes a chunk of lines (what a pool thread does). */
export function checkChunk(task: CheckTask): CheckedChunk {
  const feed = FEEDS.get(task.feed);
  if (feed === undefined) throw new GetihuError('INVALID_ARGUMENT', `no feed ${task.feed}`);
  const ids = `${task.prefix}\n${JSON.stringify(task.schemaIds)}`;
  let codec = codecs.get(ids);
  if (codec === undefined) {
    // Encoding needs the ids alone; no registry is asked.
    codec = Codec.withIds(new LocalSchemaStore(), task.prefix, task.schemaIds);
    codecs.set(ids, codec);
  }
  let header: (Column | undefined)[] | undefined;
  if (task.format === 'csv') {
    const text = task.header ?? '';
    const key = `${task.feed}\n${JSON.stringify(task.profile)}\n${text}`;
    header = headers.get(key);
    if (header === undefined) {
      const h = csvHeader(text, feed, task.profile);
      if (h instanceof GetihuError) throw h;
      header = h;
      headers.set(key, h);
    }
  }
  const c = {
    codec,
    feed,
    source: task.source,
    factTopic: task.factTopic,
    dlqTopic: task.dlqTopic,
    reportedAt: task.reportedAt,
    receivedAt: task.receivedAt,
    options: { allowCodes: new Set(task.allowCodes) },
  };
  const out: Checked[] = task.lines.map((text, i) => {
    const line = task.numbers[i] as number;
    return checkRecord(header === undefined ? jsonlRecord(text, line) : csvRecord(text, line, header, task.profile), c);
  });
  let size = 0;
  for (const x of out) size += x.record.value?.length ?? 0;
  // A buffer of its own (never a slice of Node's shared pool), since the thread gives it away.
  const values = Buffer.allocUnsafeSlow(size);
  let pos = 0;
  for (const x of out) {
    (x.record.value as Buffer).copy(values, pos);
    pos += (x.record.value as Buffer).length;
  }
  return {
    values,
    records: out.map((x) => ({
      dead: x.dead,
      key: x.record.key as string,
      ...(x.record.partitionKey === undefined ? {} : { partitionKey: x.record.partitionKey }),
      length: (x.record.value as Buffer).length,
    })),
    outcomes: out.map((x) => x.outcome),
  };
}

/** The records of a checked chunk, as `checkRecord` gives them. */
export function checkedOf(chunk: CheckedChunk): Checked[] {
  const values = Buffer.from(chunk.values.buffer, chunk.values.byteOffset, chunk.values.byteLength);
  let pos = 0;
  return chunk.records.map((r, i) => {
    const value = values.subarray(pos, pos + r.length);
    pos += r.length;
    const record: OutRecord = { key: r.key, value, ...(r.partitionKey === undefined ? {} : { partitionKey: r.partitionKey }) };
    return { record, dead: r.dead, outcome: chunk.outcomes[i] as RecordOutcome };
  });
}

/** Worker threads that check chunks of lines. */
export class CheckPool {
  readonly #pool: Piscina;
  readonly threads: number;

  constructor(threads: number) {
    this.threads = Math.max(1, threads);
    this.#pool = threadPool(new URL('./checkWorker.ts', import.meta.url), this.threads);
  }

  async run(task: CheckTask): Promise<CheckedChunk> {
    return (await this.#pool.run(task)) as CheckedChunk;
  }

  /** Resolves once every thread has started (see `startedThreads`); answers their ids. */
  started(): Promise<number[]> {
    return startedThreads(this.#pool, this.threads);
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
