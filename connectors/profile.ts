/**
 * An export profile: how one agency's export of a feed is written, so that the file it already
 * makes is read as it is — its encoding, its header names (Chinese as well as the feed's own),
 * what its values say (是/否, 存续/吊销…), and how it writes dates and amounts. The profile is
 * applied before the row check; the receipt names it.
 *
 * The standard profile reads the feeds' own columns and the Chinese names and values each column
 * declares, in any of the date forms agencies' systems write; a profile file narrows or adds to it.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { tryParseIsoDate } from '../lib/dates.js';
import { GetihuError } from '../lib/errors.js';
import { type Column, type FeedDefinition, REPORTED_AT_COLUMN } from './feed.js';

/** The text encodings an export may be in. GBK files are GB18030 files (GB18030 contains GBK). */
export type TextEncoding = 'utf-8' | 'gb18030';

/** The date forms an export may write a date in. */
export const DATE_FORMS = ['YYYY-MM-DD', 'YYYY/M/D', 'YYYYMMDD', 'YYYY年M月D日', 'YYYY.M.D'] as const;
export type DateForm = (typeof DATE_FORMS)[number];

const DATE_PATTERNS: Readonly<Record<DateForm, RegExp>> = {
  'YYYY-MM-DD': /^(\d{4})-(\d{1,2})-(\d{1,2})$/,
  'YYYY/M/D': /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/,
  YYYYMMDD: /^(\d{4})(\d{2})(\d{2})$/,
  YYYY年M月D日: /^(\d{4})年(\d{1,2})月(\d{1,2})日$/,
  'YYYY.M.D': /^(\d{4})\.(\d{1,2})\.(\d{1,2})$/,
};

/** How one agency's export of a feed is written. */
export interface ExportProfile {
  readonly name: string;
  /** The text encoding, or `auto`: UTF-8 when the file's first 64 KiB are valid UTF-8, else GB18030. */
  readonly encoding: 'auto' | TextEncoding;
  /** More header names: the export's header → the feed's column header. */
  readonly headers: Readonly<Record<string, string>>;
  /** More value maps, by the feed's column header: the export's value → the feed's value. */
  readonly values: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The date forms accepted in date columns. */
  readonly dates: readonly DateForm[];
  /** Whether amounts may carry thousands separators ("1,234.56"). */
  readonly thousands: boolean;
  /** The workbook's sheet (name, or number from 1) for an `.xlsx` export; the first by default. */
  readonly sheet?: string | number;
}

/** The profile an export is read with when none is stated. */
export const STANDARD_PROFILE: ExportProfile = {
  name: 'standard',
  encoding: 'auto',
  headers: {},
  values: {},
  dates: DATE_FORMS,
  thousands: true,
};

const profileFile = z
  .object({
    name: z.string().min(1).max(100),
    encoding: z
      .enum(['auto', 'utf-8', 'utf8', 'gb18030', 'gbk', 'gb2312'])
      .transform((e) => (e === 'utf8' ? 'utf-8' : e === 'gbk' || e === 'gb2312' ? 'gb18030' : e))
      .optional(),
    headers: z.record(z.string().min(1), z.string().min(1)).optional(),
    values: z.record(z.string().min(1), z.record(z.string(), z.string())).optional(),
    dates: z.array(z.enum(DATE_FORMS)).min(1).optional(),
    thousands: z.boolean().optional(),
    sheet: z.union([z.string().min(1), z.number().int().min(1)]).optional(),
  })
  .strict();

/**
 * A profile as a file states it, over the standard profile, checked against the feed: every
 * header and value map must name one of the feed's columns.
 * @throws GetihuError `INVALID_ARGUMENT` naming the field that is wrong.
 */
export function parseProfile(value: unknown, feed: FeedDefinition): ExportProfile {
  const parsed = profileFile.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const path = issue.path.join('.') || '(profile)';
    throw new GetihuError('INVALID_ARGUMENT', `profile ${path}: ${issue.message}`, { field: path });
  }
  const p = parsed.data;
  const known = new Set([...feed.columns, REPORTED_AT_COLUMN].map((c) => c.header));
  const unknown = (header: string, where: string) => {
    if (!known.has(header))
      throw new GetihuError(
        'INVALID_ARGUMENT',
        `profile ${where}: '${header}' is not a column of ${feed.agency}/${feed.feed} (${[...known].join(', ')})`,
        { field: where },
      );
  };
  for (const [alias, header] of Object.entries(p.headers ?? {})) unknown(header, `headers.${alias}`);
  for (const header of Object.keys(p.values ?? {})) unknown(header, `values.${header}`);
  return {
    name: p.name,
    encoding: p.encoding ?? STANDARD_PROFILE.encoding,
    headers: p.headers ?? {},
    values: p.values ?? {},
    dates: p.dates ?? STANDARD_PROFILE.dates,
    thousands: p.thousands ?? STANDARD_PROFILE.thousands,
    ...(p.sheet === undefined ? {} : { sheet: p.sheet }),
  };
}

/**
 * A profile file (JSON) for a feed.
 * @throws GetihuError `NO_INPUT` when it cannot be read, `INVALID_ARGUMENT` when it is not a profile.
 */
export function readProfile(path: string, feed: FeedDefinition): ExportProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GetihuError('NO_INPUT', `--profile: cannot read '${path}' (${(err as NodeJS.ErrnoException).code})`, {
      option: '--profile',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new GetihuError('INVALID_ARGUMENT', `--profile: '${path}' is not JSON: ${(err as Error).message}`, {
      option: '--profile',
    });
  }
  return parseProfile(json, feed);
}

