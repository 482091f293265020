/**
 * How an agency feed is described: the columns agencies export (CSV) or the fields of a JSON
 * line, the checks every record must pass, and how a good record becomes a fact on a topic.
 * One definition serves file ingest and the gateway's HTTP push alike.
 */
import { hash } from 'node:crypto';
import { z } from 'zod';
import { requireIndividualBusinessCode } from '../lib/creditCode.js';
import { tryParseIsoDate } from '../lib/dates.js';
import { GetihuError } from '../lib/errors.js';
import { isValidDivisionCode } from '../lib/regions.js';
import type { TopicId } from '../lib/topics.js';

/** How a CSV cell is read. */
export type ColumnKind = 'string' | 'date' | 'bool' | 'int' | 'number' | 'json';

/**
 * One exported column: its CSV header (snake_case) and the field it fills (camelCase); the
 * names agencies' own exports give it, and what their values for it mean (see `profile.ts`).
 */
export interface Column {
  readonly header: string;
  readonly field: string;
  readonly kind: ColumnKind;
  /** The column's names in agencies' exports (统一社会信用代码…). */
  readonly aliases?: readonly string[];
  /** Agencies' values for the column → the feed's (存续 → active…). */
  readonly values?: Readonly<Record<string, string>>;
}

/** Where a record came from. */
export interface Provenance {
  readonly agency: string;
  readonly feed: string;
  readonly line: number;
  readonly recordId: string;
  /** When the agency knew it (ms since the epoch, UTC), or null when it did not say. */
  readonly reportedAt?: number | null;
}

/** A column, with the names and values agencies' own exports give it. */
export function col(
  header: string,
  field: string,
  kind: ColumnKind,
  aliases: readonly string[] = [],
  values?: Readonly<Record<string, string>>,
): Column {
  return { header, field, kind, ...(aliases.length === 0 ? {} : { aliases }), ...(values === undefined ? {} : { values }) };
}

/** The business's unified social credit code (统一社会信用代码), as every business feed carries it. */
export const CREDIT_CODE_COLUMN = col('credit_code', 'creditCode', 'string', ['统一社会信用代码', '社会信用代码', '信用代码']);

/** The year a yearly record is of. */
export const YEAR_COLUMN = col('year', 'year', 'int', ['年度', '年份', '报告年度', '所属年度']);

/** 是/否 written as an agency's status words. */
const yesNo = (yes: readonly string[], no: readonly string[]): Record<string, string> =>
  Object.fromEntries([...yes.map((v) => [v, 'true']), ...no.map((v) => [v, 'false'])]);

export { yesNo };

/**
 * The column every feed may carry: when the agency knew the record (its reported-on time). A
 * record without it takes its export's (`IngestOptions.reportedAt`), if given.
 */
export const REPORTED_AT_COLUMN: Column = { header: 'reported_at', field: 'reportedAt', kind: 'string' };

const REPORTED_AT = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A reported-on time: a date (YYYY-MM-DD, the day's start in China Standard Time) or a date and
 * time (with its offset; China Standard Time when it has none). Returns ms since the epoch.
 * @throws GetihuError `INVALID_DATE` naming `field`.
 */
export function parseReportedAt(v: unknown, field = 'reportedAt'): number | null {
  if (v === null || v === undefined || v === '') return null;
  const m = typeof v === 'string' ? REPORTED_AT.exec(v.trim()) : null;
  const bad = () =>
    new GetihuError(
      'INVALID_DATE',
      `${field}: '${String(v)}' is not a reported-on time (YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS][±HH:MM|Z])`,
      { field },
    );
  if (m === null || tryParseIsoDate(m[1] as string) === undefined) throw bad();
  const zone = m[3] === undefined ? '+08:00' : m[3] === 'Z' ? 'Z' : m[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00'}${zone}`);
  if (!Number.isFinite(ms)) throw bad();
  return ms;
}

/** A record as read, before checks. */
export interface RawRecord {
  readonly line: number;
  readonly original: string;
  readonly fields: Record<string, unknown> | GetihuError;
  /** The record's bytes when they are no text in the export's encoding (`original` is then empty). */
  readonly bytes?: Buffer;
}

/** A fact ready for its topic. */
export interface FactRecord {
  readonly topic: TopicId;
  readonly key: string;
  readonly partitionKey?: string;
  readonly value: Record<string, unknown>;
}

/** What the service's configuration says of records' checks. */
export interface CheckOptions {
  /** Genuine credit codes that fail a checksum, admitted by the configuration (upper case). */
  readonly allowCodes: ReadonlySet<string>;
}

/** An agency feed. */
export interface FeedDefinition {
  readonly agency: string;
  readonly feed: string;
  readonly topic: TopicId;
  readonly description: string;
  readonly columns: readonly Column[];
  readonly row: z.ZodType<Record<string, unknown>>;
  /** Content checks beyond shape; throw GetihuError with a stable code. */
  readonly check: (row: Record<string, unknown>, options: CheckOptions) => void;
  readonly toFact: (row: Record<string, unknown>, source: Provenance) => FactRecord;
}

/** A stable id for a record: the same agency and bytes always give the same id. */
export function recordIdOf(agency: string, original: Buffer | string): string {
  // One call, the same bytes as hashing agency, NUL and the record in turn.
  const bytes = typeof original === 'string' ? `${agency}\0${original}` : Buffer.concat([Buffer.from(`${agency}\0`), original]);
  return hash('sha256', bytes).slice(0, 32);
}

/** Checks a unified social credit code of an individual business; returns it normalised. */
export function checkCreditCode(code: unknown, field = 'creditCode', allow: ReadonlySet<string> = new Set()): string {
  return requireIndividualBusinessCode(code, field, allow).code;
}

/** Checks that each named field, when present, is a calendar date. */
export function checkDates(row: Record<string, unknown>, fields: readonly string[]): void {
  for (const f of fields) {
    const v = row[f];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string' || tryParseIsoDate(v) === undefined) {
      throw new GetihuError('INVALID_DATE', `${f}: '${String(v)}' is not a calendar date in the form YYYY-MM-DD`, { field: f });
    }
  }
}

/** Checks an optional region code. */
export function checkRegion(v: unknown): void {
  if (v != null && !isValidDivisionCode(String(v))) {
    throw new GetihuError('INVALID_REGION_CODE', `regionCode: '${String(v)}' is not a GB/T 2260 division code`, {
      field: 'regionCode',
    });
  }
}

/** Day number of a checked date (or null). */
export function day(v: unknown): number | null {
  return v == null ? null : (tryParseIsoDate(String(v)) as number);
}

/** Yuan to integer fen. */
export function fen(v: unknown): number {
  return Math.round(Number(v) * 100);
}

/** Shape errors as the one error family. */
export function shapeError(issue: z.core.$ZodIssue): GetihuError {
  const path = issue.path.join('.') || '(record)';
  return new GetihuError('INVALID_INPUT', `${path}: ${issue.message}`, { field: path });
}

export const yuan = z.number().finite().nonnegative();
export const count = z.number().int().nonnegative();
export const flag = z.boolean();
export const year = z.number().int().min(1980).max(2100);
