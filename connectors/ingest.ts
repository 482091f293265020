/**
 * The connector engine: records of one feed in (CSV or JSON lines, or records handed over by the
 * gateway), each checked and turned into its fact, good ones produced to the feed's topic and
 * bad ones to the dead-letter topic — with source, line, reason code, reason and original bytes.
 * A record counts as accepted only once the broker acknowledged it; the batch never stops on bad
 * data. Re-running a feed is harmless: facts are keyed, their ids are content hashes, and
 * decisions change only when facts do.
 */
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import type { z } from 'zod';
import type { Bus, OutRecord } from '../lib/bus/index.js';
import { GetihuError, isGetihuError } from '../lib/errors.js';
import { readLines } from '../lib/lines.js';
import { prefixed, TOPICS } from '../lib/topics.js';
import type { Codec } from '../schemas/codec.js';
import { type FeedDefinition, readCell, recordIdOf, shapeError } from './feed.js';

/** A record as read, before checks. */
export interface RawRecord {
  readonly line: number;
  readonly original: string;
  readonly fields: Record<string, unknown> | GetihuError;
}

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
  /** Per-record outcomes, when asked for (the HTTP push answers with them). */
  readonly outcomes?: readonly RecordOutcome[];
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
}

/** JSON lines as raw records (blank lines skipped, numbered by physical line). */
export async function* jsonlRecords(input: Readable): AsyncGenerator<RawRecord> {
  let line = 0;
  for await (const text of readLines(input)) {
    line++;
    if (text.trim() === '') continue;
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
    yield { line, original: text, fields };
  }
}

/**
 * CSV (with a header line naming the feed's columns) as raw records, one per line: agency
 * exports carry one record per line, so a malformed line — an unclosed quote included — spoils
 * only itself and the rest of the file goes on.
 */
export async function* csvRecords(input: Readable, feed: FeedDefinition): AsyncGenerator<RawRecord> {
  let header: string[] | undefined;
  const byHeader = new Map(feed.columns.map((c) => [c.header, c]));
  let line = 0;
  for await (const text of readLines(input)) {
    line++;
    if (text.trim() === '') continue;
    let record: string[];
    const clean = line === 1 ? text.replace(/^\uFEFF/, '') : text;
    try {
      // Without a quote character a CSV line has exactly one reading: its comma-separated fields.
      record = clean.includes('"') ? ((parseCsv(clean, { relax_column_count: true }) as string[][])[0] ?? []) : clean.split(',');
    } catch (err) {
      yield { line, original: text, fields: new GetihuError('INVALID_CSV', `malformed CSV: ${(err as Error).message}`) };
      continue;
    }
    if (header === undefined) {
      header = record.map((h) => h.trim().toLowerCase());
      if (!header.some((h) => byHeader.has(h))) {
        throw new GetihuError(
          'INVALID_INPUT',
          `the first line must be the header (${feed.columns.map((c) => c.header).join(',')})`,
        );
      }
      continue;
    }
    if (record.length !== header.length) {
      yield {
        line,
        original: text,
        fields: new GetihuError('INVALID_CSV', `expected ${header.length} fields, got ${record.length}`),
      };
      continue;
    }
    const fields: Record<string, unknown> = {};
    header.forEach((h, i) => {
      const c = byHeader.get(h);
      if (c !== undefined) fields[c.field] = readCell(record[i] as string, c);
    });
    yield { line, original: text, fields };
  }
}

/** The most of a bad record's original bytes a dead letter keeps (a broker message has a size limit). */
export const DEAD_LETTER_ORIGINAL_LIMIT = 256 * 1024;

function originalBytes(original: string): Buffer {
  const b = Buffer.from(original, 'utf8');
  return b.length <= DEAD_LETTER_ORIGINAL_LIMIT ? b : b.subarray(0, DEAD_LETTER_ORIGINAL_LIMIT);
}