/**
 * The profile an ingest states: a profile file's, or the standard one, with its encoding replaced
 * by `encoding` when given.
 * @throws GetihuError `INVALID_ARGUMENT` naming `--encoding` or the profile's field.
 */
export function statedProfile(feed: FeedDefinition, file?: string, encoding?: string): ExportProfile {
  const profile = file === undefined ? STANDARD_PROFILE : readProfile(file, feed);
  if (encoding === undefined) return profile;
  const e = profileFile.shape.encoding.safeParse(encoding.toLowerCase());
  if (!e.success || e.data === undefined)
    throw new GetihuError('INVALID_ARGUMENT', `--encoding: auto, utf-8 or gb18030 (gbk), got '${encoding}'`, {
      option: '--encoding',
    });
  return { ...profile, encoding: e.data };
}

/** A header as compared: trimmed, lower case, full-width brackets as ASCII, no inner spaces. */
function headerKey(h: string): string {
  return h.trim().replace(/（/g, '(').replace(/）/g, ')').replace(/\s+/g, '').toLowerCase();
}

/** The feed's column of each header name the profile reads (its own header, its aliases, the profile's). */
export function columnsByHeader(feed: FeedDefinition, profile: ExportProfile): ReadonlyMap<string, Column> {
  const columns = [...feed.columns, REPORTED_AT_COLUMN];
  const byHeader = new Map<string, Column>();
  for (const c of columns) {
    byHeader.set(headerKey(c.header), c);
    for (const a of c.aliases ?? []) byHeader.set(headerKey(a), c);
  }
  const own = new Map(columns.map((c) => [c.header, c]));
  for (const [alias, header] of Object.entries(profile.headers)) {
    const c = own.get(header);
    if (c !== undefined) byHeader.set(headerKey(alias), c);
  }
  return byHeader;
}

/**
 * The column of each position of a header (undefined where the feed has none), its names read
 * under the profile.
 * @throws GetihuError `INVALID_INPUT` when it names none of the feed's columns.
 */
export function headerColumns(names: readonly string[], feed: FeedDefinition, profile: ExportProfile): (Column | undefined)[] {
  const byHeader = columnsByHeader(feed, profile);
  const header = names.map((h) => columnOf(byHeader, h));
  if (!header.some((c) => c !== undefined)) {
    throw new GetihuError(
      'INVALID_INPUT',
      `the first line must be the header (${feed.columns.map((c) => c.header).join(',')}, or the names profile '${profile.name}' gives them)`,
    );
  }
  return header;
}

/** The column a header names under the profile, if any. */
export function columnOf(byHeader: ReadonlyMap<string, Column>, header: string): Column | undefined {
  return byHeader.get(headerKey(header));
}

const TRUE = new Set(['true', '1', 'yes', 'y', '是']);
const FALSE = new Set(['false', '0', 'no', 'n', '否']);
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
const GROUPED_NUMBER = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;

/** A date in one of the profile's forms as YYYY-MM-DD; the text as it is when it is in none. */
function isoDate(v: string, profile: ExportProfile): string {
  for (const form of profile.dates) {
    const m = DATE_PATTERNS[form].exec(v);
    if (m === null) continue;
    const iso = `${m[1]}-${(m[2] as string).padStart(2, '0')}-${(m[3] as string).padStart(2, '0')}`;
    // A form that matches but names no calendar day is left as written, so the row check names it.
    return tryParseIsoDate(iso) === undefined ? v : iso;
  }
  return v;
}

/**
 * Reads one text cell as its column and the profile say; an empty cell is null. A value the
 * column's map or the profile's names is replaced first; what cannot be read is returned as
 * written, so the row check names the field and the value.
 */
export function readCell(raw: string, column: Column, profile: ExportProfile = STANDARD_PROFILE): unknown {
  let v = raw.trim();
  if (v === '') return null;
  v = profile.values[column.header]?.[v] ?? column.values?.[v] ?? v;
  switch (column.kind) {
    case 'string':
      return v;
    case 'date':
      return isoDate(v, profile);
    case 'bool':
      if (TRUE.has(v.toLowerCase())) return true;
      if (FALSE.has(v.toLowerCase())) return false;
      return v;
    case 'int':
    case 'number':
      if (PLAIN_NUMBER.test(v)) return Number(v);
      return profile.thousands && GROUPED_NUMBER.test(v) ? Number(v.replace(/,/g, '')) : v;
    case 'json':
      try {
        return JSON.parse(v);
      } catch {
        return v;
      }
  }
}

/** A workbook cell as its written text (a date as YYYY-MM-DD): what a dead letter keeps of it. */
export function sheetCellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}

/**
 * Reads one workbook cell (text, number, boolean or date, as the workbook typed it) as its column
 * and the profile say. A number or a date is taken as typed where the column wants one; anything
 * else is read as its text.
 */
export function readSheetCell(v: unknown, column: Column, profile: ExportProfile = STANDARD_PROFILE): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' && (column.kind === 'int' || column.kind === 'number')) return v;
  if (typeof v === 'boolean' && column.kind === 'bool') return v;
  if (v instanceof Date && column.kind === 'date') return v.toISOString().slice(0, 10);
  return readCell(sheetCellText(v), column, profile);
}
