/**
 * Corrections, a repository of the store: what changed about the businesses a caller read (new
 * typing decisions, badge status changes), in recorded order from a position, for the gateway's
 * correction feeds, event streams and webhooks. One SQL for both drivers.
 */
import { dateText, isoText } from './sqlText.js';
import type { RecognitionRow, Sql } from './store.js';

/** A change to a tag a bank fetched: a new typing decision or a badge status change. */
export type Correction =
  | {
      readonly change: 'typing';
      readonly creditCode: string;
      readonly type: string;
      readonly label: string;
      readonly asOf: string;
      readonly runId: string | null;
      readonly recordedAt: string;
    }
  | {
      readonly change: 'recognition';
      readonly creditCode: string;
      readonly status: RecognitionRow['status'];
      readonly category: string;
      readonly validUntil: string;
      readonly asOf: string;
      readonly reason: string;
      readonly recordedAt: string;
    };

/**
 * Where a reader of corrections stands: after this change. Changes are read in the order
 * (recorded time, credit code, kind, sequence): one statement records its rows at one time, so
 * two changes of one business in one batch differ only by the sequence they were recorded in.
 */
export interface CorrectionPosition {
  readonly recordedAt: string;
  readonly creditCode: string;
  /** 0 typing, 1 recognition. */
  readonly kind: 0 | 1;
  /**
   * The change's place in the order its kind was recorded in; null after every change of that
   * time, business and kind (a position given before the sequence was part of it).
   */
  readonly seq: number | null;
}

/** The greatest sequence: a position without one stands after every change of its time, business and kind. */
const MAX_SEQ = '9223372036854775807';

/**
 * Whether position `x` comes before `y` (time, then credit code, then kind, then sequence). Times
 * are ISO 8601 texts of one form (microseconds, UTC), so they compare as text.
 */
function positionBefore(x: CorrectionPosition, y: CorrectionPosition): boolean {
  if (x.recordedAt !== y.recordedAt) return x.recordedAt < y.recordedAt;
  if (x.creditCode !== y.creditCode) return x.creditCode < y.creditCode;
  if (x.kind !== y.kind) return x.kind < y.kind;
  return (x.seq ?? Number.POSITIVE_INFINITY) < (y.seq ?? Number.POSITIVE_INFINITY);
}

/** A correction, and the position after it. */
export interface PositionedCorrection {
  readonly correction: Correction;
  readonly position: CorrectionPosition;
}

/** The corrections read from the decision history and the recognition changes. */
export class Corrections {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /**
   * What changed about the businesses `subject` read through `actions` — changes recorded after
   * its first such read that was answered (a refused read, or one of a code without a decision,
   * is no read of the tag): new typing decisions (runs, dispute adjustments) and badge status changes
   * (expired, cancelled, revoked). In recorded order, after `after` (the position of the last
   * change already seen; see `CorrectionPosition`), at most `limit`, each with its position.
   */
  async after(
    subject: string,
    actions: readonly string[],
    after: CorrectionPosition,
    limit = 500,
  ): Promise<PositionedCorrection[]> {
    const reads = `select credit_code, min(at) as first_read from audit_log
                   where subject = $1 and action = any($2::text[]) and credit_code is not null
                     and (outcome = 'ok' or outcome like 'ok %') group by credit_code`;
    // A position without a sequence stands after every change of its time, business and kind.
    const seq = after.seq === null ? MAX_SEQ : String(after.seq);
    const params = [subject, [...actions], after.recordedAt, after.creditCode, after.kind, limit, seq];
    // Each kind's changes after the position, in the order positions compare (see positionBefore).
    const changes = async (table: string, kind: 0 | 1, columns: string) =>
      (
        await this.#sql.query(
          `select ${columns}, x.credit_code, x.seq, ${isoText('x.recorded_at')} as recorded_at
           from ${table} x join (${reads}) a on a.credit_code = x.credit_code
           where x.recorded_at > a.first_read
             and (x.recorded_at, x.credit_code, ${kind}, x.seq) > ($3::timestamptz, $4::text, $5::int, $7::bigint)
           order by x.recorded_at, x.credit_code, x.seq limit $6`,
          params,
        )
      ).rows;
    const typing = await changes('decision_history', 0, 'x.type, x.label, x.effective_from, x.run_id');
    const badges = await changes('recognition_changes', 1, 'x.status, x.category, x.valid_until, x.changed_on, x.reason');
    const at = (r: Record<string, unknown>, kind: 0 | 1): CorrectionPosition => ({
      recordedAt: r.recorded_at as string,
      creditCode: r.credit_code as string,
      kind,
      seq: Number(r.seq),
    });
    const all: PositionedCorrection[] = [
      ...typing.map((r) => ({
        correction: {
          change: 'typing' as const,
          creditCode: r.credit_code as string,
          type: r.type as string,
          label: r.label as string,
          asOf: dateText(r.effective_from),
          runId: (r.run_id as string | null) ?? null,
          recordedAt: r.recorded_at as string,
        },
        position: at(r, 0),
      })),
      ...badges.map((r) => ({
        correction: {
          change: 'recognition' as const,
          creditCode: r.credit_code as string,
          status: r.status as RecognitionRow['status'],
          category: r.category as string,
          validUntil: dateText(r.valid_until),
          asOf: dateText(r.changed_on),
          reason: r.reason as string,
          recordedAt: r.recorded_at as string,
        },
        position: at(r, 1),
      })),
    ];
    all.sort((x, y) => (positionBefore(x.position, y.position) ? -1 : 1));
    // Each list is complete up to its last row; past the earlier of two cut lists, rows may be missing.
    const lastOf = (kind: 0 | 1, rows: unknown[]) =>
      rows.length === limit ? all.findLast((c) => c.position.kind === kind)?.position : undefined;
    const cuts = [lastOf(0, typing), lastOf(1, badges)]
      .filter((c): c is CorrectionPosition => c !== undefined)
      .sort((x, y) => (positionBefore(x, y) ? -1 : 1));
    const cut = cuts[0];
    return all.filter((c) => cut === undefined || !positionBefore(cut, c.position)).slice(0, limit);
  }
}
