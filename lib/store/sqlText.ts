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
