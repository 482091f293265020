/**
 * The year's 名特优新 candidates, a repository of the store: the applications and recommendations
 * and the review steps recorded for them (走访核实, 征求意见, 信息公示, objections), as their fact
 * topics carry them, with the latest round outcome of the year. Regulators work from it before the
 * round decides. One SQL for both drivers; DATE read as text.
 */
import { areaPattern } from './areas.js';
import { jsonColumn } from './sqlText.js';
import type { Sql } from './store.js';

/** An application or recommendation of a year. */
export interface ApplicationRow {
  readonly creditCode: string;
  readonly year: number;
  readonly route: 'application' | 'recommendation';
  readonly category: string | null;
  /** YYYY-MM-DD. */
  readonly submittedOn: string | null;
  readonly recommender: string | null;
}

/** A review step recorded for a candidate. */
export interface ReviewStepRow {
  readonly creditCode: string;
  readonly year: number;
  readonly step: 'verification' | 'consultation' | 'notice' | 'objection';
  readonly stepId: string;
  /** YYYY-MM-DD. */
  readonly on: string;
  readonly until: string | null;
  readonly outcome: string;
  readonly actor: string;
  readonly note: string | null;
}

/** A candidate of a year, with its steps (oldest first) and the latest round outcome of the year. */
export interface CandidateRow extends ApplicationRow {
  readonly name: string | null;
  readonly region: string;
  readonly steps: readonly Omit<ReviewStepRow, 'creditCode' | 'year'>[];
  readonly outcome: string | null;
}

/** The mtyx_applications and mtyx_review_steps tables. */
export class MtyxCandidates {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /** Records applications; a later fact of the same business and year replaces the earlier. */
  async applyApplications(rows: readonly ApplicationRow[]): Promise<void> {
    if (rows.length === 0) return;
    const list = [...new Map(rows.map((r) => [`${r.creditCode}:${r.year}`, r])).values()];
    await this.#sql.query(
      `insert into mtyx_applications (credit_code, year, route, category, submitted_on, recommender)
       select credit_code, year, route, category, submitted_on, recommender
       from jsonb_to_recordset($1::jsonb) as x(credit_code text, year int, route text, category text, submitted_on date, recommender text)
       on conflict (credit_code, year) do update set route = excluded.route, category = excluded.category,
         submitted_on = excluded.submitted_on, recommender = excluded.recommender, recorded_at = now()`,
      [
        JSON.stringify(
          list.map((r) => ({
            credit_code: r.creditCode,
            year: r.year,
            route: r.route,
            category: r.category,
            submitted_on: r.submittedOn,
            recommender: r.recommender,
          })),
        ),
      ],
    );
  }

  /** Records review steps; a step is one (business, year, kind, id): a later fact of it replaces the earlier. */
  async applyReviewSteps(rows: readonly ReviewStepRow[]): Promise<void> {
    if (rows.length === 0) return;
    const list = [...new Map(rows.map((r) => [`${r.creditCode}:${r.year}:${r.step}:${r.stepId}`, r])).values()];
    await this.#sql.query(
      `insert into mtyx_review_steps (credit_code, year, step, step_id, on_day, until_day, outcome, actor, note)
       select credit_code, year, step, step_id, on_day, until_day, outcome, actor, note
       from jsonb_to_recordset($1::jsonb) as x(credit_code text, year int, step text, step_id text, on_day date,
         until_day date, outcome text, actor text, note text)
       on conflict (credit_code, year, step, step_id) do update set on_day = excluded.on_day, until_day = excluded.until_day,
         outcome = excluded.outcome, actor = excluded.actor, note = excluded.note, recorded_at = now()`,
      [
        JSON.stringify(
          list.map((r) => ({
            credit_code: r.creditCode,
            year: r.year,
            step: r.step,
            step_id: r.stepId,
            on_day: r.on,
            until_day: r.until,
            outcome: r.outcome,
            actor: r.actor,
            note: r.note,
          })),
        ),
      ],
    );
  }

  /** The candidates of `year` in `area` (its divisions), by credit code. */
  async of(area: string, year: number): Promise<CandidateRow[]> {
    const r = await this.#sql.query<{
      credit_code: string;
      year: number;
      route: ApplicationRow['route'];
      category: string | null;
      submitted_on: string | null;
      recommender: string | null;
      name: string | null;
      region: string;
      steps: unknown;
      outcome: string | null;
    }>(
      `select a.credit_code, a.year, a.route, a.category, a.submitted_on::text as submitted_on, a.recommender, b.name,
         coalesce(b.region, substr(a.credit_code, 3, 6)) as region,
         coalesce((select json_agg(json_build_object('step', s.step, 'stepId', s.step_id, 'on', s.on_day::text,
             'until', s.until_day::text, 'outcome', s.outcome, 'actor', s.actor, 'note', s.note) order by s.on_day, s.step_id)
           from mtyx_review_steps s where s.credit_code = a.credit_code and s.year = a.year), '[]') as steps,
         (select o.outcome from mtyx_outcomes o where o.credit_code = a.credit_code and o.year = a.year
           order by o.seq desc limit 1) as outcome
       from mtyx_applications a left join businesses b on b.credit_code = a.credit_code
       where a.year = $1 and coalesce(b.region, substr(a.credit_code, 3, 6)) like $2
       order by a.credit_code`,
      [year, areaPattern(area)],
    );
    return r.rows.map((x) => ({
      creditCode: x.credit_code,
      year: Number(x.year),
      route: x.route,
      category: x.category,
      submittedOn: x.submitted_on,
      recommender: x.recommender,
      name: x.name,
      region: x.region,
      steps: jsonColumn<CandidateRow['steps']>(x.steps),
      outcome: x.outcome,
    }));
  }
}
