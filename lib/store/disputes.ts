/**
 * Disputes (异议), a repository of the store: filed by a business over its type or a 名特优新
 * outcome, read by id, listed in pages by status, region or business, and claimed by one
 * regulator when it closes them. One SQL for both drivers.
 */
import type { Sql } from './store.js';

/** A dispute as stored (dates as YYYY-MM-DD text, times as the driver gives them). */
export type DisputeRow = Record<string, unknown>;

const COLUMNS = `id, seq, credit_code, filed_by, claim, status, resolution, resolved_by, subject, year,
  respond_by::text as respond_by, coalesce(region, substr(credit_code, 3, 6)) as region, filed_at, resolved_at`;

/** The disputes table. */
export class Disputes {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /** Files a dispute over the business's type, or over a 名特优新 outcome of `year`; the reply is due by `respondBy`. */
  async file(d: {
    id: string;
    creditCode: string;
    filedBy: string;
    claim: string;
    subject?: 'type' | 'mtyx';
    year?: number | null;
    respondBy?: string | null;
    region?: string | null;
  }): Promise<void> {
    await this.#sql.query(
      `insert into disputes (id, credit_code, filed_by, claim, status, subject, year, respond_by, region)
       values ($1, $2, $3, $4, 'open', $5, $6, $7, $8)`,
      [
        d.id,
        d.creditCode,
        d.filedBy,
        d.claim,
        d.subject ?? 'type',
        d.year ?? null,
        d.respondBy ?? null,
        d.region ?? d.creditCode.slice(2, 8),
      ],
    );
  }

  /** One dispute by its id, whatever its status; null when there is none. */
  async byId(id: string): Promise<DisputeRow | null> {
    return (await this.#sql.query(`select ${COLUMNS} from disputes where id = $1`, [id])).rows[0] ?? null;
  }

  /** How many disputes of a business over `subject` are open. */
  async openCount(creditCode: string, subject: 'type' | 'mtyx'): Promise<number> {
    const r = await this.#sql.query<{ n: unknown }>(
      "select count(*) as n from disputes where credit_code = $1 and subject = $2 and status = 'open'",
      [creditCode, subject],
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  /**
   * A page of disputes, newest filed first: optionally by status, within a region (a district,
   * XX0000 for a province, 000000 for all), or of one business; `before` is the `seq` of the last
   * dispute of the page before. Dates as YYYY-MM-DD text.
   */
  async list(
    o: { status?: string; region?: string | null; creditCode?: string; before?: number; limit?: number } = {},
  ): Promise<DisputeRow[]> {
    const region = o.region ?? null;
    return (
      await this.#sql.query(
        `select ${COLUMNS}
         from disputes
         where ($1::text is null or status = $1)
           and ($2::text is null or $2 = '000000' or coalesce(region, substr(credit_code, 3, 6)) like $3)
           and ($4::text is null or credit_code = $4)
           and ($5::bigint is null or seq < $5)
         order by seq desc limit $6`,
        [
          o.status ?? null,
          region,
          region === null ? null : region.endsWith('0000') ? `${region.slice(0, 2)}%` : region,
          o.creditCode ?? null,
          o.before ?? null,
          o.limit ?? 100,
        ],
      )
    ).rows;
  }

  /**
   * Closes an open dispute for `resolvedBy`: the one call that finds it open claims it; any other,
   * at the same moment or after, gets null.
   */
  async resolve(
    id: string,
    status: 'upheld' | 'adjusted',
    resolution: string,
    resolvedBy: string | null = null,
  ): Promise<DisputeRow | null> {
    const r = await this.#sql.query(
      `update disputes set status = $2, resolution = $3, resolved_by = $4, resolved_at = now()
       where id = $1 and status = 'open' returning ${COLUMNS}`,
      [id, status, resolution, resolvedBy],
    );
    return r.rows[0] ?? null;
  }

  /** Opens again a dispute whose resolution could not be carried out (its adjustment was not sent). */
  async reopen(id: string): Promise<void> {
    await this.#sql.query(
      "update disputes set status = 'open', resolution = null, resolved_by = null, resolved_at = null where id = $1",
      [id],
    );
  }
}
