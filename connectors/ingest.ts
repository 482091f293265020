/**
 * The connector engine: records of one feed in (CSV, an `.xlsx` workbook or JSON lines, read
 * under the export's profile, or records handed over by the gateway), each checked and turned
 * into its fact, good ones produced to the feed's topic and bad ones to the dead-letter topic —
 * with source, line, reason code, reason and original bytes.
 * A record counts as accepted only once the broker acknowledged it; the batch never stops on bad
 * data. Re-running a feed is harmless: facts are keyed, their ids are content hashes, and
 * decisions change only when facts do.
 */
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import type { z } from 'zod';
import type { Bus, OutRecord } from '../lib/bus/index.js';
import { GetihuError, isGetihuError } from '../lib/errors.js';
import { prefixed, TOPICS } from '../lib/topics.js';
import type { Codec } from '../schemas/index.js';
import { type CheckedChunk, type CheckPool, checkedOf } from './checkPool.js';
import { decodedLines, type EncodingFound } from './decode.js';
import {
  type CheckOptions,
  type Column,
  type FactRecord,
  type FeedDefinition,
  parseReportedAt,
  type RawRecord,
  recordIdOf,
  shapeError,
} from './feed.js';
import { type ExportProfile, headerColumns, readCell, STANDARD_PROFILE } from './profile.js';
import { xlsxRecords } from './xlsx.js';

export type { RawRecord } from './feed.js';

/** What became of one record. */
export interface RecordOutcome {
  readonly line: number;
  readonly recordId: string;
  readonly accepted: boolean;
  readonly reasonCode?: string;
  readonly reason?: string;
}

/** The receipt of an ingest. */
export interface IngestSummary {
  readonly agency: string;
  readonly feed: string;
  readonly source: string;
  readonly read: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
  /** How the file was read: its format, the export profile, the text encoding (stated or detected). */
  readonly file?: FileRead;
  /** Per-record outcomes, when asked for (the HTTP push answers with them). */
  readonly outcomes?: readonly RecordOutcome[];
}

/** The file formats an export may come in. */
export type FileFormat = 'csv' | 'jsonl' | 'xlsx';

/** How a file was read, as its receipt names it. */
export interface FileRead {
  readonly format: FileFormat;
  readonly profile: string;
  /** The text encoding (not for a workbook). */
  readonly encoding?: string;
  /** Whether the encoding was detected rather than stated. */
  readonly encodingDetected?: boolean;
}

/** Options of an ingest. */
export interface IngestOptions {
  readonly bus: Bus;
  readonly codec: Codec;
  readonly feed: FeedDefinition;
  /** The feed instance: a file name or a batch id. */
  readonly source: string;
  readonly topicPrefix?: string;
  readonly batchSize?: number;
  readonly keepOutcomes?: boolean;
  readonly onProgress?: (recordsRead: number) => void;
  /** Threads to check and encode a file's lines on (`ingestLines`); inline without. */
  readonly pool?: CheckPool;
  /**
   * When the agency knew the export's records (see `parseReportedAt`), for records that carry no
   * `reportedAt` of their own. Facts of one key are ordered by it, so an older export replayed
   * after a correction never undoes the correction.
   */
  readonly reportedAt?: string;
  /** Genuine credit codes that fail a checksum, admitted by the configuration. */
  readonly allowCodes?: ReadonlySet<string>;
  /** When the records were received (ms; default: now): no record may say it was known later. */
  readonly receivedAt?: number;
  /** How the agency's file is written (default: the standard profile). */
  readonly profile?: ExportProfile;
}

/** One JSON line as a raw record. */
export function jsonlRecord(text: string, line: number): RawRecord {
  let fields: Record<string, unknown> | GetihuError;
  try {
    const v = JSON.parse(text) as unknown;
    fields =
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? (v as Record<string, unknown>)
        : new GetihuError('INVALID_INPUT', 'a JSON object is expected');
  } catch (err) {
    fields = new GetihuError('INVALID_JSON', `not JSON: ${(err as Error).message}`);
  }
  return { line, original: text, fields };
}

