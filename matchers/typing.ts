/**
 * 分型 (typing): a pure function from one business's facts, a rule set and an as-of date
 * to a type — 生存型 survival, 成长型 growth, 发展型 development, or 不符合分型条件
 * (ineligible) — with, on request, every criterion's outcome and the facts it used.
 *
 * Each criterion is written once, in the criterion table ({@link CRITERIA}, {@link BASIC}): its
 * test as an expression over the facts, and the facts an explanation shows. A rule set is
 * compiled ({@link compileTyping}) for an as-of date into one function joining those
 * expressions — {@link TypingEngine.typeOf}, the allocation-free fast path — and into one test
 * per criterion for {@link TypingEngine.decide}, the explaining path; so an explanation can
 * never disagree with the type.
 */
import { addYears, type DayNumber, dayNumber, formatIsoDate, yearOf } from '../lib/dates.js';
import type { BusinessFacts } from './facts.js';
import type { RuleSet, TypingCriterion } from './ruleSet.js';

/** The four outcomes of typing. */
export type BusinessType = 'survival' | 'growth' | 'development' | 'ineligible';

/** Chinese labels, as published in the 个体工商户名录. */
export const TYPE_LABELS: Readonly<Record<BusinessType, string>> = Object.freeze({
  survival: '生存型',
  growth: '成长型',
  development: '发展型',
  ineligible: '不符合分型条件',
});

/** Order of types: ineligible < survival < growth < development. */
export const TYPE_RANK: Readonly<Record<BusinessType, number>> = Object.freeze({
  ineligible: 0,
  survival: 1,
  growth: 2,
  development: 3,
});

/** Types by fast-path code (the index). */
export const TYPE_BY_CODE: readonly BusinessType[] = Object.freeze(['ineligible', 'survival', 'growth', 'development']);

/** One criterion's outcome: which criterion, whether it held, the facts it used, and the clause. */
export interface Reason {
  readonly criterion: string;
  readonly met: boolean;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly clause: string;
}

/** The typing decision for one business. */
export interface TypingDecision {
  readonly creditCode: string;
  /** The 6-digit division the decision was made for. */
  readonly region: string;
  /** `id@version` of the rule set applied. */
  readonly ruleset: string;
  readonly asOf: string;
  readonly type: BusinessType;
  readonly label: string;
  /** 名特优新 basic standard without recommendation or relaxation (see mtyxBasic). */
  readonly mtyxBasicEligible: boolean;
  readonly reasons: readonly Reason[];
  readonly warnings?: readonly string[];
}

/** Dates derived once from the as-of date, shared by every business of a run. */
export interface AsOfContext {
  readonly asOf: DayNumber;
  readonly asOfText: string;
  readonly asOfYear: number;
  /**
   * "Last year" (上一年度): the year of the annual report, tax and social insurance facts the
   * decision reads — see `reportYearOf`.
   */
  readonly lastYear: number;
  /**
   * 1 January of the year after `lastYear`: a business established on or after it owes no report
   * whose season has closed, and is new (当年新成立) for the decision.
   */
  readonly newSince: DayNumber;
  /** The year whose annual-report season is still open on the as-of date, when it is not `lastYear`. */
  readonly seasonOpenFor?: number;
  /** For N years: the latest day on which a business could have started and reach N full years by the as-of date. */
  readonly reachedYears: (years: number) => DayNumber;
}

/**
 * The latest start day `d` with `addYears(d, years) <= asOf` — "N years (inclusive) or more"
 * on the as-of date. Inclusive: a business established exactly N years before qualifies.
 */
export function latestStartReaching(asOf: DayNumber, years: number): DayNumber {
  let d = addYears(asOf, -years);
  while (addYears(d + 1, years) <= asOf) d++;
  while (addYears(d, years) > asOf) d--;
  return d;
}

/** The day the annual-report season of the year before closes: 1 July (see `reportYearOf`). */
export function reportSeasonClosed(year: number): DayNumber {
  return dayNumber(year, 7, 1);
}

