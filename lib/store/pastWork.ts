/**
 * Past typing runs and 名特优新 rounds of an area, newest first, a repository of the store: what the
 * regulator's console lists under its overview. A run or round counts for an area when its own
 * area lies within it (a province's regulator sees its districts' runs and its own; a district's,
 * its own only). One SQL for both drivers.
 */
import { areaPattern } from './areas.js';
import { dateText, isoOrNull, jsonColumn } from './sqlText.js';
import type { Sql } from './store.js';

/** A typing run, as its summary was recorded. */
export interface PastRun {
  readonly runId: string;
  readonly area: string;
  /** YYYY-MM-DD */
  readonly asOf: string;
  readonly ruleset: string;
  readonly status: string;
  /** Decisions by type, once the run is complete. */
  readonly counts: unknown;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
}

/** A 名特优新 round: its area and year, its decision day, and its candidates by outcome. */
export interface PastRound {
  readonly roundId: string;
  readonly area: string;
  readonly year: number;
  readonly decidedOn: string | null;
  readonly outcomes: Readonly<Record<string, number>>;
}

/** The runs table and the rounds recorded in mtyx_outcomes. */
export class PastWork {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /** The runs within `area`, newest first, at most `limit`. */
  async runs(area: string, limit: number): Promise<PastRun[]> {
    const r = await this.#sql.query<Record<string, unknown>>(
      `select run_id, area, as_of, ruleset, status, counts, started_at, completed_at from runs
       where area like $1 order by started_at desc, run_id limit $2`,
      [areaPattern(area), limit],
    );
    return r.rows.map((x) => ({
      runId: x.run_id as string,
      area: x.area as string,
      asOf: dateText(x.as_of),
      ruleset: x.ruleset as string,
      status: x.status as string,
      counts: x.counts === null ? null : jsonColumn(x.counts),
      startedAt: isoOrNull(x.started_at),
      completedAt: isoOrNull(x.completed_at),
    }));
  }

  /** The rounds within `area` (round ids are `round:<area>:<year>:<hash>`), newest first, at most `limit`. */
  async rounds(area: string, limit: number): Promise<PastRound[]> {
    const r = await this.#sql.query<{ round_id: string; year: number; decided_on: unknown; outcome: string; n: unknown }>(
      `select round_id, year, max(decided_on)::text as decided_on, outcome, count(*) as n from mtyx_outcomes
       where round_id in (
         select round_id from mtyx_outcomes where split_part(round_id, ':', 2) like $1
         group by round_id order by max(seq) desc limit $2)
       group by round_id, year, outcome`,
      [areaPattern(area), limit],
    );
    const by = new Map<
      string,
      { roundId: string; area: string; year: number; decidedOn: string | null; outcomes: Record<string, number> }
    >();
    for (const x of r.rows) {
      const round = by.get(x.round_id) ?? {
        roundId: x.round_id,
        area: x.round_id.split(':')[1] ?? '',
        year: Number(x.year),
        decidedOn: x.decided_on === null ? null : dateText(x.decided_on),
        outcomes: {},
      };
      round.outcomes[x.outcome] = Number(x.n);
      by.set(x.round_id, round);
    }
    return [...by.values()].sort((a, b) => b.year - a.year || ((b.decidedOn ?? '') < (a.decidedOn ?? '') ? -1 : 1));
  }
}
