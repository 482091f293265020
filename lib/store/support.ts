/**
 * What each business is owed (精准帮扶), a repository of the store: one row a business, from the
 * support topic. A row is replaced only by a decision at least as recent (a later or equal
 * as-of date), so a replay of an older run changes nothing. One SQL for both drivers; DATE read as text.
 */
import { areaPattern } from './areas.js';
import { isoText, jsonColumn } from './sqlText.js';
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

const toRow = (r: Row): SupportOwedRow => ({
  creditCode: r.credit_code,
  decisionId: r.decision_id,
  region: r.region,
  asOf: r.as_of,
  type: r.type,
  mtyxBasicEligible: r.mtyx_basic_eligible,
  catalogue: r.catalogue,
  runId: r.run_id,
  measures: jsonColumn<Record<string, unknown>[]>(r.measures),
  ifRecognised: jsonColumn<Record<string, unknown>[]>(r.if_recognised),
});

/** The support_owed table. */
export class SupportOwed {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /**
   * Records what businesses are owed, in the order the decisions were published (as the
   * decisions themselves are: the store's applyDecisions): the last of a business stands.
   * Idempotent.
   */
  async apply(rows: readonly SupportOwedRow[]): Promise<void> {
    if (rows.length === 0) return;
    // The last of each business in the batch (a batch may hold two decisions of one business).
    const list = [...new Map(rows.map((r) => [r.creditCode, r])).values()];
    await this.#sql.query(
      `insert into support_owed (credit_code, decision_id, region, as_of, type, mtyx_basic_eligible, catalogue, run_id, measures, if_recognised)
       select * from jsonb_to_recordset($1::jsonb) as x(credit_code text, decision_id text, region text, as_of date,
         type text, mtyx_basic_eligible boolean, catalogue text, run_id text, measures jsonb, if_recognised jsonb)
       on conflict (credit_code) do update set decision_id = excluded.decision_id, region = excluded.region,
         as_of = excluded.as_of, type = excluded.type, mtyx_basic_eligible = excluded.mtyx_basic_eligible,
         catalogue = excluded.catalogue, run_id = excluded.run_id, measures = excluded.measures,
         if_recognised = excluded.if_recognised, updated_at = now()
       where excluded.decision_id <> support_owed.decision_id`,
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

  /**
   * The rows of an area (a district; XX0000 a province; 000000 everywhere), in credit-code order,
   * after `after`, at most `limit`.
   */
  async page(area: string, after: string, limit: number): Promise<SupportOwedRow[]> {
    const pattern = areaPattern(area);
    const r = await this.#sql.query<Row>(
      `select ${COLUMNS} from support_owed where region like $1 and credit_code > $2 order by credit_code limit $3`,
      [pattern, after, limit],
    );
    return r.rows.map(toRow);
  }

  /** The current type of each business of an area (the population of a spot-check draw). */
  async typesIn(area: string): Promise<{ creditCode: string; type: string }[]> {
    const r = await this.#sql.query<{ credit_code: string; type: string }>(
      'select credit_code, type from support_owed where region like $1 order by credit_code',
      [areaPattern(area)],
    );
    return r.rows.map((x) => ({ creditCode: x.credit_code, type: x.type }));
  }

  /** Records what a department did with a measure (the latest record stands). */
  async recordDelivery(d: Omit<Delivery, 'recordedAt'>): Promise<Delivery> {
    const r = await this.#sql.query<DeliveryDbRow>(
      `insert into support_deliveries (credit_code, measure_id, department, status, on_date, note, recorded_by)
       values ($1, $2, $3, $4, $5::date, $6, $7)
       on conflict (credit_code, measure_id, department) do update set status = excluded.status,
         on_date = excluded.on_date, note = excluded.note, recorded_by = excluded.recorded_by, recorded_at = now()
       returning ${DELIVERY_COLUMNS}`,
      [d.creditCode, d.measureId, d.department, d.status, d.on, d.note, d.recordedBy],
    );
    return toDelivery(r.rows[0] as DeliveryDbRow);
  }

  /** A department's records for some businesses. */
  async deliveries(department: string, creditCodes: readonly string[]): Promise<Delivery[]> {
    if (creditCodes.length === 0) return [];
    const r = await this.#sql.query<DeliveryDbRow>(
      `select ${DELIVERY_COLUMNS} from support_deliveries where department = $1 and credit_code = any($2::text[])`,
      [department, creditCodes],
    );
    return r.rows.map(toDelivery);
  }
}

/** What a department did with a measure owed to a business. */
export interface Delivery {
  readonly creditCode: string;
  readonly measureId: string;
  readonly department: string;
  readonly status: 'delivered' | 'declined' | 'unreachable';
  /** YYYY-MM-DD. */
  readonly on: string;
  readonly note: string | null;
  readonly recordedBy: string;
  readonly recordedAt: string;
}

interface DeliveryDbRow {
  readonly credit_code: string;
  readonly measure_id: string;
  readonly department: string;
  readonly status: Delivery['status'];
  readonly on_date: string;
  readonly note: string | null;
  readonly recorded_by: string;
  readonly recorded_at: string;
}

const DELIVERY_COLUMNS = `credit_code, measure_id, department, status, on_date::text as on_date, note, recorded_by,
  ${isoText('recorded_at')} as recorded_at`;

const toDelivery = (r: DeliveryDbRow): Delivery => ({
  creditCode: r.credit_code,
  measureId: r.measure_id,
  department: r.department,
  status: r.status,
  on: r.on_date,
  note: r.note,
  recordedBy: r.recorded_by,
  recordedAt: r.recorded_at,
});