/**
 * The year whose annual report, tax and social insurance facts a decision as of `asOf` reads
 * (上一年度已报送年度报告, 国市监注发〔2024〕10号 附件 一(四)1). The yearly typing runs "每年7月份
 * 个体工商户年度报告结束后" (附件 一(三)1): from 1 July the year before's season is over, and that year
 * is read. The same clause allows typing at other times (在其他时间安排定期或不定期分型判定); before
 * 1 July the year before's reports are still being filed, so such a run reads the last year whose
 * season has closed, the year before last, and a business established since owes no report yet —
 * rather than reading every report not yet filed as missing.
 */
export function reportYearOf(asOf: DayNumber): number {
  const y = yearOf(asOf);
  return asOf >= reportSeasonClosed(y) ? y - 1 : y - 2;
}

/** What a run as of a date reads for "last year", and, before the season closes, why. */
export interface ReportYearReading {
  /** The year whose annual report, tax and social insurance facts are read. */
  readonly reportYear: number;
  /** The year whose reports are still being filed on the as-of date, when it is not `reportYear`. */
  readonly seasonOpenFor?: number;
  readonly note?: string;
}

/** The report year a run as of `asOf` reads, said in words when the season is still open. */
export function reportYearReading(asOf: DayNumber): ReportYearReading {
  const reportYear = reportYearOf(asOf);
  const open = yearOf(asOf) - 1;
  if (reportYear === open) return { reportYear };
  return {
    reportYear,
    seasonOpenFor: open,
    note:
      `as of ${formatIsoDate(asOf)} the ${open} annual reports are still being filed (the yearly typing follows their ` +
      `season, 国市监注发〔2024〕10号 附件 一(三)1): this run read the annual reports, tax and social insurance of ` +
      `${reportYear}, and took a business established since ${reportYear + 1}-01-01 as owing no report yet`,
  };
}

/** Builds the shared context of an as-of date. */
export function asOfContext(asOf: DayNumber): AsOfContext {
  const asOfYear = yearOf(asOf);
  const lastYear = reportYearOf(asOf);
  const cache = new Map<number, DayNumber>();
  return Object.freeze({
    asOf,
    asOfText: formatIsoDate(asOf),
    asOfYear,
    lastYear,
    newSince: dayNumber(lastYear + 1, 1, 1),
    ...(lastYear === asOfYear - 1 ? {} : { seasonOpenFor: asOfYear - 1 }),
    reachedYears: (years: number) => {
      let d = cache.get(years);
      if (d === undefined) {
        d = latestStartReaching(asOf, years);
        cache.set(years, d);
      }
      return d;
    },
  });
}

type Evidence = (f: BusinessFacts, ctx: AsOfContext) => Record<string, unknown>;

// Explanations format the same few thousand days again and again: memoise them.
const formatted = new Map<number, string>();
function isoOf(n: DayNumber): string {
  let s = formatted.get(n);
  if (s === undefined) {
    s = formatIsoDate(n);
    if (formatted.size < 200_000) formatted.set(n, s);
  }
  return s;
}
const day = (n: number): string | null => (Number.isNaN(n) ? null : isoOf(n));
const yuan = (fen: number): number | null => (Number.isNaN(fen) ? null : fen / 100);

/** The year whose report season is still open, for the evidence of a run before it closes. */
const seasonOpen = (ctx: AsOfContext) => (ctx.seasonOpenFor === undefined ? {} : { seasonOpenFor: ctx.seasonOpenFor });

function reportEvidence(f: BusinessFacts, ctx: AsOfContext): Record<string, unknown> {
  return f.present.annualReport
    ? {
        source: 'annualReport',
        requiredYear: ctx.lastYear,
        ...seasonOpen(ctx),
        reportYear: f.reportYear,
        filed: f.reportFiled,
        revenueYuan: yuan(f.revenueFen),
      }
    : { source: 'annualReport', requiredYear: ctx.lastYear, ...seasonOpen(ctx), record: 'none' };
}

