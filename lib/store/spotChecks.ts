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

/** A draw's commitment: the SHA-256 of a secret the server made, published before the draw. */
export interface SpotCheckCommitment {
  readonly area: string;
  readonly year: number;
  /** Kept until the draw reveals it; never answered before. */
  readonly secret: string;
  /** Hexadecimal SHA-256 of the secret. */
  readonly commitment: string;
  readonly committedBy: string;
  readonly committedAt: string;
  /** The public value the draw mixed in, once drawn. */
  readonly publicValue: string | null;
}

/** The spot_check_draws table, and the commitments made before the draws. */
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
  /**
   * Keeps the commitment of an area's draw of a year, once: a second call answers the first
   * commitment, so no one can make the server choose again.
   */
  async commit(c: Omit<SpotCheckCommitment, 'committedAt' | 'publicValue'>): Promise<SpotCheckCommitment> {
    await this.#sql.query(
      `insert into spot_check_commitments (area, year, secret, commitment, committed_by) values ($1, $2, $3, $4, $5)
       on conflict (area, year) do nothing`,
      [c.area, c.year, c.secret, c.commitment, c.committedBy],
    );
    return (await this.commitment(c.area, c.year)) as SpotCheckCommitment;
  }

  /** The commitment of an area's draw of a year, if one was made. */
  async commitment(area: string, year: number): Promise<SpotCheckCommitment | null> {
    const r = (
      await this.#sql.query<Record<string, unknown>>(
        `select area, year, secret, commitment, committed_by, ${isoText('committed_at')} as committed_at, public_value
         from spot_check_commitments where area = $1 and year = $2`,
        [area, year],
      )
    ).rows[0];
    return r === undefined
      ? null
      : {
          area: r.area as string,
          year: Number(r.year),
          secret: r.secret as string,
          commitment: r.commitment as string,
          committedBy: r.committed_by as string,
          committedAt: r.committed_at as string,
          publicValue: (r.public_value as string | null) ?? null,
        };
  }

  /** Records the public value a draw mixed with the commitment's secret (once). */
  async reveal(area: string, year: number, publicValue: string): Promise<void> {
    await this.#sql.query(
      'update spot_check_commitments set public_value = $3 where area = $1 and year = $2 and public_value is null',
      [area, year, publicValue],
    );
  }

  async of(area: string, year: number): Promise<SpotCheckRecord | null> {
    const r = await this.#sql.query<Row>(`select ${COLUMNS} from spot_check_draws where area = $1 and year = $2`, [area, year]);
    return r.rows[0] === undefined ? null : toRecord(r.rows[0]);
  }
}
