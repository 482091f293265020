/**
 * Disputes (异议), a repository of the store: filed by a business over its type or a 名特优新
 * outcome, listed by status, region or business, and closed by a regulator. One SQL for both drivers.
 */
import type { Sql } from './store.js';

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

  /**
   * Disputes, newest first: optionally by status, within a region (a district, XX0000 for a
   * province), or of one business. Dates as YYYY-MM-DD text.
   */
  async list(
    o: { status?: string; region?: string | null; creditCode?: string } | string = {},
  ): Promise<Record<string, unknown>[]> {
    const f = typeof o === 'string' ? { status: o } : o;
    const region = f.region ?? null;
    return (
      await this.#sql.query(
        `select id, credit_code, filed_by, claim, status, resolution, subject, year, respond_by::text as respond_by,
                coalesce(region, substr(credit_code, 3, 6)) as region, filed_at, resolved_at
         from disputes
         where ($1::text is null or status = $1)
           and ($2::text is null or $2 = '000000' or coalesce(region, substr(credit_code, 3, 6)) like $3)
           and ($4::text is null or credit_code = $4)
         order by filed_at desc limit 500`,
        [
          f.status ?? null,
          region,
          region === null ? null : region.endsWith('0000') ? `${region.slice(0, 2)}%` : region,
          f.creditCode ?? null,
        ],
      )
    ).rows;
  }

  /** Closes an open dispute; false when it is not open. */
  async resolve(id: string, status: 'upheld' | 'adjusted', resolution: string): Promise<Record<string, unknown> | null> {
    const r = await this.#sql.query(
      "update disputes set status = $2, resolution = $3, resolved_at = now() where id = $1 and status = 'open' returning *",
      [id, status, resolution],
    );
    return r.rows[0] ?? null;
  }
}