function taxEvidence(f: BusinessFacts): Record<string, unknown> {
  return f.present.tax
    ? {
        source: 'tax',
        registeredOn: day(f.taxRegisteredOn),
        generalTaxpayer: f.generalTaxpayer,
        vatPaidYuan: f.vatPaidFen / 100,
        iitPaidYuan: f.iitPaidFen / 100,
      }
    : { source: 'tax', record: 'none' };
}

/**
 * What a criterion's expression may use beside the facts `f`: the as-of dates and the rule set's
 * thresholds in fen. Only validated numbers from the rule set and the as-of date enter the source.
 */
interface Constants {
  readonly ctx: AsOfContext;
  readonly fen: (threshold: string) => number;
}

/**
 * One row of the criterion table: the criterion's test as a JS expression over `f` with the
 * as-of constants inlined — its one definition, from which the fast path and each criterion's
 * explained test are both compiled — and the facts an explanation shows for it.
 */
interface CriterionRow<C> {
  readonly expr: (c: C, k: Constants) => string;
  readonly evidence: (c: C, fen: (threshold: string) => number) => Evidence;
}

type Kind = TypingCriterion['kind'];
type OfKind<K extends Kind> = Extract<TypingCriterion, { kind: K }>;

/** A number that is safe to splice into generated source. */
function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(n);
}

/** The criteria of the typing standard a rule set may use (国市监注发〔2024〕10号 附件 一(四)2), by kind. */
const CRITERIA: { readonly [K in Kind]: CriterionRow<OfKind<K>> } = {
  establishedYearsAtLeast: {
    expr: (c, k) => `f.establishedOn <= ${num(k.ctx.reachedYears(c.years))}`,
    evidence: (c) => (f, ctx) => ({
      source: 'registration',
      establishedOn: day(f.establishedOn),
      minYears: c.years,
      latestQualifyingDate: isoOf(ctx.reachedYears(c.years)),
    }),
  },
  taxRegisteredYearsAtLeast: {
    expr: (c, k) => `f.taxRegisteredOn <= ${num(k.ctx.reachedYears(c.years))}`,
    evidence: (c) => (f, ctx) => ({
      ...taxEvidence(f),
      minYears: c.years,
      latestQualifyingDate: isoOf(ctx.reachedYears(c.years)),
    }),
  },
  revenueAtLeast: {
    expr: (c, k) => `f.reportYear === ${num(k.ctx.lastYear)} && f.reportFiled && f.revenueFen >= ${num(k.fen(c.threshold))}`,
    evidence: (c, fen) => (f, ctx) => ({ ...reportEvidence(f, ctx), thresholdYuan: fen(c.threshold) / 100 }),
  },
  taxPaidAny: {
    expr: () => 'f.vatPaidFen > 0 || f.iitPaidFen > 0',
    evidence: () => (f) => ({ ...taxEvidence(f), year: 'last' }),
  },
  taxPaidAtLeast: {
    expr: (c, k) => `f.vatPaidFen + f.iitPaidFen >= ${num(k.fen(c.threshold))}`,
    evidence: (c, fen) => (f) => ({
      ...taxEvidence(f),
      taxPaidYuan: (f.vatPaidFen + f.iitPaidFen) / 100,
      thresholdYuan: fen(c.threshold) / 100,
    }),
  },
  insuredHeadcountBetween: {
    expr: (c) =>
      c.max === null
        ? `f.insuredHeadcount >= ${num(c.min)}`
        : `f.insuredHeadcount >= ${num(c.min)} && f.insuredHeadcount <= ${num(c.max)}`,
    evidence: (c) => (f) =>
      f.present.socialInsurance
        ? { source: 'socialInsurance', insuredHeadcount: f.insuredHeadcount, min: c.min, max: c.max }
        : { source: 'socialInsurance', record: 'none', insuredHeadcount: 0, min: c.min, max: c.max },
  },
  generalTaxpayer: {
    expr: (c, k) =>
      c.taxPaidThreshold === null
        ? 'f.generalTaxpayer'
        : `f.generalTaxpayer && f.vatPaidFen + f.iitPaidFen >= ${num(k.fen(c.taxPaidThreshold))}`,
    evidence: (c, fen) => {
      const threshold = c.taxPaidThreshold;
      return threshold === null
        ? (f) => taxEvidence(f)
        : (f) => ({
            ...taxEvidence(f),
            taxPaidYuan: (f.vatPaidFen + f.iitPaidFen) / 100,
            thresholdYuan: fen(threshold) / 100,
          });
    },
  },
  trademarksInUseAtLeast: {
    expr: (c) => `f.trademarksInUse >= ${num(c.min)}`,
    evidence: (c) => (f) =>
      f.present.ip
        ? { source: 'ip', trademarksInUse: f.trademarksInUse, min: c.min }
        : { source: 'ip', record: 'none', min: c.min },
  },
  patentsAtLeast: {
    expr: (c) => `f.patents >= ${num(c.min)}`,
    evidence: (c) => (f) =>
      f.present.ip ? { source: 'ip', patents: f.patents, min: c.min } : { source: 'ip', record: 'none', min: c.min },
  },
};

