/**
 * The typing rules of a rule set as one SQL CASE expression over a flat `facts` table, for the
 * DuckDB baseline of the classify benchmark. Generated from the same rule data as the core, so
 * both compute the same types; the benchmark checks that their counts agree.
 */
import type { AsOfContext, RuleSet, TypingCriterion } from '../matchers/index.js';

/** Columns of the `facts` table (day numbers as INTEGER, money as DOUBLE fen, NULL where absent). */
export const FACT_COLUMNS = [
  ['status', 'TINYINT'], // 0 active, 1 revoked, 2 cancelled, 3 withdrawn, NULL no registration
  ['established', 'INTEGER'],
  ['seasonal', 'BOOLEAN'],
  ['suspended_until', 'INTEGER'],
  ['report_year', 'INTEGER'],
  ['report_filed', 'BOOLEAN'],
  ['revenue', 'DOUBLE'],
  ['abnormal', 'BOOLEAN'],
  ['serious', 'BOOLEAN'],
  ['tax_registered', 'INTEGER'],
  ['tax_nonnormal', 'BOOLEAN'],
  ['general_taxpayer', 'BOOLEAN'],
  ['vat', 'DOUBLE'],
  ['iit', 'DOUBLE'],
  ['headcount', 'INTEGER'],
  ['trademarks', 'INTEGER'],
  ['patents', 'INTEGER'],
] as const;

const b = (expr: string) => `coalesce(${expr}, false)`;

function predicate(c: TypingCriterion, rs: RuleSet, ctx: AsOfContext): string {
  const fen = (name: string) => Math.round((rs.thresholds[name] as number) * 100);
  switch (c.kind) {
    case 'establishedYearsAtLeast':
      return b(`established <= ${ctx.reachedYears(c.years)}`);
    case 'taxRegisteredYearsAtLeast':
      return b(`tax_registered <= ${ctx.reachedYears(c.years)}`);
    case 'revenueAtLeast':
      return b(`report_year = ${ctx.lastYear} and report_filed and revenue >= ${fen(c.threshold)}`);
    case 'taxPaidAny':
      return '(vat > 0 or iit > 0)';
    case 'taxPaidAtLeast':
      return `(vat + iit >= ${fen(c.threshold)})`;
    case 'insuredHeadcountBetween':
      return c.max === null ? `(headcount >= ${c.min})` : `(headcount between ${c.min} and ${c.max})`;
    case 'generalTaxpayer':
      return c.taxPaidThreshold === null ? 'general_taxpayer' : `(general_taxpayer and vat + iit >= ${fen(c.taxPaidThreshold)})`;
    case 'trademarksInUseAtLeast':
      return `(trademarks >= ${c.min})`;
    case 'patentsAtLeast':
      return `(patents >= ${c.min})`;
  }
}

/** `CASE … END` giving 0 ineligible, 1 survival, 2 growth, 3 development. */
export function typingCaseSql(rs: RuleSet, ctx: AsOfContext): string {
  const basic = [
    b('status = 0'),
    b(`established >= ${ctx.newSince} or (report_year = ${ctx.lastYear} and report_filed)`),
    'not abnormal',
    'not serious',
    'not tax_nonnormal',
    b(`seasonal or suspended_until is null or suspended_until < ${ctx.asOf}`),
  ].join(' and ');
  const all = (list: readonly TypingCriterion[]) =>
    list.length === 0 ? 'true' : list.map((c) => predicate(c, rs, ctx)).join(' and ');
  const any = (list: readonly TypingCriterion[]) => `(${list.map((c) => predicate(c, rs, ctx)).join(' or ')})`;
  const t = rs.typing;
  return [
    'case',
    `when not (${basic}) then 0`,
    t.newThisYearIsSurvival.applies ? `when ${b(`established >= ${ctx.newSince}`)} then 1` : '',
    `when ${all(t.development.gates)} and ${any(t.development.anyOf)} then 3`,
    `when ${all(t.growth.gates)} and ${any(t.growth.anyOf)} then 2`,
    'else 1 end',
  ]
    .filter((s) => s !== '')
    .join(' ');
}

/**
 * A SELECT of the `facts` columns from the classify input as JSON lines (docs/classify.md), read by
 * DuckDB's `read_json`: day numbers from the ISO dates, fen from yuan (rounded as the core rounds),
 * an absent section's flags false and counts 0, as the core normalises them.
 */
export function factsFromJsonlSql(file: string): string {
  const day = (e: string) => `(${e}::DATE - DATE '1970-01-01')`;
  const fen = (e: string) => `round(${e} * 100)`;
  const f = (e: string) => `coalesce(${e}, false)`;
  const columns = {
    creditCode: 'VARCHAR',
    regionCode: 'VARCHAR',
    registration: 'STRUCT(status VARCHAR, establishedOn VARCHAR, seasonal BOOLEAN, suspendedUntil VARCHAR)',
    annualReport: 'STRUCT("year" INTEGER, filed BOOLEAN, revenueYuan DOUBLE)',
    marketCredit: 'STRUCT(abnormalOperation BOOLEAN, seriousIllegal BOOLEAN)',
    tax: 'STRUCT(registeredOn VARCHAR, nonNormal BOOLEAN, generalTaxpayer BOOLEAN, vatPaidYuan DOUBLE, iitPaidYuan DOUBLE)',
    socialInsurance: 'STRUCT(insuredHeadcount INTEGER)',
    ip: 'STRUCT(trademarksInUse INTEGER, patents INTEGER)',
  };
  const spec = Object.entries(columns)
    .map(([k, t]) => `'${k}': '${t.replaceAll("'", "''")}'`)
    .join(', ');
  return `select creditCode, coalesce(regionCode, substr(creditCode, 3, 6)) as region,
    case registration.status when 'active' then 0 when 'revoked' then 1 when 'cancelled' then 2 when 'withdrawn' then 3 end as status,
    ${day('registration.establishedOn')} as established,
    ${f('registration.seasonal')} as seasonal,
    ${day('registration.suspendedUntil')} as suspended_until,
    annualReport.year as report_year,
    ${f('annualReport.filed')} as report_filed,
    ${fen('annualReport.revenueYuan')} as revenue,
    ${f('marketCredit.abnormalOperation')} as abnormal,
    ${f('marketCredit.seriousIllegal')} as serious,
    ${day('tax.registeredOn')} as tax_registered,
    ${f('tax.nonNormal')} as tax_nonnormal,
    ${f('tax.generalTaxpayer')} as general_taxpayer,
    ${fen('coalesce(tax.vatPaidYuan, 0)')} as vat,
    ${fen('coalesce(tax.iitPaidYuan, 0)')} as iit,
    coalesce(socialInsurance.insuredHeadcount, 0) as headcount,
    coalesce(ip.trademarksInUse, 0) as trademarks,
    coalesce(ip.patents, 0) as patents
  from read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited', columns = {${spec}})`;
}
