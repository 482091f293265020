/** How the store's SQL writes times as text, and reads JSON columns: one form for both drivers. */

/** An SQL expression giving `expr` (a timestamptz) as ISO 8601 UTC text with microseconds. */
export const isoText = (expr: string): string => `to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** A driver's time value (a Date, or text) as ISO 8601, or null. */
export const isoOrNull = (v: unknown): string | null =>
  v === null || v === undefined ? null : (v instanceof Date ? v : new Date(String(v))).toISOString();

/** A json/jsonb column's value: node-pg parses it, PGlite's worker may hand over its text. */
export const jsonColumn = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** A DATE column's value: its text as both drivers are set to read it (YYYY-MM-DD). */
export const dateText = (v: unknown): string => String(v).slice(0, 10);

/**
 * Each recognition with the latest change that falls within it (on or after its first day), as
 * `effective_status` and `effective_reason`, and the business's region; a later round that
 * recognises the business again starts after that change, which then no longer applies.
 */
export const RECOGNITION_SELECT = `
  select r.*, b.region, coalesce(c.status, r.status) as effective_status, coalesce(c.reason, r.reason) as effective_reason
  from recognitions r
  left join businesses b on b.credit_code = r.credit_code
  left join lateral (
    select status, reason from recognition_changes c
    where c.credit_code = r.credit_code and c.changed_on >= r.valid_from
    order by c.changed_on desc, c.recorded_at desc, c.seq desc limit 1) c on true`;