/** A line that is no text in the export's encoding, as a raw record keeping its bytes. */
function undecodedRecord(d: { line: number; bytes: Buffer; error: GetihuError }): RawRecord {
  return { line: d.line, original: '', fields: d.error, bytes: d.bytes };
}

/** JSON lines (UTF-8) as raw records (blank lines skipped, numbered by physical line). */
export async function* jsonlRecords(input: Readable, onEncoding?: (found: EncodingFound) => void): AsyncGenerator<RawRecord> {
  for await (const d of decodedLines(input, 'utf-8', onEncoding)) {
    if ('bytes' in d) yield undecodedRecord(d);
    else if (d.text.trim() !== '') yield jsonlRecord(d.text, d.line);
  }
}

/** The fields of one CSV line, or why it has none. */
function csvFields(text: string): string[] | GetihuError {
  try {
    // Without a quote character a CSV line has exactly one reading: its comma-separated fields.
    return text.includes('"') ? ((parseCsv(text, { relax_column_count: true }) as string[][])[0] ?? []) : text.split(',');
  } catch (err) {
    return new GetihuError('INVALID_CSV', `malformed CSV: ${(err as Error).message}`);
  }
}

/**
 * The column of each position of a CSV header line (undefined where the feed has none).
 * @throws GetihuError `INVALID_INPUT` when the line names none of the feed's columns.
 */
export function csvHeader(
  text: string,
  feed: FeedDefinition,
  profile: ExportProfile = STANDARD_PROFILE,
): (Column | undefined)[] | GetihuError {
  const record = csvFields(text.replace(/^\uFEFF/, ''));
  if (record instanceof GetihuError) return record;
  return headerColumns(record, feed, profile);
}

/** One CSV line (not the header) as a raw record, its cells read under the profile. */
export function csvRecord(
  text: string,
  line: number,
  header: readonly (Column | undefined)[],
  profile: ExportProfile = STANDARD_PROFILE,
): RawRecord {
  const record = csvFields(text);
  if (record instanceof GetihuError) return { line, original: text, fields: record };
  if (record.length !== header.length) {
    return {
      line,
      original: text,
      fields: new GetihuError('INVALID_CSV', `expected ${header.length} fields, got ${record.length}`),
    };
  }
  const fields: Record<string, unknown> = {};
  header.forEach((c, i) => {
    if (c !== undefined) fields[c.field] = readCell(record[i] as string, c, profile);
  });
  return { line, original: text, fields };
}

/**
 * CSV (with a header line naming the feed's columns) as raw records, one per line: agency
 * exports carry one record per line, so a malformed line — an unclosed quote included, or bytes
 * that are no text in the file's encoding — spoils only itself and the rest of the file goes on.
 */
export async function* csvRecords(
  input: Readable,
  feed: FeedDefinition,
  profile: ExportProfile = STANDARD_PROFILE,
  onEncoding?: (found: EncodingFound) => void,
): AsyncGenerator<RawRecord> {
  let header: (Column | undefined)[] | undefined;
  for await (const d of decodedLines(input, profile.encoding, onEncoding)) {
    if ('bytes' in d) {
      yield undecodedRecord(d);
      continue;
    }
    const { line, text } = d;
    if (text.trim() === '') continue;
    if (header === undefined) {
      const h = csvHeader(text, feed, profile);
      if (h instanceof GetihuError) {
        yield { line, original: text, fields: h };
        continue;
      }
      header = h;
      continue;
    }
    yield csvRecord(text, line, header, profile);
  }
}

/** The most of a bad record's original bytes a dead letter keeps (a broker message has a size limit). */
export const DEAD_LETTER_ORIGINAL_LIMIT = 256 * 1024;

