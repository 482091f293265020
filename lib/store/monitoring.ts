/**
 * 监测分析 (国市监注发〔2024〕10号 二(七); 津市场监管政务〔2024〕9号 二(三)), a repository of the
 * store: an area's businesses by type, the moves between types year on year, employment (insured
 * headcount) and revenue by type — from the decisions and their reasons — and the support measures
 * owed and delivered by department. One SQL for both drivers.
 */
import { areaPattern } from './areas.js';
import type { Sql } from './store.js';

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/** An SQL expression: a decision's first evidence from `source` holding `field`, as a number (0 without one). */
const evidenceNumber = (source: string, field: string) =>
  `coalesce((jsonb_path_query_first(reasons, '$[*].evidence ? (@.source == "${source}" && exists(@.${field})).${field}') #>> '{}')::numeric, 0)`;

/** The monitoring series of the store. */
export class Monitoring {
  readonly #sql: Pick<Sql, 'query'>;

  constructor(sql: Pick<Sql, 'query'>) {
    this.#sql = sql;
  }

  /** Current decisions by district and type. */
  async types(area: string): Promise<{ region: string; type: string; n: number }[]> {
    const r = await this.#sql.query<{ region: string; type: string; n: unknown }>(
      'select region, type, count(*) as n from decisions where region like $1 group by region, type order by region, type',
      [areaPattern(area)],
    );
    return r.rows.map((x) => ({ region: x.region, type: x.type, n: num(x.n) }));
  }

  /**
   * Moves between types from one typing year to the next: each business's last decision of each
   * year (the last published of those dated in it), paired with its last of the year after.
   */
  async transitions(area: string): Promise<{ fromYear: number; toYear: number; from: string; to: string; n: number }[]> {
    const r = await this.#sql.query<{ from_year: unknown; to_year: unknown; from_type: string; to_type: string; n: unknown }>(
      `with y as (
         select distinct on (credit_code, extract(year from effective_from))
           credit_code, extract(year from effective_from)::int as year, type
         from decision_history where region like $1
         order by credit_code, extract(year from effective_from), recorded_at desc, seq desc
       )
       select a.year as from_year, b.year as to_year, a.type as from_type, b.type as to_type, count(*) as n
       from y a join y b on b.credit_code = a.credit_code and b.year = a.year + 1
       group by a.year, b.year, a.type, b.type order by a.year, b.year, a.type, b.type`,
      [areaPattern(area)],
    );
    return r.rows.map((x) => ({
      fromYear: num(x.from_year),
      toYear: num(x.to_year),
      from: x.from_type,
      to: x.to_type,
      n: num(x.n),
    }));
  }

  /** By type: businesses, those with someone insured, and the insured headcount, from the decisions' social-insurance evidence. */
  async employment(area: string): Promise<{ type: string; businesses: number; withInsured: number; insuredHeadcount: number }[]> {
    const r = await this.#sql.query<{ type: string; businesses: unknown; with_insured: unknown; insured: unknown }>(
      `select type, count(*) as businesses, count(*) filter (where h > 0) as with_insured, coalesce(sum(h), 0) as insured
       from (select type, ${evidenceNumber('socialInsurance', 'insuredHeadcount')} as h
             from decisions where region like $1) x
       group by type order by type`,
      [areaPattern(area)],
    );
    return r.rows.map((x) => ({
      type: x.type,
      businesses: num(x.businesses),
      withInsured: num(x.with_insured),
      insuredHeadcount: num(x.insured),
    }));
  }

  /** By type and band of last year's revenue (yuan, from the annual report the decision read). */
  async revenue(area: string): Promise<{ type: string; band: string; n: number }[]> {
    const r = await this.#sql.query<{ type: string; band: string; n: unknown }>(
      `select type, case when v is null then 'unknown' when v < 100000 then '<100k' when v < 1000000 then '100k-1M'
                         when v < 5000000 then '1M-5M' else '>=5M' end as band, count(*) as n
       from (select type, (jsonb_path_query_first(reasons,
               '$[*] ? (@.criterion == "basic.annualReport").evidence.revenueYuan') #>> '{}')::numeric as v
             from decisions where region like $1) x
       group by 1, 2 order by 1, 2`,
      [areaPattern(area)],
    );
    return r.rows.map((x) => ({ type: x.type, band: x.band, n: num(x.n) }));
  }

  /**
   * 税收贡献 by type: businesses, those that paid tax last year, and the VAT and individual income
   * tax they paid (yuan), from the tax evidence of the decisions (the year the decision read).
   */
  async tax(area: string): Promise<{ type: string; businesses: number; paying: number; vatYuan: number; iitYuan: number }[]> {
    const r = await this.#sql.query<{ type: string; businesses: unknown; paying: unknown; vat: unknown; iit: unknown }>(
      `select type, count(*) as businesses, count(*) filter (where vat + iit > 0) as paying,
              coalesce(sum(vat), 0) as vat, coalesce(sum(iit), 0) as iit
       from (select type,
               ${evidenceNumber('tax', 'vatPaidYuan')} as vat, ${evidenceNumber('tax', 'iitPaidYuan')} as iit
             from decisions where region like $1) x
       group by type order by type`,
      [areaPattern(area)],
    );
    return r.rows.map((x) => ({
      type: x.type,
      businesses: num(x.businesses),
      paying: num(x.paying),
      vatYuan: num(x.vat),
      iitYuan: num(x.iit),
    }));
  }

  /**
   * By department: the measures owed by type and facts (as the decisions carried them), those
   * granted without application, and what the department recorded (delivered, declined, not
   * reachable). What a recognition in effect adds is not here: the gateway adds it (it needs the
   * catalogues), see `gateway/support.ts`.
   */
  async support(
    area: string,
  ): Promise<
    { department: string; matched: number; noApplication: number; delivered: number; declined: number; unreachable: number }[]
  > {
    const pattern = areaPattern(area);
    const owed = await this.#sql.query<{ department: string; matched: unknown; no_application: unknown }>(
      `select trim(d) as department, count(*) as matched, count(*) filter (where (m->>'noApplication')::boolean) as no_application
       from support_owed s
       cross join lateral jsonb_array_elements(s.measures) m
       cross join lateral unnest(string_to_array(m->>'department', '、')) d
       where s.region like $1 group by 1 order by 1`,
      [pattern],
    );
    const done = await this.#sql.query<{ department: string; status: string; n: unknown }>(
      `select d.department, d.status, count(*) as n from support_deliveries d
       join support_owed s on s.credit_code = d.credit_code
       where s.region like $1 group by d.department, d.status`,
      [pattern],
    );
    const by = new Map<string, Record<string, number>>();
    for (const x of done.rows) by.set(x.department, { ...(by.get(x.department) ?? {}), [x.status]: num(x.n) });
    const row = (department: string, matched: number, noApplication: number) => ({
      department,
      matched,
      noApplication,
      delivered: by.get(department)?.delivered ?? 0,
      declined: by.get(department)?.declined ?? 0,
      unreachable: by.get(department)?.unreachable ?? 0,
    });
    const rows = owed.rows.map((x) => row(x.department, num(x.matched), num(x.no_application)));
    // A department may have delivered only what a recognition added (its category's measures),
    // which the decisions did not carry: its deliveries are counted all the same.
    const seen = new Set(rows.map((r) => r.department));
    for (const department of [...by.keys()].sort()) if (!seen.has(department)) rows.push(row(department, 0, 0));
    return rows;
  }
}
