/**
 * What the programme publishes, a repository of the store: the objections the public raises
 * against a 名特优新 candidate under 信息公示, and the register's types and recognitions page by
 * page for the national 个体工商户名录. One SQL for both drivers; DATE and TIMESTAMPTZ read as text.
 */
import { areaPattern } from './areas.js';
import { isoText, RECOGNITION_SELECT } from './sqlText.js';
import type { Sql } from './store.js';

/** An objection raised against a candidate during its public notice. */
export interface ObjectionRow {
  readonly id: string;
  readonly creditCode: string;
  readonly year: number;
  readonly reason: string;
  /** How the objector may be reached; shown to the regulator only. */
  readonly contact: string | null;
  readonly receivedAt: string;
}

/** One business of the register as the national 名录 takes it. */
export interface DirectoryRow {
  readonly creditCode: string;
  readonly name: string | null;
  readonly region: string;
  readonly type: string;
  readonly label: string;
  readonly asOf: string;
  readonly ruleset: string;
  readonly category: string | null;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  readonly recognitionStatus: string | null;
}

/** The mtyx_objections table, and the register read for the 名录. */
export class Publication {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /** Keeps an objection. */
  async recordObjection(o: Omit<ObjectionRow, 'receivedAt'>): Promise<ObjectionRow> {
    const r = await this.#sql.query<{ received_at: string }>(
      `insert into mtyx_objections (id, credit_code, year, reason, contact) values ($1, $2, $3, $4, $5)
       returning ${isoText('received_at')} as received_at`,
      [o.id, o.creditCode, o.year, o.reason, o.contact],
    );
    return { ...o, receivedAt: (r.rows[0] as { received_at: string }).received_at };
  }

  /** The objections raised in `year` against candidates of `area`, oldest first. */
  async objectionsIn(area: string, year: number): Promise<ObjectionRow[]> {
    const r = await this.#sql.query<{
      id: string;
      credit_code: string;
      year: number;
      reason: string;
      contact: string | null;
      received_at: string;
    }>(
      `select o.id, o.credit_code, o.year, o.reason, o.contact, ${isoText('o.received_at')} as received_at
       from mtyx_objections o left join businesses b on b.credit_code = o.credit_code
       where o.year = $1 and coalesce(b.region, substr(o.credit_code, 3, 6)) like $2
       order by o.received_at, o.id`,
      [year, areaPattern(area)],
    );
    return r.rows.map((x) => ({
      id: x.id,
      creditCode: x.credit_code,
      year: Number(x.year),
      reason: x.reason,
      contact: x.contact,
      receivedAt: x.received_at,
    }));
  }

  /**
   * The register of `area` as the 名录 takes it: each business's current decision, with its
   * recognition and the recognition's status as changes made it, `limit` at a time after `after`
   * (a credit code), in credit-code order.
   */
  async directory(area: string, after: string, limit: number): Promise<DirectoryRow[]> {
    const r = await this.#sql.query<{
      credit_code: string;
      name: string | null;
      region: string;
      type: string;
      label: string;
      as_of: string;
      ruleset: string;
      category: string | null;
      valid_from: string | null;
      valid_until: string | null;
      status: string | null;
    }>(
      `select d.credit_code, b.name, d.region, d.type, d.label, d.as_of::text as as_of, d.ruleset,
         r.category, r.valid_from::text as valid_from, r.valid_until::text as valid_until, r.effective_status as status
       from decisions d
       left join businesses b on b.credit_code = d.credit_code
       left join (${RECOGNITION_SELECT}) r on r.credit_code = d.credit_code
       where d.region like $1 and d.credit_code > $2
       order by d.credit_code
       limit $3`,
      [areaPattern(area), after, limit],
    );
    return r.rows.map((x) => ({
      creditCode: x.credit_code,
      name: x.name,
      region: x.region,
      type: x.type,
      label: x.label,
      asOf: x.as_of,
      ruleset: x.ruleset,
      category: x.category,
      validFrom: x.valid_from,
      validUntil: x.valid_until,
      recognitionStatus: x.status,
    }));
  }
}