function originalBytes(raw: RawRecord): Buffer {
  const b = raw.bytes ?? Buffer.from(raw.original, 'utf8');
  return b.length <= DEAD_LETTER_ORIGINAL_LIMIT ? b : b.subarray(0, DEAD_LETTER_ORIGINAL_LIMIT);
}

function toRow(feed: FeedDefinition, fields: Record<string, unknown>, options: CheckOptions): Record<string, unknown> {
  const parsed = feed.row.safeParse(fields);
  if (!parsed.success) throw shapeError(parsed.error.issues[0] as z.core.$ZodIssue);
  const row = { ...parsed.data };
  feed.check(row, options);
  return row;
}

const NO_ALLOWED_CODES: CheckOptions = { allowCodes: new Set() };

/** What a feed's records are checked against, and where they go. */
export interface CheckContext {
  readonly codec: Codec;
  readonly feed: FeedDefinition;
  readonly source: string;
  readonly factTopic: string;
  readonly dlqTopic: string;
  /** The export's reported-on time (ms), for records without their own. */
  readonly reportedAt?: number | null;
  /** When the records were received (ms): a reported-on time after it is refused. */
  readonly receivedAt: number;
  /** What the configuration says of the checks (default: no credit code admitted beyond its checksum). */
  readonly options?: CheckOptions;
}

/**
 * The key a fact is written under: its own, or with the time the agency knew it, so that on a
 * compacted topic each version survives compaction (the reconciler keeps the newest) instead of
 * the last one written. Its partition stays the plain key's.
 */
function versionedKey(fact: FactRecord, reportedAt: number | null): { key: string; partitionKey?: string } {
  if (reportedAt === null)
    return { key: fact.key, ...(fact.partitionKey === undefined ? {} : { partitionKey: fact.partitionKey }) };
  return { key: `${fact.key}@${new Date(reportedAt).toISOString()}`, partitionKey: fact.partitionKey ?? fact.key };
}

/** What one record became: a fact for the feed's topic, or a dead letter. */
export interface Checked {
  readonly record: OutRecord;
  readonly dead: boolean;
  readonly outcome: RecordOutcome;
}

/** Checks one raw record and encodes its fact, or its dead letter with the reason. */
export function checkRecord(raw: RawRecord, c: CheckContext): Checked {
  const recordId = recordIdOf(c.feed.agency, raw.bytes ?? raw.original);
  try {
    if (raw.fields instanceof GetihuError) throw raw.fields;
    if (raw.original.length > DEAD_LETTER_ORIGINAL_LIMIT) {
      throw new GetihuError('INVALID_INPUT', `the record is larger than ${DEAD_LETTER_ORIGINAL_LIMIT} bytes`);
    }
    const reportedAt = parseReportedAt(raw.fields.reportedAt) ?? c.reportedAt ?? null;
    // Facts of one key are ordered by when the agency knew them: a time after the records arrived
    // would outrank every later correction.
    if (reportedAt !== null && reportedAt > c.receivedAt)
      throw new GetihuError(
        'INVALID_DATE',
        `reportedAt: ${new Date(reportedAt).toISOString()} is after the record was received (${new Date(c.receivedAt).toISOString()})`,
        { field: 'reportedAt' },
      );
    const row = toRow(c.feed, raw.fields, c.options ?? NO_ALLOWED_CODES);
    const fact = c.feed.toFact(row, { agency: c.feed.agency, feed: c.source, line: raw.line, recordId, reportedAt });
    const value = c.codec.encode(c.factTopic, fact.value);
    // The record id travels in the value's provenance; no per-message header.
    return {
      record: { ...versionedKey(fact, reportedAt), value },
      dead: false,
      outcome: { line: raw.line, recordId, accepted: true },
    };
  } catch (err) {
    const e = isGetihuError(err) ? err : new GetihuError('INTERNAL', `unexpected error: ${(err as Error).message}`);
    return {
      record: {
        key: `${c.feed.agency}/${c.source}:${raw.line}`,
        value: c.codec.encode(c.dlqTopic, {
          agency: c.feed.agency,
          feed: c.source,
          line: raw.line,
          targetTopic: c.factTopic,
          reasonCode: e.code,
          reason: e.message,
          original: originalBytes(raw),
        }),
      },
      dead: true,
      outcome: { line: raw.line, recordId, accepted: false, reasonCode: e.code, reason: e.message },
    };
  }
}