type BasicClause = keyof RuleSet['typing']['basic'];

/** The typing basic standard (国市监注发〔2024〕10号 附件 一(四)1), in the same form as {@link CRITERIA}. */
const BASIC: readonly {
  readonly id: string;
  readonly clause: BasicClause;
  readonly expr: (k: Constants) => string;
  readonly evidence: Evidence;
}[] = [
  {
    id: 'basic.registered',
    clause: 'registered',
    expr: () => 'f.status === "active"',
    evidence: (f) =>
      f.present.registration ? { source: 'registration', status: f.status } : { source: 'registration', record: 'none' },
  },
  {
    id: 'basic.annualReport',
    clause: 'annualReport',
    expr: (k) => `f.establishedOn >= ${num(k.ctx.newSince)} || (f.reportYear === ${num(k.ctx.lastYear)} && f.reportFiled)`,
    evidence: (f, ctx) => ({
      ...reportEvidence(f, ctx),
      establishedOn: day(f.establishedOn),
      establishedThisYear: f.establishedOn >= ctx.newSince,
    }),
  },
  {
    id: 'basic.abnormalOperation',
    clause: 'abnormalOperation',
    expr: () => '!f.abnormalOperation',
    evidence: (f) =>
      f.present.marketCredit
        ? { source: 'marketCredit', abnormalOperation: f.abnormalOperation }
        : { source: 'marketCredit', record: 'none' },
  },
  {
    id: 'basic.seriousIllegal',
    clause: 'seriousIllegal',
    expr: () => '!f.seriousIllegal',
    evidence: (f) =>
      f.present.marketCredit
        ? { source: 'marketCredit', seriousIllegal: f.seriousIllegal }
        : { source: 'marketCredit', record: 'none' },
  },
  {
    id: 'basic.taxNonNormal',
    clause: 'taxNonNormal',
    expr: () => '!f.taxNonNormal',
    evidence: (f) => (f.present.tax ? { source: 'tax', nonNormal: f.taxNonNormal } : { source: 'tax', record: 'none' }),
  },
  {
    id: 'basic.suspension',
    clause: 'suspension',
    // Within the legal maximum suspension period up to and including its last day; seasonal businesses excepted.
    expr: (k) => `f.seasonal || !(f.suspendedUntil >= ${num(k.ctx.asOf)})`,
    evidence: (f) => ({ source: 'registration', suspendedUntil: day(f.suspendedUntil), seasonal: f.seasonal }),
  },
];