function toRow(feed: FeedDefinition, fields: Record<string, unknown>): Record<string, unknown> {
  const parsed = feed.row.safeParse(fields);
  if (!parsed.success) throw shapeError(parsed.error.issues[0] as z.core.$ZodIssue);
  const row = { ...parsed.data };
  feed.check(row);
  return row;
}

/** Ingests raw records of one feed. */
export async function ingestRecords(
  records: AsyncIterable<RawRecord> | Iterable<RawRecord>,
  o: IngestOptions,
): Promise<IngestSummary> {
  const prefix = o.topicPrefix ?? '';
  const factTopic = prefixed(prefix, TOPICS[o.feed.topic]);
  const dlqTopic = prefixed(prefix, TOPICS.deadLetter);
  const batchSize = o.batchSize ?? 1000;
  const facts: OutRecord[] = [];
  const dead: OutRecord[] = [];
  const pending: RecordOutcome[] = [];
  const outcomes: RecordOutcome[] = [];
  const byReason: Record<string, number> = {};
  let read = 0;
  let accepted = 0;

  // One batch in flight while the next is prepared; batches are sent in order, and a batch's
  // outcomes count only once its facts and dead letters are both acknowledged.
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    const f = facts.splice(0);
    const d = dead.splice(0);
    const results = pending.splice(0);
    const previous = inFlight;
    inFlight = (async () => {
      await previous;
      await o.bus.send(factTopic, f);
      await o.bus.send(dlqTopic, d);
      for (const r of results) {
        if (r.accepted) accepted++;
        if (o.keepOutcomes === true) outcomes.push(r);
      }
    })();
    // Surface a failed send at the next flush at the latest; never leave it unobserved.
    inFlight.catch(() => undefined);
    await previous;
  };

  for await (const raw of records) {
    read++;
    const recordId = recordIdOf(o.feed.agency, raw.original);
    try {
      if (raw.fields instanceof GetihuError) throw raw.fields;
      if (raw.original.length > DEAD_LETTER_ORIGINAL_LIMIT) {
        throw new GetihuError('INVALID_INPUT', `the record is larger than ${DEAD_LETTER_ORIGINAL_LIMIT} bytes`);
      }
      const row = toRow(o.feed, raw.fields);
      const fact = o.feed.toFact(row, { agency: o.feed.agency, feed: o.source, line: raw.line, recordId });
      const value = o.codec.encode(factTopic, fact.value);
      // The record id travels in the value's provenance; no per-message header.
      facts.push({ key: fact.key, value, ...(fact.partitionKey === undefined ? {} : { partitionKey: fact.partitionKey }) });
      pending.push({ line: raw.line, recordId, accepted: true });
    } catch (err) {
      const e = isGetihuError(err) ? err : new GetihuError('INTERNAL', `unexpected error: ${(err as Error).message}`);
      byReason[e.code] = (byReason[e.code] ?? 0) + 1;
      dead.push({
        key: `${o.feed.agency}/${o.source}:${raw.line}`,
        value: o.codec.encode(dlqTopic, {
          agency: o.feed.agency,
          feed: o.source,
          line: raw.line,
          targetTopic: factTopic,
          reasonCode: e.code,
          reason: e.message,
          original: originalBytes(raw.original),
        }),
      });
      pending.push({ line: raw.line, recordId, accepted: false, reasonCode: e.code, reason: e.message });
    }
    if (facts.length + dead.length >= batchSize) await flush();
    if (read % 1000 === 0) o.onProgress?.(read);
  }
  await flush();
  await inFlight;
  o.onProgress?.(read);
  return {
    agency: o.feed.agency,
    feed: o.feed.feed,
    source: o.source,
    read,
    accepted,
    rejected: read - accepted,
    rejectedByReason: byReason,
    ...(o.keepOutcomes === true ? { outcomes } : {}),
  };
}

/** Ingests a CSV or JSON-lines stream of one feed. */
export function ingestLines(input: Readable, format: 'csv' | 'jsonl', o: IngestOptions): Promise<IngestSummary> {
  return ingestRecords(format === 'csv' ? csvRecords(input, o.feed) : jsonlRecords(input), o);
}
