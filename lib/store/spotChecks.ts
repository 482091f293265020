/**
 * The year's 双随机、一公开 draws, a repository of the store: one per area and year, made once,
 * kept with its seed, its ratios and its list so that anyone can check it. One SQL for both drivers.
 */
import { GetihuError } from '../errors.js';
import { isoText, jsonColumn } from './sqlText.js';
import type { Sql } from './store.js';

/** A draw as kept. */
export interface SpotCheckRecord {
  readonly area: string;
  readonly year: number;
  readonly seed: string;
  readonly catalogue: string;
  readonly rule: unknown;
  readonly summary: readonly object[];
  readonly list: readonly object[];
  readonly drawnBy: string;
  readonly drawnAt: string;
}

interface Row {
  readonly area: string;
  readonly year: number;
  readonly seed: string;
  readonly catalogue: string;
  readonly rule: unknown;
  readonly summary: unknown;
  readonly list: unknown;
  readonly drawn_by: string;
  readonly drawn_at: string;
}

const COLUMNS = `area, year, seed, catalogue, rule, summary, list, drawn_by,
  ${isoText('drawn_at')} as drawn_at`;

const toRecord = (r: Row): SpotCheckRecord => ({
  area: r.area,
  year: Number(r.year),
  seed: r.seed,
  catalogue: r.catalogue,
  rule: jsonColumn(r.rule),
  summary: jsonColumn(r.summary),
  list: jsonColumn(r.list),
  drawnBy: r.drawn_by,
  drawnAt: r.drawn_at,
});

/** The spot_check_draws table. */
export class SpotChecks {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /**
   * Keeps a draw.
   * @throws GetihuError `CONFLICT` when the area's draw of that year was made already: a draw is
   * not made again with another seed.
   */
  async record(d: Omit<SpotCheckRecord, 'drawnAt'>): Promise<SpotCheckRecord> {
    const r = await this.#sql.query<Row>(
      `insert into spot_check_draws (area, year, seed, catalogue, rule, summary, list, drawn_by)
       values ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8)
       on conflict (area, year) do nothing returning ${COLUMNS}`,
      [d.area, d.year, d.seed, d.catalogue, JSON.stringify(d.rule), JSON.stringify(d.summary), JSON.stringify(d.list), d.drawnBy],
    );
    if (r.rows[0] === undefined)
      throw new GetihuError('CONFLICT', `the ${d.year} draw of ${d.area} was made already; a draw is made once`);
    return toRecord(r.rows[0]);
  }

  /** The draw of an area and year, or null. */
  async of(area: string, year: number): Promise<SpotCheckRecord | null> {
    const r = await this.#sql.query<Row>(`select ${COLUMNS} from spot_check_draws where area = $1 and year = $2`, [area, year]);
    return r.rows[0] === undefined ? null : toRecord(r.rows[0]);
  }
}
