/**
 * What each business is owed (精准帮扶), a repository of the store: one row a business, from the
 * support topic. A row is replaced only by a decision at least as recent (a later or equal
 * as-of date), so a replay of an older run changes nothing. One SQL for both drivers; DATE read as text.
 */
import type { Sql } from './store.js';

/** A business's measures by type and facts, as the support topic carried them. */
export interface SupportOwedRow {
  readonly creditCode: string;
  readonly decisionId: string;
  readonly region: string;
  /** YYYY-MM-DD. */
  readonly asOf: string;
  readonly type: string;
  readonly mtyxBasicEligible: boolean;
  readonly catalogue: string;
  readonly runId: string | null;
  readonly measures: readonly Record<string, unknown>[];
  /** What a recognition would add (the types it also gives), tested on the decision's facts. */
  readonly ifRecognised: readonly Record<string, unknown>[];
}

interface Row {
  readonly credit_code: string;
  readonly decision_id: string;
  readonly region: string;
  readonly as_of: string;
  readonly type: string;
  readonly mtyx_basic_eligible: boolean;
  readonly catalogue: string;
  readonly run_id: string | null;
  readonly measures: unknown;
  readonly if_recognised: unknown;
}

const COLUMNS =
  'credit_code, decision_id, region, as_of::text as as_of, type, mtyx_basic_eligible, catalogue, run_id, measures, if_recognised';

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>[];

const toRow = (r: Row): SupportOwedRow => ({
  creditCode: r.credit_code,
  decisionId: r.decision_id,
  region: r.region,
  asOf: r.as_of,
  type: r.type,
  mtyxBasicEligible: r.mtyx_basic_eligible,
  catalogue: r.catalogue,
  runId: r.run_id,
  measures: json(r.measures),
  ifRecognised: json(r.if_recognised),
});

/** The support_owed table. */
export class SupportOwed {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /** Records what businesses are owed; a row stands until a decision at least as recent replaces it. Idempotent. */
  async apply(rows: readonly SupportOwedRow[]): Promise<void> {
    if (rows.length === 0) return;
    // The newest of each business in the batch (a batch may hold two decisions of one business).
    const last = new Map<string, SupportOwedRow>();
    for (const r of rows) {
      const held = last.get(r.creditCode);
      if (held === undefined || r.asOf >= held.asOf) last.set(r.creditCode, r);
    }
    const list = [...last.values()];
    await this.#sql.query(
      `insert into support_owed (credit_code, decision_id, region, as_of, type, mtyx_basic_eligible, catalogue, run_id, measures, if_recognised)
       select * from jsonb_to_recordset($1::jsonb) as x(credit_code text, decision_id text, region text, as_of date,
         type text, mtyx_basic_eligible boolean, catalogue text, run_id text, measures jsonb, if_recognised jsonb)
       on conflict (credit_code) do update set decision_id = excluded.decision_id, region = excluded.region,
         as_of = excluded.as_of, type = excluded.type, mtyx_basic_eligible = excluded.mtyx_basic_eligible,
         catalogue = excluded.catalogue, run_id = excluded.run_id, measures = excluded.measures,
         if_recognised = excluded.if_recognised, updated_at = now()
       where excluded.as_of >= support_owed.as_of`,
      [
        JSON.stringify(
          list.map((r) => ({
            credit_code: r.creditCode,
            decision_id: r.decisionId,
            region: r.region,
            as_of: r.asOf,
            type: r.type,
            mtyx_basic_eligible: r.mtyxBasicEligible,
            catalogue: r.catalogue,
            run_id: r.runId,
            measures: r.measures,
            if_recognised: r.ifRecognised,
          })),
        ),
      ],
    );
  }

  /** What a business is owed by its current decision, or null. */
  async of(creditCode: string): Promise<SupportOwedRow | null> {
    const r = await this.#sql.query<Row>(`select ${COLUMNS} from support_owed where credit_code = $1`, [creditCode]);
    return r.rows[0] === undefined ? null : toRow(r.rows[0]);
  }
}
