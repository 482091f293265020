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
    b(`established >= ${ctx.yearStart} or (report_year = ${ctx.lastYear} and report_filed)`),
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
    t.newThisYearIsSurvival.applies ? `when ${b(`established >= ${ctx.yearStart}`)} then 1` : '',
    `when ${all(t.development.gates)} and ${any(t.development.anyOf)} then 3`,
    `when ${all(t.growth.gates)} and ${any(t.growth.anyOf)} then 2`,
    'else 1 end',
  ]
    .filter((s) => s !== '')
    .join(' ');
}