/** The topics of an ingest and what its records are checked against. */
function checkContextOf(o: IngestOptions): CheckContext {
  const prefix = o.topicPrefix ?? '';
  return {
    codec: o.codec,
    feed: o.feed,
    source: o.source,
    factTopic: prefixed(prefix, TOPICS[o.feed.topic]),
    dlqTopic: prefixed(prefix, TOPICS.deadLetter),
    reportedAt: parseReportedAt(o.reportedAt, 'reportedAt (of the export)'),
    receivedAt: o.receivedAt ?? Date.now(),
    options: { allowCodes: o.allowCodes ?? new Set() },
  };
}

/**
 * Sends checked records in batches, in order, and keeps the receipt. One batch is in flight
 * while the next is filled; a batch's outcomes count only once its facts and dead letters are
 * both acknowledged.
 */
class ReceiptSender {
  readonly #o: IngestOptions;
  readonly #c: CheckContext;
  readonly #batchSize: number;
  readonly #facts: OutRecord[] = [];
  readonly #dead: OutRecord[] = [];
  readonly #pending: RecordOutcome[] = [];
  readonly #outcomes: RecordOutcome[] = [];
  readonly #byReason: Record<string, number> = {};
  #inFlight: Promise<void> = Promise.resolve();
  #read = 0;
  #accepted = 0;

  constructor(o: IngestOptions, c: CheckContext) {
    this.#o = o;
    this.#c = c;
    this.#batchSize = o.batchSize ?? 1000;
  }

  /** Takes one checked record; resolves at once unless a full batch waits for the previous one. */
  async add(x: Checked): Promise<void> {
    this.#read++;
    if (x.dead) {
      const code = x.outcome.reasonCode as string;
      this.#byReason[code] = (this.#byReason[code] ?? 0) + 1;
      this.#dead.push(x.record);
    } else this.#facts.push(x.record);
    this.#pending.push(x.outcome);
    if (this.#facts.length + this.#dead.length >= this.#batchSize) await this.#flush();
    if (this.#read % 1000 === 0) this.#o.onProgress?.(this.#read);
  }

  async #flush(): Promise<void> {
    const f = this.#facts.splice(0);
    const d = this.#dead.splice(0);
    const results = this.#pending.splice(0);
    const previous = this.#inFlight;
    this.#inFlight = (async () => {
      await previous;
      await this.#o.bus.send(this.#c.factTopic, f);
      await this.#o.bus.send(this.#c.dlqTopic, d);
      for (const r of results) {
        if (r.accepted) this.#accepted++;
        if (this.#o.keepOutcomes === true) this.#outcomes.push(r);
      }
    })();
    // Surface a failed send at the next flush at the latest; never leave it unobserved.
    this.#inFlight.catch(() => undefined);
    await previous;
  }

