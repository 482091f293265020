/**
 * 分型 (typing): a pure function from one business's facts, a rule set and an as-of date
 * to a type — 生存型 survival, 成长型 growth, 发展型 development, or 不符合分型条件
 * (ineligible) — with, on request, every criterion's outcome and the facts it used.
 *
 * A rule set is compiled once into closures ({@link compileTyping}); {@link TypingEngine.typeOf}
 * is the allocation-free fast path and {@link TypingEngine.decide} the explaining path. Both
 * run the same predicates, so an explanation can never disagree with the type.
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
  /** "Last year" = as-of year − 1 (the year of the annual report, tax and social insurance facts). */
  readonly lastYear: number;
  /** 1 January of the as-of year: on or after it, a business is "established in the current year". */
  readonly yearStart: DayNumber;
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

/** Builds the shared context of an as-of date. */
export function asOfContext(asOf: DayNumber): AsOfContext {
  const asOfYear = yearOf(asOf);
  const cache = new Map<number, DayNumber>();
  return Object.freeze({
    asOf,
    asOfText: formatIsoDate(asOf),
    asOfYear,
    lastYear: asOfYear - 1,
    yearStart: dayNumber(asOfYear, 1, 1),
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

type Test = (f: BusinessFacts, ctx: AsOfContext) => boolean;
type Evidence = (f: BusinessFacts, ctx: AsOfContext) => Record<string, unknown>;

interface CompiledCriterion {
  readonly id: string;
  readonly clause: string;
  readonly test: Test;
  readonly evidence: Evidence;
}

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

function revenueOfLastYear(f: BusinessFacts, ctx: AsOfContext): number {
  return f.reportYear === ctx.lastYear && f.reportFiled ? f.revenueFen : Number.NaN;
}

function reportEvidence(f: BusinessFacts, ctx: AsOfContext): Record<string, unknown> {
  return f.present.annualReport
    ? {
        source: 'annualReport',
        requiredYear: ctx.lastYear,
        reportYear: f.reportYear,
        filed: f.reportFiled,
        revenueYuan: yuan(f.revenueFen),
      }
    : { source: 'annualReport', requiredYear: ctx.lastYear, record: 'none' };
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

function compileCriterion(c: TypingCriterion, thresholdsFen: (name: string) => number): CompiledCriterion {
  const meta = { id: c.id, clause: c.clause };
  switch (c.kind) {
    case 'establishedYearsAtLeast': {
      const years = c.years;
      return {
        ...meta,
        test: (f, ctx) => f.establishedOn <= ctx.reachedYears(years),
        evidence: (f, ctx) => ({
          source: 'registration',
          establishedOn: day(f.establishedOn),
          minYears: years,
          latestQualifyingDate: isoOf(ctx.reachedYears(years)),
        }),
      };
    }
    case 'taxRegisteredYearsAtLeast': {
      const years = c.years;
      return {
        ...meta,
        test: (f, ctx) => f.taxRegisteredOn <= ctx.reachedYears(years),
        evidence: (f, ctx) => ({
          ...taxEvidence(f),
          minYears: years,
          latestQualifyingDate: isoOf(ctx.reachedYears(years)),
        }),
      };
    }
    case 'revenueAtLeast': {
      const min = thresholdsFen(c.threshold);
      return {
        ...meta,
        test: (f, ctx) => revenueOfLastYear(f, ctx) >= min,
        evidence: (f, ctx) => ({ ...reportEvidence(f, ctx), thresholdYuan: min / 100 }),
      };
    }
    case 'taxPaidAny':
      return {
        ...meta,
        test: (f) => f.vatPaidFen > 0 || f.iitPaidFen > 0,
        evidence: (f) => ({ ...taxEvidence(f), year: 'last' }),
      };
    case 'taxPaidAtLeast': {
      const min = thresholdsFen(c.threshold);
      return {
        ...meta,
        test: (f) => f.vatPaidFen + f.iitPaidFen >= min,
        evidence: (f) => ({ ...taxEvidence(f), taxPaidYuan: (f.vatPaidFen + f.iitPaidFen) / 100, thresholdYuan: min / 100 }),
      };
    }
    case 'insuredHeadcountBetween': {
      const min = c.min;
      const max = c.max ?? Number.POSITIVE_INFINITY;
      return {
        ...meta,
        test: (f) => f.insuredHeadcount >= min && f.insuredHeadcount <= max,
        evidence: (f) =>
          f.present.socialInsurance
            ? { source: 'socialInsurance', insuredHeadcount: f.insuredHeadcount, min, max: c.max }
            : { source: 'socialInsurance', record: 'none', insuredHeadcount: 0, min, max: c.max },
      };
    }
    case 'generalTaxpayer': {
      const min = c.taxPaidThreshold === null ? 0 : thresholdsFen(c.taxPaidThreshold);
      const withTax = c.taxPaidThreshold !== null;
      return {
        ...meta,
        test: withTax ? (f) => f.generalTaxpayer && f.vatPaidFen + f.iitPaidFen >= min : (f) => f.generalTaxpayer,
        evidence: (f) =>
          withTax
            ? { ...taxEvidence(f), taxPaidYuan: (f.vatPaidFen + f.iitPaidFen) / 100, thresholdYuan: min / 100 }
            : taxEvidence(f),
      };
    }
    case 'trademarksInUseAtLeast': {
      const min = c.min;
      return {
        ...meta,
        test: (f) => f.trademarksInUse >= min,
        evidence: (f) =>
          f.present.ip ? { source: 'ip', trademarksInUse: f.trademarksInUse, min } : { source: 'ip', record: 'none', min },
      };
    }
    case 'patentsAtLeast': {
      const min = c.min;
      return {
        ...meta,
        test: (f) => f.patents >= min,
        evidence: (f) => (f.present.ip ? { source: 'ip', patents: f.patents, min } : { source: 'ip', record: 'none', min }),
      };
    }
  }
}

function compileBasic(rs: RuleSet): CompiledCriterion[] {
  const b = rs.typing.basic;
  return [
    {
      id: 'basic.registered',
      clause: b.registered,
      test: (f) => f.status === 'active',
      evidence: (f) =>
        f.present.registration ? { source: 'registration', status: f.status } : { source: 'registration', record: 'none' },
    },
    {
      id: 'basic.annualReport',
      clause: b.annualReport,
      test: (f, ctx) => f.establishedOn >= ctx.yearStart || (f.reportYear === ctx.lastYear && f.reportFiled),
      evidence: (f, ctx) => ({
        ...reportEvidence(f, ctx),
        establishedOn: day(f.establishedOn),
        establishedThisYear: f.establishedOn >= ctx.yearStart,
      }),
    },
    {
      id: 'basic.abnormalOperation',
      clause: b.abnormalOperation,
      test: (f) => !f.abnormalOperation,
      evidence: (f) =>
        f.present.marketCredit
          ? { source: 'marketCredit', abnormalOperation: f.abnormalOperation }
          : { source: 'marketCredit', record: 'none' },
    },
    {
      id: 'basic.seriousIllegal',
      clause: b.seriousIllegal,
      test: (f) => !f.seriousIllegal,
      evidence: (f) =>
        f.present.marketCredit
          ? { source: 'marketCredit', seriousIllegal: f.seriousIllegal }
          : { source: 'marketCredit', record: 'none' },
    },
    {
      id: 'basic.taxNonNormal',
      clause: b.taxNonNormal,
      test: (f) => !f.taxNonNormal,
      evidence: (f) => (f.present.tax ? { source: 'tax', nonNormal: f.taxNonNormal } : { source: 'tax', record: 'none' }),
    },
    {
      id: 'basic.suspension',
      clause: b.suspension,
      // Within the legal maximum suspension period up to and including its last day; seasonal businesses excepted.
      test: (f, ctx) => f.seasonal || !(f.suspendedUntil >= ctx.asOf),
      evidence: (f) => ({ source: 'registration', suspendedUntil: day(f.suspendedUntil), seasonal: f.seasonal }),
    },
  ];
}

/** Whether a fine-or-above penalty, not credit-repaired, was decided in the look-back window ending on `on`. */
export function hasExcludingPenalty(f: BusinessFacts, on: DayNumber, windowStart: DayNumber): boolean {
  for (const p of f.penalties) {
    if (p.fineOrAbove && !p.repaired && p.decidedOn >= windowStart && p.decidedOn <= on) return true;
  }
  return false;
}

/** A number that is safe to splice into generated source. */
function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(n);
}

/** The JS expression of one typing criterion over `f`, with the as-of constants inlined. */
function criterionSource(c: TypingCriterion, ctx: AsOfContext, thresholdsFen: (name: string) => number): string {
  switch (c.kind) {
    case 'establishedYearsAtLeast':
      return `f.establishedOn <= ${num(ctx.reachedYears(c.years))}`;
    case 'taxRegisteredYearsAtLeast':
      return `f.taxRegisteredOn <= ${num(ctx.reachedYears(c.years))}`;
    case 'revenueAtLeast':
      return `(f.reportYear === ${num(ctx.lastYear)} && f.reportFiled && f.revenueFen >= ${num(thresholdsFen(c.threshold))})`;
    case 'taxPaidAny':
      return '(f.vatPaidFen > 0 || f.iitPaidFen > 0)';
    case 'taxPaidAtLeast':
      return `f.vatPaidFen + f.iitPaidFen >= ${num(thresholdsFen(c.threshold))}`;
    case 'insuredHeadcountBetween':
      return c.max === null
        ? `f.insuredHeadcount >= ${num(c.min)}`
        : `(f.insuredHeadcount >= ${num(c.min)} && f.insuredHeadcount <= ${num(c.max)})`;
    case 'generalTaxpayer':
      return c.taxPaidThreshold === null
        ? 'f.generalTaxpayer'
        : `(f.generalTaxpayer && f.vatPaidFen + f.iitPaidFen >= ${num(thresholdsFen(c.taxPaidThreshold))})`;
    case 'trademarksInUseAtLeast':
      return `f.trademarksInUse >= ${num(c.min)}`;
    case 'patentsAtLeast':
      return `f.patents >= ${num(c.min)}`;
  }
}

/**
 * Compiles the typing rules of a rule set, for one as-of date, into a single function with
 * every date and threshold inlined — the fast path a run uses for millions of businesses.
 * Only validated numbers from the rule set and the as-of date enter the generated source.
 */
function compileFastPath(rs: RuleSet, ctx: AsOfContext, thresholdsFen: (name: string) => number): (f: BusinessFacts) => number {
  const all = (list: readonly TypingCriterion[]) =>
    list.length === 0 ? 'true' : list.map((c) => `(${criterionSource(c, ctx, thresholdsFen)})`).join(' && ');
  const any = (list: readonly TypingCriterion[]) =>
    `(${list.map((c) => `(${criterionSource(c, ctx, thresholdsFen)})`).join(' || ')})`;
  const t = rs.typing;
  const src = [
    '"use strict";',
    `if (!(f.status === "active" && (f.establishedOn >= ${num(ctx.yearStart)} || (f.reportYear === ${num(ctx.lastYear)} && f.reportFiled))`,
    `  && !f.abnormalOperation && !f.seriousIllegal && !f.taxNonNormal && (f.seasonal || !(f.suspendedUntil >= ${num(ctx.asOf)})))) return 0;`,
    t.newThisYearIsSurvival.applies ? `if (f.establishedOn >= ${num(ctx.yearStart)}) return 1;` : '',
    `if (${all(t.development.gates)} && ${any(t.development.anyOf)}) return 3;`,
    `if (${all(t.growth.gates)} && ${any(t.growth.anyOf)}) return 2;`,
    'return 1;',
  ].join('\n');
  return new Function('f', src) as (f: BusinessFacts) => number;
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
}

/** Compiles a rule set's typing criteria into a {@link TypingEngine}. */
export function compileTyping(rs: RuleSet): TypingEngine {
  const thresholdsFen = (name: string) => Math.round((rs.thresholds[name] as number) * 100);
  const basic = compileBasic(rs);
  const growthGates = rs.typing.growth.gates.map((c) => compileCriterion(c, thresholdsFen));
  const growthAny = rs.typing.growth.anyOf.map((c) => compileCriterion(c, thresholdsFen));
  const devGates = rs.typing.development.gates.map((c) => compileCriterion(c, thresholdsFen));
  const devAny = rs.typing.development.anyOf.map((c) => compileCriterion(c, thresholdsFen));
  const newIsSurvival = rs.typing.newThisYearIsSurvival.applies;
  const lookback = rs.mtyx.basic.penaltyLookbackYears;

  const all = (list: readonly CompiledCriterion[], f: BusinessFacts, ctx: AsOfContext) => {
    for (let i = 0; i < list.length; i++) if (!(list[i] as CompiledCriterion).test(f, ctx)) return false;
    return true;
  };
  const any = (list: readonly CompiledCriterion[], f: BusinessFacts, ctx: AsOfContext) => {
    for (let i = 0; i < list.length; i++) if ((list[i] as CompiledCriterion).test(f, ctx)) return true;
    return false;
  };

  // The closure-based evaluation, used to explain; the generated fast path must agree with it.
  const typeOfSlow = (f: BusinessFacts, ctx: AsOfContext): number => {
    if (!all(basic, f, ctx)) return 0;
    if (newIsSurvival && f.establishedOn >= ctx.yearStart) return 1;
    if (all(devGates, f, ctx) && any(devAny, f, ctx)) return 3;
    if (all(growthGates, f, ctx) && any(growthAny, f, ctx)) return 2;
    return 1;
  };
  let fastCtx: AsOfContext | undefined;
  let fast: (f: BusinessFacts) => number = () => 0;
  const typeOf = (f: BusinessFacts, ctx: AsOfContext): number => {
    if (ctx !== fastCtx) {
      fast = compileFastPath(rs, ctx, thresholdsFen);
      fastCtx = ctx;
    }
    return fast(f);
  };

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
    const reasons: Reason[] = [];
    const record = (list: readonly CompiledCriterion[]) => {
      let allMet = true;
      let anyMet = false;
      for (const c of list) {
        const met = c.test(f, ctx);
        allMet &&= met;
        anyMet ||= met;
        reasons.push({ criterion: c.id, met, evidence: c.evidence(f, ctx), clause: c.clause });
      }
      return { allMet, anyMet };
    };
    const basicOk = record(basic).allMet;
    const newThisYear = f.establishedOn >= ctx.yearStart;
    if (newIsSurvival) {
      reasons.push({
        criterion: 'survival.newThisYear',
        met: newThisYear,
        evidence: { source: 'registration', establishedOn: day(f.establishedOn), asOfYear: ctx.asOfYear },
        clause: rs.typing.newThisYearIsSurvival.clause as string,
      });
    }
    const gOk = record(growthGates).allMet && record(growthAny).anyMet;
    reasons.push({
      criterion: 'growth.qualifies',
      met: gOk,
      evidence: { gates: 'all', anyOf: 'one or more' },
      clause: rs.typing.growth.clause,
    });
    const dOk = record(devGates).allMet && record(devAny).anyMet;
    reasons.push({
      criterion: 'development.qualifies',
      met: dOk,
      evidence: { gates: 'all', anyOf: 'one or more' },
      clause: rs.typing.development.clause,
    });
    const code = typeOf(f, ctx);
    const type = TYPE_BY_CODE[code] as BusinessType;
    // The explanation, the closure evaluation and the generated fast path must agree; a
    // disagreement is a defect in the core, never a property of the data.
    const expected = !basicOk ? 0 : newIsSurvival && newThisYear ? 1 : dOk ? 3 : gOk ? 2 : 1;
    if (expected !== code || typeOfSlow(f, ctx) !== code) {
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
    const decision: TypingDecision = {
      creditCode: f.creditCode,
      region: f.divisionCode,
      ruleset: rs.ref,
      asOf: ctx.asOfText,
      type,
      label: TYPE_LABELS[type],
      mtyxBasicEligible: mtyxBasicOf(f, ctx, code),
      reasons,
    };
    return f.warnings.length > 0 ? { ...decision, warnings: f.warnings } : decision;
  };

  return Object.freeze({ ruleSet: rs, typeOf, mtyxBasicOf, decide });
}

/** Whether every typing basic-standard criterion (`basic.*`) of a decision's reasons is met. */
export function basicStandardMet(reasons: readonly { readonly criterion: string; readonly met: boolean }[]): boolean {
  return reasons.filter((r) => r.criterion.startsWith('basic.')).every((r) => r.met);
}