/**
 * "Established in the current year" (当年新成立), which the Beijing standard types as survival
 * (兴市监发〔2024〕53号 附件 一(三)2(1)) where a rule set says so: since the year after the report
 * year read (`newSince`).
 */
const newThisYearExpr = (k: Constants) => `f.establishedOn >= ${num(k.ctx.newSince)}`;

/** A criterion of a rule set, ready to compile for an as-of date. */
interface Criterion {
  readonly id: string;
  readonly clause: string;
  readonly expr: (k: Constants) => string;
  readonly evidence: Evidence;
}

function criterion(c: TypingCriterion, fen: (threshold: string) => number): Criterion {
  const row = CRITERIA[c.kind] as CriterionRow<TypingCriterion>;
  return { id: c.id, clause: c.clause, expr: (k) => row.expr(c, k), evidence: row.evidence(c, fen) };
}

/** A criterion compiled for one as-of date: its test from its expression. */
interface Compiled {
  readonly id: string;
  readonly clause: string;
  readonly test: (f: BusinessFacts) => boolean;
  readonly evidence: Evidence;
}

const compiledTest = (src: string) => new Function('f', `"use strict"; return (${src});`) as (f: BusinessFacts) => boolean;

/** Everything typing needs on one as-of date: each criterion's test, and the fast path joining them. */
interface ForDate {
  readonly typeOf: (f: BusinessFacts) => number;
  readonly basic: readonly Compiled[];
  readonly newThisYear: (f: BusinessFacts) => boolean;
  readonly growthGates: readonly Compiled[];
  readonly growthAny: readonly Compiled[];
  readonly devGates: readonly Compiled[];
  readonly devAny: readonly Compiled[];
}

/**
 * Compiles a rule set's criteria for one as-of date: each criterion's test, for explanations,
 * and the single function a run uses for millions of businesses (every date and threshold
 * inlined), both from the same expressions.
 */
function compileForDate(
  lists: {
    readonly basic: readonly Criterion[];
    readonly growthGates: readonly Criterion[];
    readonly growthAny: readonly Criterion[];
    readonly devGates: readonly Criterion[];
    readonly devAny: readonly Criterion[];
  },
  newIsSurvival: boolean,
  k: Constants,
): ForDate {
  const compile = (list: readonly Criterion[]): Compiled[] =>
    list.map((c) => ({ id: c.id, clause: c.clause, test: compiledTest(c.expr(k)), evidence: c.evidence }));
  const all = (list: readonly Criterion[]) => (list.length === 0 ? 'true' : list.map((c) => `(${c.expr(k)})`).join(' && '));
  const any = (list: readonly Criterion[]) =>
    list.length === 0 ? 'false' : `(${list.map((c) => `(${c.expr(k)})`).join(' || ')})`;
  const src = [
    '"use strict";',
    `if (!(${all(lists.basic)})) return 0;`,
    newIsSurvival ? `if (${newThisYearExpr(k)}) return 1;` : '',
    `if (${all(lists.devGates)} && ${any(lists.devAny)}) return 3;`,
    `if (${all(lists.growthGates)} && ${any(lists.growthAny)}) return 2;`,
    'return 1;',
  ].join('\n');
  return {
    typeOf: new Function('f', src) as (f: BusinessFacts) => number,
    basic: compile(lists.basic),
    newThisYear: compiledTest(newThisYearExpr(k)),
    growthGates: compile(lists.growthGates),
    growthAny: compile(lists.growthAny),
    devGates: compile(lists.devGates),
    devAny: compile(lists.devAny),
  };
}

/** Whether a fine-or-above penalty, not credit-repaired, was decided in the look-back window ending on `on`. */
export function hasExcludingPenalty(f: BusinessFacts, on: DayNumber, windowStart: DayNumber): boolean {
  for (const p of f.penalties) {
    if (p.fineOrAbove && !p.repaired && p.decidedOn >= windowStart && p.decidedOn <= on) return true;
  }
  return false;
}