  /** Sends what is left, waits for every acknowledgement, and gives the receipt. */
  async finish(read?: FileRead): Promise<IngestSummary> {
    await this.#flush();
    await this.#inFlight;
    this.#o.onProgress?.(this.#read);
    return {
      agency: this.#o.feed.agency,
      feed: this.#o.feed.feed,
      source: this.#o.source,
      read: this.#read,
      accepted: this.#accepted,
      rejected: this.#read - this.#accepted,
      rejectedByReason: this.#byReason,
      ...(read === undefined ? {} : { file: read }),
      ...(this.#o.keepOutcomes === true ? { outcomes: this.#outcomes } : {}),
    };
  }
}

/** Ingests raw records of one feed. */
export async function ingestRecords(
  records: AsyncIterable<RawRecord> | Iterable<RawRecord>,
  o: IngestOptions,
  read?: () => FileRead,
): Promise<IngestSummary> {
  const c = checkContextOf(o);
  const sender = new ReceiptSender(o, c);
  for await (const raw of records) await sender.add(checkRecord(raw, c));
  return sender.finish(read?.());
}

/**
 * Ingests an export file of one feed — CSV or JSON lines from a stream, or an `.xlsx` workbook —
 * read under `o.profile`. CSV and JSON lines are checked inline, or with `o.pool` on its threads
 * in chunks of lines, as many chunks under way as it has threads and one more; a workbook inline.
 */
export async function ingestLines(input: Readable, format: FileFormat, o: IngestOptions): Promise<IngestSummary> {
  const profile = o.profile ?? STANDARD_PROFILE;
  let found: EncodingFound | undefined;
  const onEncoding = (f: EncodingFound) => {
    found = f;
  };
  const read = (): FileRead => ({
    format,
    profile: profile.name,
    ...(found === undefined ? {} : { encoding: found.encoding, encodingDetected: found.detected }),
  });
  if (format === 'xlsx') return ingestRecords(xlsxRecords(input, o.feed, profile), o, read);
  const pool = o.pool;
  if (pool === undefined) {
    const records = format === 'csv' ? csvRecords(input, o.feed, profile, onEncoding) : jsonlRecords(input, onEncoding);
    return ingestRecords(records, o, read);
  }
  const c = checkContextOf(o);
  const sender = new ReceiptSender(o, c);
  const chunkLines = o.batchSize ?? 1000;
  const base = {
    feed: `${o.feed.agency}/${o.feed.feed}`,
    source: o.source,
    prefix: o.topicPrefix ?? '',
    factTopic: c.factTopic,
    dlqTopic: c.dlqTopic,
    reportedAt: c.reportedAt ?? null,
    receivedAt: c.receivedAt,
    allowCodes: [...(o.allowCodes ?? [])],
    schemaIds: o.codec.registered(),
    format,
    profile,
  };
  const ahead: Promise<CheckedChunk>[] = [];
  const drain = async (keep: number) => {
    while (ahead.length > keep) for (const x of checkedOf(await (ahead.shift() as Promise<CheckedChunk>))) await sender.add(x);
  };
  let header: string | undefined;
  let lines: string[] = [];
  let numbers: number[] = [];
  const submit = async () => {
    const p = pool.run({ ...base, ...(header === undefined ? {} : { header }), lines, numbers });
    p.catch(() => undefined);
    ahead.push(p);
    lines = [];
    numbers = [];
    await drain(pool.threads);
  };
  /** A record checked here, in order: the chunks before it go first. */
  const inline = async (raw: RawRecord) => {
    if (lines.length > 0) await submit();
    await drain(0);
    await sender.add(checkRecord(raw, c));
  };
  for await (const d of decodedLines(input, format === 'csv' ? profile.encoding : 'utf-8', onEncoding)) {
    if ('bytes' in d) {
      await inline(undecodedRecord(d));
      continue;
    }
    const { line, text } = d;
    if (text.trim() === '') continue;
    if (format === 'csv' && header === undefined) {
      // The header is read here, so a file without one fails before any chunk goes out; a
      // malformed first line is a dead letter like any other.
      const h = csvHeader(text, o.feed, profile);
      if (h instanceof GetihuError) await inline({ line, original: text, fields: h });
      else header = text;
      continue;
    }
    lines.push(text);
    numbers.push(line);
    if (lines.length >= chunkLines) await submit();
  }
  if (lines.length > 0) await submit();
  await drain(0);
  return sender.finish(read());
}
