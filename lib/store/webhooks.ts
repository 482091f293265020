/**
 * Banks' webhooks for the corrections to the tags they read, a repository of the store: the
 * endpoint, its sealed secret and its cursor; claimed by the deliverers with a lease, so that
 * gateways sharing a database never deliver one twice at once. One SQL for both drivers.
 */
import type { CorrectionPosition } from './corrections.js';
import { isoOrNull, isoText } from './sqlText.js';
import type { Sql } from './store.js';

/** A bank's webhook for corrections, with where its deliveries stand. */
export interface Webhook {
  readonly subject: string;
  readonly id: string;
  readonly url: string;
  readonly secret: string;
  /** Delivered up to here. */
  readonly cursor: CorrectionPosition;
  /** Failed attempts since the last delivery. */
  readonly failures: number;
  readonly nextAttemptAt: string;
  readonly lastAttemptAt: string | null;
  readonly lastDeliveredAt: string | null;
  readonly lastError: string | null;
  readonly createdAt: string;
}

function toWebhook(r: Record<string, unknown>): Webhook {
  return {
    subject: r.subject as string,
    id: r.id as string,
    url: r.url as string,
    secret: r.secret as string,
    cursor: {
      recordedAt: r.cursor_at as string,
      creditCode: r.cursor_code as string,
      kind: Number(r.cursor_kind) === 1 ? 1 : 0,
      seq: r.cursor_seq == null ? null : Number(r.cursor_seq),
    },
    failures: Number(r.failures),
    nextAttemptAt: isoOrNull(r.next_attempt) as string,
    lastAttemptAt: isoOrNull(r.last_attempt_at),
    lastDeliveredAt: isoOrNull(r.last_delivered_at),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: isoOrNull(r.created_at) as string,
  };
}

/** The webhooks table. */
export class Webhooks {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /**
   * Registers (or replaces) `subject`'s webhook; deliveries start after `from`, or after now.
   * A replacement gets a new id, so deliveries under way for the old one cannot move its cursor.
   */
  async put(w: { subject: string; id: string; url: string; secret: string; from?: CorrectionPosition }): Promise<Webhook> {
    const r = (
      await this.#sql.query(
        `insert into webhooks (subject, id, url, secret, cursor_at, cursor_code, cursor_kind, cursor_seq)
         values ($1, $2, $3, $4, coalesce($5, ${isoText('now()')}), $6, $7, $8)
         on conflict (subject) do update set id = excluded.id, url = excluded.url, secret = excluded.secret,
           cursor_at = excluded.cursor_at, cursor_code = excluded.cursor_code, cursor_kind = excluded.cursor_kind,
           cursor_seq = excluded.cursor_seq,
           failures = 0, next_attempt = now(), last_attempt_at = null, last_delivered_at = null, last_error = null,
           created_at = now()
         returning *`,
        [
          w.subject,
          w.id,
          w.url,
          w.secret,
          w.from?.recordedAt ?? null,
          w.from?.creditCode ?? '',
          w.from?.kind ?? 0,
          w.from?.seq ?? null,
        ],
      )
    ).rows[0];
    return toWebhook(r as Record<string, unknown>);
  }

  /** `subject`'s webhook, if it has one. */
  async of(subject: string): Promise<Webhook | null> {
    const r = (await this.#sql.query('select * from webhooks where subject = $1', [subject])).rows[0];
    return r === undefined ? null : toWebhook(r);
  }

  /** Removes `subject`'s webhook; false when it had none. */
  async delete(subject: string): Promise<boolean> {
    return (await this.#sql.query('delete from webhooks where subject = $1 returning subject', [subject])).rows.length > 0;
  }

  /**
   * Claims up to `limit` webhooks that are due (by `dueBefore`, else now), for `leaseSeconds`:
   * until then no other claim (by this gateway or another on the same database) takes them. The
   * claimer settles each with `webhookAdvanced` and `webhookSettled`. `at` is the claim's time, as
   * the database tells it: claims that carry on the same round pass it as `dueBefore`, so that
   * endpoints settled since (due again at once) wait for the next round.
   */
  async claim(leaseSeconds: number, limit: number, dueBefore?: string): Promise<{ at: string; due: Webhook[] }> {
    const rows = (
      await this.#sql.query(
        `update webhooks set next_attempt = now() + make_interval(secs => $1)
         where subject in (select subject from webhooks where next_attempt <= coalesce($3::timestamptz, now())
                           order by next_attempt limit $2 for update skip locked)
         returning *, ${isoText('now()')} as claimed_at`,
        [leaseSeconds, limit, dueBefore ?? null],
      )
    ).rows;
    return { at: (rows[0]?.claimed_at as string | undefined) ?? dueBefore ?? new Date().toISOString(), due: rows.map(toWebhook) };
  }

  /** Moves a webhook's cursor after a delivery its receiver acknowledged. */
  async advanced(subject: string, id: string, to: CorrectionPosition): Promise<void> {
    await this.#sql.query(
      `update webhooks set cursor_at = $3, cursor_code = $4, cursor_kind = $5, cursor_seq = $6, last_delivered_at = now(),
         failures = 0, last_error = null
       where subject = $1 and id = $2`,
      [subject, id, to.recordedAt, to.creditCode, to.kind, to.seq],
    );
  }

  /** Ends a claim: due again at once, or after `retryInMs` with the failure recorded. */
  async settled(
    subject: string,
    id: string,
    outcome: { attempted: boolean } | { error: string; retryInMs: number },
  ): Promise<void> {
    if ('error' in outcome)
      await this.#sql.query(
        `update webhooks set next_attempt = now() + make_interval(secs => $3::float8), failures = failures + 1, last_error = $4,
           last_attempt_at = now() where subject = $1 and id = $2`,
        [subject, id, outcome.retryInMs / 1000, outcome.error],
      );
    else
      await this.#sql.query(
        `update webhooks set next_attempt = now(), last_attempt_at = case when $3::boolean then now() else last_attempt_at end
         where subject = $1 and id = $2`,
        [subject, id, outcome.attempted],
      );
  }
}