/** A rule set compiled for typing. */
export interface TypingEngine {
  readonly ruleSet: RuleSet;
  /** Fast path: type code (index into {@link TYPE_BY_CODE}); allocates nothing. */
  typeOf(f: BusinessFacts, ctx: AsOfContext): number;
  /** Fast path: the 名特优新 basic standard (growth/development, no excluding penalty, operator not on the court list). */
  mtyxBasicOf(f: BusinessFacts, ctx: AsOfContext, typeCode: number): boolean;
  /** Explaining path: the full decision with every criterion's outcome. */
  decide(f: BusinessFacts, ctx: AsOfContext): TypingDecision;
  /** The decision `decide` makes, less its reasons, from the fast path (for output without reasons). */
  typeWithoutReasons(f: BusinessFacts, ctx: AsOfContext): Omit<TypingDecision, 'reasons'>;
}

/** Compiles a rule set's typing criteria into a {@link TypingEngine}. */
export function compileTyping(rs: RuleSet): TypingEngine {
  const fen = (name: string) => Math.round((rs.thresholds[name] as number) * 100);
  const b = rs.typing.basic;
  const lists = {
    basic: BASIC.map((c) => ({ id: c.id, clause: b[c.clause], expr: c.expr, evidence: c.evidence })),
    growthGates: rs.typing.growth.gates.map((c) => criterion(c, fen)),
    growthAny: rs.typing.growth.anyOf.map((c) => criterion(c, fen)),
    devGates: rs.typing.development.gates.map((c) => criterion(c, fen)),
    devAny: rs.typing.development.anyOf.map((c) => criterion(c, fen)),
  };
  const newIsSurvival = rs.typing.newThisYearIsSurvival.applies;
  const lookback = rs.mtyx.basic.penaltyLookbackYears;

  // A run has one as-of date; the last one compiled is kept beside the others.
  const byDate = new WeakMap<AsOfContext, ForDate>();
  let lastCtx: AsOfContext | undefined;
  let last: ForDate | undefined;
  const forDate = (ctx: AsOfContext): ForDate => {
    if (ctx === lastCtx) return last as ForDate;
    let d = byDate.get(ctx);
    if (d === undefined) {
      d = compileForDate(lists, newIsSurvival, { ctx, fen });
      byDate.set(ctx, d);
    }
    lastCtx = ctx;
    last = d;
    return d;
  };
  const typeOf = (f: BusinessFacts, ctx: AsOfContext): number => forDate(ctx).typeOf(f);

  const windowStarts = new Map<DayNumber, DayNumber>();
  const windowStart = (ctx: AsOfContext) => {
    let w = windowStarts.get(ctx.asOf);
    if (w === undefined) {
      w = addYears(ctx.asOf, -lookback);
      windowStarts.set(ctx.asOf, w);
    }
    return w;
  };
  const mtyxBasicOf = (f: BusinessFacts, ctx: AsOfContext, typeCode: number): boolean =>
    typeCode >= 2 && !f.operatorDishonest && !hasExcludingPenalty(f, ctx.asOf, windowStart(ctx));

  const decide = (f: BusinessFacts, ctx: AsOfContext): TypingDecision => {
    const d = forDate(ctx);
    const reasons: Reason[] = [];
    const record = (list: readonly Compiled[]) => {
      let allMet = true;
      let anyMet = false;
      for (const c of list) {
        const met = c.test(f);
        allMet &&= met;
        anyMet ||= met;
        reasons.push({ criterion: c.id, met, evidence: c.evidence(f, ctx), clause: c.clause });
      }
      return { allMet, anyMet };
    };
    const basicOk = record(d.basic).allMet;
    const newThisYear = d.newThisYear(f);
    if (newIsSurvival) {
      reasons.push({
        criterion: 'survival.newThisYear',
        met: newThisYear,
        evidence: { source: 'registration', establishedOn: day(f.establishedOn), asOfYear: ctx.asOfYear },
        clause: rs.typing.newThisYearIsSurvival.clause as string,
      });
    }
    const gOk = record(d.growthGates).allMet && record(d.growthAny).anyMet;
    reasons.push({
      criterion: 'growth.qualifies',
      met: gOk,
      evidence: { gates: 'all', anyOf: 'one or more' },
      clause: rs.typing.growth.clause,
    });
    const dOk = record(d.devGates).allMet && record(d.devAny).anyMet;
    reasons.push({
      criterion: 'development.qualifies',
      met: dOk,
      evidence: { gates: 'all', anyOf: 'one or more' },
      clause: rs.typing.development.clause,
    });
    const code = d.typeOf(f);
    const type = TYPE_BY_CODE[code] as BusinessType;
    // The explanation and the fast path come from the same expressions and must agree; a
    // disagreement is a defect in the core (how they are joined), never a property of the data.
    const expected = !basicOk ? 0 : newIsSurvival && newThisYear ? 1 : dOk ? 3 : gOk ? 2 : 1;
    if (expected !== code) {
      throw new Error(`typing paths disagree for ${f.creditCode}: explained ${expected}, fast ${code}`);
    }

    const ws = windowStart(ctx);
    const excluding = f.penalties.filter((p) => p.fineOrAbove && !p.repaired && p.decidedOn >= ws && p.decidedOn <= ctx.asOf);
    reasons.push(
      {
        criterion: 'mtyx.type',
        met: code >= 2,
        evidence: { type, required: ['growth', 'development'] },
        clause: rs.mtyx.basic.source,
      },
      {
        criterion: 'mtyx.penalty',
        met: excluding.length === 0,
        evidence: {
          source: 'marketCredit',
          windowFrom: isoOf(ws),
          windowTo: ctx.asOfText,
          excludingPenalties: excluding.map((p) => ({
            decidedOn: formatIsoDate(p.decidedOn),
            fineOrAbove: p.fineOrAbove,
            repaired: p.repaired,
          })),
          penaltiesOnFile: f.penalties.length,
        },
        clause: rs.mtyx.basic.penalty,
      },
      {
        criterion: 'mtyx.court',
        met: !f.operatorDishonest,
        evidence: f.present.court
          ? { source: 'court', operatorDishonest: f.operatorDishonest }
          : { source: 'court', record: 'none' },
        clause: rs.mtyx.basic.court,
      },
    );
    return withWarnings(f, { ...headOf(f, ctx, code), reasons });
  };

  // What decide and typeWithoutReasons both answer, in this order (so that both write the same
  // JSON, the reasons after these fields and the warnings last).
  const headOf = (f: BusinessFacts, ctx: AsOfContext, code: number): Omit<TypingDecision, 'reasons' | 'warnings'> => {
    const type = TYPE_BY_CODE[code] as BusinessType;
    return {
      creditCode: f.creditCode,
      region: f.divisionCode,
      ruleset: rs.ref,
      asOf: ctx.asOfText,
      type,
      label: TYPE_LABELS[type],
      mtyxBasicEligible: mtyxBasicOf(f, ctx, code),
    };
  };
  const withWarnings = <D extends object>(f: BusinessFacts, d: D): D =>
    f.warnings.length > 0 ? { ...d, warnings: f.warnings } : d;

  const typeWithoutReasons = (f: BusinessFacts, ctx: AsOfContext): Omit<TypingDecision, 'reasons'> =>
    withWarnings(f, headOf(f, ctx, forDate(ctx).typeOf(f)));

  return Object.freeze({ ruleSet: rs, typeOf, mtyxBasicOf, decide, typeWithoutReasons });
}

/** Whether every typing basic-standard criterion (`basic.*`) of a decision's reasons is met. */
export function basicStandardMet(reasons: readonly { readonly criterion: string; readonly met: boolean }[]): boolean {
  return reasons.filter((r) => r.criterion.startsWith('basic.')).every((r) => r.met);
}
