/**
 * A year's 名特优新 round for an area (pure): every business of the input is typed (the quota
 * base is the growth + development count of each quota unit), the year's applications and
 * recommendations in the area are checked against the basic standard and the category
 * criteria, ranked, and recognised in rank order while the quota and the
 * one-operator-one-recognition-per-district rule allow.
 *
 * Ranking among eligible candidates (相同条件下经比选认定), deterministic:
 *   1. type: development before growth before survival (relaxed or recommended sources);
 *   2. more criteria met in the chosen category;
 *   3. more criteria met over all categories;
 *   4. longer in operation (earlier establishment date);
 *   5. credit code, ascending (a stable last resort, not a merit).
 * The quota of a unit is ⌊share × growth+development count⌋, and recognitions still valid
 * on the decision date count against it, as they count as 名特优新 businesses.
 */
import { addYears, type DayNumber, formatIsoDate, tryParseIsoDate, yearOf } from '../../lib/dates.js';
import { GetihuError, isGetihuError } from '../../lib/errors.js';
import { inArea, programmeRegionOf } from '../../lib/regions.js';
import { type BusinessFacts, normaliseFacts } from '../facts.js';
import type { MtyxCategory, RuleBook, RuleSet } from '../ruleSet.js';
import {
  asOfContext,
  type BusinessType,
  compileTyping,
  hasExcludingPenalty,
  type Reason,
  TYPE_BY_CODE,
  TYPE_RANK,
  type TypingEngine,
} from '../typing.js';
import { barEnd, barredOn, benefitsFrom, roundWindow, validityEnd } from './calendar.js';
import { type CandidateExtras, parseCandidateExtras } from './candidate.js';
import { assessCategories } from './categories.js';
import type { GrowthFigures } from './lifecycle.js';
import { growthFiguresOf, inLastYearOfValidity, type RenewalReview, reviewRenewal } from './renewal.js';
import { assessReview } from './review.js';

/** A recognition from an earlier round (the recognition ledger's entry, or an operator's file). */
export interface ExistingRecognition {
  readonly creditCode: string;
  readonly operatorId: string | null;
  readonly district: string;
  readonly category: MtyxCategory;
  readonly recognisedOn: string;
  /** The last valid day, after any extension. */
  readonly validUntil: string;
  /** Revoked (撤销) for fraud or bribery on this day: it ends, and bars a new application. */
  readonly revokedOn?: string | null;
  /** Cancelled (取消认定) at a re-check on this day: it ends, with no bar. */
  readonly cancelledOn?: string | null;
  /** Carried to another of Beijing, Tianjin and Hebei on this day: it ends here, with no bar. */
  readonly transferredOn?: string | null;
  /**
   * Carried in from another of the three (津市场监管政务〔2024〕9号 二(六)): held here, one per operator
   * as any other, but granted by no round of this area, so it takes none of its quota.
   */
  readonly carried?: boolean;
  /** For a carried recognition, the day it was first recognised where it came from (its renewal counts from it). */
  readonly firstRecognisedOn?: string;
  /** How it was granted, the type then, and the figures then: what a renewal review compares with. */
  readonly route?: 'application' | 'recommendation';
  readonly typeAtRecognition?: BusinessType | null;
  readonly figures?: GrowthFigures | null;
}

/**
 * How eligible candidates are ranked against the quota. The texts say only that the criteria are
 * the lowest bar and candidates are compared (具体标准为最低准入标准，相同条件下经比选认定): the order
 * is the project's, and provisional.
 */
const RANK_ORDER =
  'ranked by type, then criteria met in its category, then in all, then the earliest established: a provisional order of the project, the texts saying only 相同条件下经比选认定';

/** Inputs of {@link runRecognitionRound}. */
export interface RoundInput {
  readonly ruleBook: RuleBook;
  /** The typing run's as-of date (its year is the round's year). */
  readonly asOf: DayNumber;
  /**
   * The date recognitions are decided (default: the round's last decision day, 30 November of
   * the round year, or `today` when that is earlier).
   */
  readonly decidedOn?: DayNumber;
  /** Today, where the round is decided for real: no decision is dated after it. */
  readonly today?: DayNumber;
  /** A 6-digit division: `XX0000` for a whole province, else a district. */
  readonly area: string;
  /** Raw records: the classify input plus optional `honours` and `application`. */
  readonly records: Iterable<unknown>;
  readonly existing?: readonly ExistingRecognition[];
  readonly checksumAllowList?: ReadonlySet<string>;
}

/** Why a candidate ended where it did. */
export type CandidateOutcome = 'recognised' | 'ineligible' | 'noCategory' | 'quotaExhausted' | 'operatorAlreadyRecognised';

/** Why a candidate outside the growth and development types was admitted as a source (国市监注发〔2024〕10号 附件 二(四)1). */
export type SourceExemption = 'recommendation' | 'specialGroup' | null;

/** One candidate's result. */
export interface CandidateResult {
  readonly creditCode: string;
  readonly name: string | null;
  readonly operatorId: string | null;
  readonly district: string;
  readonly quotaUnit: string;
  readonly ruleset: string;
  readonly type: BusinessType;
  readonly route: 'application' | 'recommendation';
  /** Set when a survival business was admitted by recommendation or as a special group: the re-check keeps it. */
  readonly sourceExemption: SourceExemption;
  readonly category: MtyxCategory | null;
  readonly categoryChoice: string;
  readonly rank: number | null;
  readonly recognised: boolean;
  readonly outcome: CandidateOutcome;
  readonly explanation: string;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  /** 1 January of the year after the recognition (次年1月1日起享受相关扶持政策). */
  readonly benefitsFrom: string | null;
  /** Revenue, tax paid and insured headcount now: a later renewal review compares with them. */
  readonly figures: GrowthFigures;
  readonly reasons: readonly Reason[];
}

/** Quota use of one unit. */
export interface QuotaUse {
  readonly unit: string;
  readonly growthAndDevelopment: number;
  readonly share: number;
  readonly limit: number;
  readonly heldBefore: number;
  readonly recognisedThisRound: number;
  readonly remaining: number;
  readonly clause: string;
}

/** The round's outcome. */
export interface RoundResult {
  readonly area: string;
  readonly year: number;
  readonly asOf: string;
  readonly decidedOn: string;
  readonly quota: readonly QuotaUse[];
  readonly candidates: readonly CandidateResult[];
  readonly rejected: readonly {
    readonly index: number;
    readonly creditCode?: string;
    readonly error: { code: string; message: string };
  }[];
  readonly counts: Readonly<Record<CandidateOutcome, number>>;
  /** The renewal review of each recognition in the area in its last year of validity. */
  readonly renewals: readonly RenewalReview[];
}

interface Typed {
  readonly f: BusinessFacts;
  readonly x: CandidateExtras;
  readonly engine: TypingEngine;
  readonly typeCode: number;
}

function isoDay(text: string): DayNumber {
  const d = tryParseIsoDate(text);
  if (d === undefined) throw new GetihuError('INVALID_INPUT', `recognitions: '${text}' is not a YYYY-MM-DD date`);
  return d;
}

/** A held recognition's dates as day numbers, each parsed once where the ledger enters the round. */
interface HeldDays {
  readonly recognisedOn: DayNumber;
  readonly validUntil: DayNumber;
  /** Revoked, or cancelled or carried away, on: +∞ when not. */
  readonly revokedOn: DayNumber;
  readonly cancelledOn: DayNumber;
}

function heldDaysOf(r: ExistingRecognition): HeldDays {
  return {
    recognisedOn: isoDay(r.recognisedOn),
    validUntil: isoDay(r.validUntil),
    revokedOn: r.revokedOn == null ? Number.POSITIVE_INFINITY : isoDay(r.revokedOn),
    // Carried away ends it as a cancellation does: no longer held here, and no bar.
    cancelledOn: Math.min(
      r.cancelledOn == null ? Number.POSITIVE_INFINITY : isoDay(r.cancelledOn),
      r.transferredOn == null ? Number.POSITIVE_INFINITY : isoDay(r.transferredOn),
    ),
  };
}

/** The unit a division's quota is counted in: its province where the rule set counts province-wide, else the division itself. */
export function quotaUnitOf(rs: RuleSet, division: string): string {
  return rs.mtyx.quota.scope === 'province' ? `${division.slice(0, 2)}0000` : division;
}

/**
 * Whether a recommender may recommend in `district`: its level (given, else read from the first
 * character of its name — 区/县 district, 市 city, 省 province, as departments are named) must be
 * one the rule set allows there.
 */
function recommenderCheck(name: string | null, given: 'district' | 'city' | 'province' | null, rs: RuleSet, district: string) {
  const r = rs.mtyx.recommenders.districts?.[district] ?? rs.mtyx.recommenders;
  const first = name?.charAt(0);
  const level =
    given ?? (first === '区' || first === '县' ? 'district' : first === '市' ? 'city' : first === '省' ? 'province' : null);
  return { level, levels: r.levels, allowed: level !== null && r.levels.includes(level), clause: r.clause };
}

/** Runs one round. Pure: the same input gives the same result. */
export function runRecognitionRound(input: RoundInput): RoundResult {
  if (!/^\d{6}$/.test(input.area))
    throw new GetihuError('INVALID_ARGUMENT', `--area: '${input.area}' is not a 6-digit division code`);
  const ctx = asOfContext(input.asOf);
  const year = ctx.asOfYear;
  const engines = new Map<string, TypingEngine>();
  const engineFor = (division: string) => {
    const region = programmeRegionOf(division);
    let e = engines.get(region);
    if (e === undefined) {
      e = compileTyping(input.ruleBook.inForce(region, input.asOf));
      engines.set(region, e);
    }
    return e;
  };

  const areaWindow = roundWindow(engineFor(input.area).ruleSet, year, input.area);
  const today = input.today ?? Number.POSITIVE_INFINITY;
  const decidedOn = input.decidedOn ?? Math.min(areaWindow.decisionBy, today);
  // No decision before the applications open, after the round closes, or before the district's
  // category standards are public; none dated after today.
  const earliest = Math.max(areaWindow.from, areaWindow.standardsPublishedBy ?? areaWindow.from);
  const latest = Math.min(areaWindow.decisionBy, today);
  if (decidedOn < earliest || decidedOn > latest)
    throw new GetihuError(
      'INVALID_ARGUMENT',
      latest < earliest
        ? `decidedOn: the ${year} round of ${input.area} decides from ${formatIsoDate(earliest)} (${areaWindow.clause}), which is not yet`
        : `decidedOn: ${formatIsoDate(decidedOn)} is outside the ${year} round of ${input.area}, which decides between ${formatIsoDate(earliest)} and ${formatIsoDate(latest)} (${areaWindow.clause}${latest < areaWindow.decisionBy ? '; not after today' : ''})`,
      { field: 'decidedOn' },
    );

  const existing = input.existing ?? [];
  const heldDays = new Map(existing.map((r) => [r, heldDaysOf(r)]));
  // A round is not decided before a recognition of the area already decided this year: the
  // quota and the holders are counted on the decision day, and a day before them would count
  // none of them and recognise their holders again.
  const decidedBefore = existing
    .filter((r) => inArea(input.area, r.district) && r.carried !== true)
    .map((r) => (heldDays.get(r) as HeldDays).recognisedOn)
    .filter((on) => yearOf(on) === year)
    .reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  if (decidedOn < decidedBefore)
    throw new GetihuError(
      'INVALID_ARGUMENT',
      `decidedOn: ${formatIsoDate(decidedOn)} is before ${formatIsoDate(decidedBefore)}, when recognitions of ${input.area} in the ${year} round were already decided`,
      { field: 'decidedOn' },
    );
  const daysOf = (r: ExistingRecognition) => heldDays.get(r) as HeldDays;
  // Recognitions in the area in their last year of validity on the decision date: reviewed for renewal.
  const due = new Map<string, ExistingRecognition>();
  for (const r of existing) {
    const d = daysOf(r);
    const ended = d.revokedOn <= decidedOn || d.cancelledOn <= decidedOn;
    if (!ended && d.recognisedOn <= decidedOn && inLastYearOfValidity(d.validUntil, decidedOn) && inArea(input.area, r.district))
      due.set(r.creditCode, r);
  }
  const dueFacts = new Map<string, Typed>();
  // The operator each holder last reported changing to (变更经营者的，要在变更后及时报告).
  const holders = new Map(existing.map((r) => [r.creditCode, r]));
  const reportedOperator = new Map<string, string>();

  const base = new Map<string, number>();
  const candidates: Typed[] = [];
  const rejected: { index: number; creditCode?: string; error: { code: string; message: string } }[] = [];
  let index = 0;
  for (const raw of input.records) {
    index++;
    try {
      const f = normaliseFacts(raw, { checksumAllowList: input.checksumAllowList ?? new Set() });
      const engine = engineFor(f.divisionCode);
      const typeCode = f.establishedOn > input.asOf ? 0 : engine.typeOf(f, ctx);
      const unit = quotaUnitOf(engine.ruleSet, f.divisionCode);
      if (typeCode >= 2) base.set(unit, (base.get(unit) ?? 0) + 1);
      const x = parseCandidateExtras(raw as Record<string, unknown>);
      if (x.application !== null && x.application.year === year && inArea(input.area, f.divisionCode)) {
        candidates.push({ f, x, engine, typeCode });
      }
      if (due.has(f.creditCode)) dueFacts.set(f.creditCode, { f, x, engine, typeCode });
      const held = holders.get(f.creditCode);
      if (held !== undefined) {
        const since = daysOf(held).recognisedOn;
        const change = x.reports
          .filter((p) => p.operatorChanged && p.newOperatorId != null)
          .filter((p) => {
            const on = isoDay(p.reportedOn);
            return on >= since && on <= decidedOn;
          })
          .sort((p, q) => (p.reportedOn < q.reportedOn ? -1 : 1))
          .at(-1);
        if (change?.newOperatorId != null) reportedOperator.set(f.creditCode, change.newOperatorId);
      }
    } catch (err) {
      if (!isGetihuError(err)) throw err;
      const code = (raw as { creditCode?: unknown } | null)?.creditCode;
      rejected.push({
        index,
        ...(typeof code === 'string' ? { creditCode: code } : {}),
        error: { code: err.code, message: err.message },
      });
    }
  }

  const validOn = (r: ExistingRecognition, on: DayNumber) => {
    const d = daysOf(r);
    return d.recognisedOn <= on && on <= d.validUntil && on < d.revokedOn && on < d.cancelledOn;
  };
  const heldBefore = new Map<string, number>();
  const operatorHolds = new Set<string>();
  const holding = new Map<string, ExistingRecognition>();
  for (const r of existing) {
    if (!validOn(r, decidedOn)) continue;
    holding.set(r.creditCode, r);
    const operator = reportedOperator.get(r.creditCode) ?? r.operatorId;
    if (operator !== null) operatorHolds.add(`${operator}|${r.district}`);
    if (r.carried === true) continue;
    const e = engineFor(r.district);
    const unit = quotaUnitOf(e.ruleSet, r.district);
    heldBefore.set(unit, (heldBefore.get(unit) ?? 0) + 1);
  }

  interface Assessed extends Typed {
    readonly eligible: boolean;
    readonly reasons: Reason[];
    readonly sourceExemption: SourceExemption;
    readonly category: MtyxCategory | null;
    readonly choice: string;
    readonly metInCategory: number;
    readonly metTotal: number;
    readonly explanation: string;
  }
  const assessed: Assessed[] = candidates.map((c) => {
    const { f, x, engine } = c;
    const rs = engine.ruleSet;
    const a = x.application as NonNullable<CandidateExtras['application']>;
    const on = x.submittedOn;
    const type = TYPE_BY_CODE[c.typeCode] as BusinessType;
    const recommended = a.route === 'recommendation';
    const consent = !recommended || a.operatorConsent === true;
    const relaxed = a.specialGroup != null && a.review.relaxedSourceAccepted === true;
    const lookback = addYears(on, -rs.mtyx.basic.penaltyLookbackYears);
    const revokedWithinBar = existing.filter(
      (r) => r.creditCode === f.creditCode && r.revokedOn != null && barredOn(daysOf(r).revokedOn, on, rs),
    );
    const window = roundWindow(rs, year, f.divisionCode);
    const recommender = recommenderCheck(a.recommender ?? null, a.recommenderLevel ?? null, rs, f.divisionCode);
    const held = holding.get(f.creditCode);
    const basic: Reason[] = [
      { criterion: 'mtyx.typingBasic', met: c.typeCode >= 1, evidence: { type }, clause: rs.mtyx.lifecycle.clause },
      {
        criterion: 'mtyx.source',
        met: c.typeCode >= 2 || (recommended && consent) || (c.typeCode >= 1 && relaxed),
        evidence: {
          type,
          route: a.route,
          specialGroup: a.specialGroup ?? null,
          relaxedSourceAccepted: a.review.relaxedSourceAccepted ?? null,
        },
        clause: rs.mtyx.basic.source,
      },
      {
        criterion: 'mtyx.applicationWindow',
        met: on >= window.from && on <= window.decisionBy && on <= decidedOn,
        evidence: {
          submittedOn: formatIsoDate(on),
          windowFrom: formatIsoDate(window.from),
          windowTo: formatIsoDate(window.decisionBy),
          decidedOn: formatIsoDate(decidedOn),
        },
        clause: window.clause,
      },
      // The review steps the rule set asks of this route, all of this year's round.
      ...assessReview(
        a.route,
        x.reviewSteps.filter((s) => s.year === year),
        on,
        decidedOn,
        rs,
      ),
      ...(recommended
        ? [
            {
              criterion: 'mtyx.recommender',
              met: recommender.allowed,
              evidence: { recommender: a.recommender ?? null, level: recommender.level, allowedLevels: recommender.levels },
              clause: recommender.clause,
            },
          ]
        : []),
      {
        criterion: 'mtyx.consent',
        met: consent,
        evidence: { route: a.route, operatorConsent: a.operatorConsent ?? null },
        clause: rs.mtyx.basic.source,
      },
      {
        criterion: 'mtyx.penalty',
        met: !hasExcludingPenalty(f, on, lookback),
        evidence: {
          source: 'marketCredit',
          windowFrom: formatIsoDate(lookback),
          windowTo: formatIsoDate(on),
          penaltiesOnFile: f.penalties.length,
        },
        clause: rs.mtyx.basic.penalty,
      },
      {
        criterion: 'mtyx.court',
        met: !f.operatorDishonest,
        evidence: { source: 'court', operatorDishonest: f.operatorDishonest },
        clause: rs.mtyx.basic.court,
      },
      {
        criterion: 'mtyx.reapplyBar',
        met: revokedWithinBar.length === 0,
        evidence: {
          revokedOn: revokedWithinBar.map((r) => r.revokedOn),
          barYears: rs.mtyx.lifecycle.reapplyBarYears,
          barredUntil: revokedWithinBar.map((r) => formatIsoDate(barEnd(daysOf(r).revokedOn, rs))),
        },
        clause: rs.mtyx.lifecycle.revocationClause,
      },
      {
        criterion: 'mtyx.notAlreadyRecognised',
        met: held === undefined,
        evidence:
          held === undefined
            ? { holdsValidRecognition: false }
            : {
                holdsValidRecognition: true,
                category: held.category,
                recognisedOn: held.recognisedOn,
                validUntil: held.validUntil,
                note: 'a holder is reviewed for extension in the last year of its validity, not recognised anew',
              },
        clause: rs.mtyx.lifecycle.clause,
      },
    ];
    const basicOk = basic.every((r) => r.met);
    const cat = assessCategories(f, x, rs, on);
    const metTotal = Object.values(cat.met).reduce((n, l) => n + l.length, 0);
    const failed = basic.filter((r) => !r.met).map((r) => r.criterion);
    return {
      ...c,
      eligible: basicOk && cat.category !== null,
      reasons: [...basic, ...cat.reasons],
      // Admitted outside growth and development: by a consented recommendation, else as a special group.
      sourceExemption: c.typeCode >= 2 ? null : recommended && consent ? 'recommendation' : relaxed ? 'specialGroup' : null,
      category: cat.category,
      choice: cat.choice,
      metInCategory: cat.category === null ? 0 : cat.met[cat.category].length,
      metTotal,
      explanation: !basicOk ? `basic standard not met: ${failed.join(', ')}` : cat.category === null ? cat.choice : '',
    };
  });

  // 比选 (相同条件下经比选认定): the texts set no order; this one is the project's, and provisional.
  const eligible = assessed.filter((a) => a.eligible);
  eligible.sort(
    (p, q) =>
      TYPE_RANK[TYPE_BY_CODE[q.typeCode] as BusinessType] - TYPE_RANK[TYPE_BY_CODE[p.typeCode] as BusinessType] ||
      q.metInCategory - p.metInCategory ||
      q.metTotal - p.metTotal ||
      p.f.establishedOn - q.f.establishedOn ||
      (p.f.creditCode < q.f.creditCode ? -1 : p.f.creditCode > q.f.creditCode ? 1 : 0),
  );
  const limitOf = (rs: RuleSet, unit: string) =>
    Math.floor(((base.get(unit) ?? 0) * Math.round(rs.mtyx.quota.share * 10_000)) / 10_000);
  const used = new Map<string, number>();
  const results = new Map<Assessed, CandidateResult>();
  eligible.forEach((a, i) => {
    const rs = a.engine.ruleSet;
    const validUntil = validityEnd(decidedOn, rs);
    const unit = quotaUnitOf(rs, a.f.divisionCode);
    const opKey = a.f.operatorId === null ? null : `${a.f.operatorId}|${a.f.divisionCode}`;
    const limit = limitOf(rs, unit);
    const taken = (heldBefore.get(unit) ?? 0) + (used.get(unit) ?? 0);
    let outcome: CandidateOutcome;
    let explanation: string;
    if (opKey !== null && operatorHolds.has(opKey)) {
      outcome = 'operatorAlreadyRecognised';
      explanation = `operator ${a.f.operatorId} already holds or was just given a recognition in district ${a.f.divisionCode} (${rs.mtyx.onePerOperatorPerDistrict})`;
    } else if (taken >= limit) {
      outcome = 'quotaExhausted';
      explanation = `quota of unit ${unit} is used up: ${taken} of ${limit} (${rs.mtyx.quota.clause})`;
    } else {
      outcome = 'recognised';
      explanation = `rank ${i + 1} within quota of unit ${unit} (${taken + 1} of ${limit}; ${RANK_ORDER}); category ${a.category}: ${a.choice}`;
      used.set(unit, (used.get(unit) ?? 0) + 1);
      if (opKey !== null) operatorHolds.add(opKey);
    }
    results.set(a, toResult(a, unit, i + 1, outcome, explanation, outcome === 'recognised' ? [decidedOn, validUntil] : null));
  });
  for (const a of assessed) {
    if (results.has(a)) continue;
    const unit = quotaUnitOf(a.engine.ruleSet, a.f.divisionCode);
    results.set(
      a,
      toResult(
        a,
        unit,
        null,
        a.category === null && a.explanation.startsWith('no category') ? 'noCategory' : 'ineligible',
        a.explanation,
        null,
      ),
    );
  }

  const ordered = [...eligible.map((a) => results.get(a) as CandidateResult)];
  const rest = assessed.filter((a) => !a.eligible).map((a) => results.get(a) as CandidateResult);
  rest.sort((p, q) => (p.creditCode < q.creditCode ? -1 : p.creditCode > q.creditCode ? 1 : 0));
  const candidatesOut = [...ordered, ...rest];

  const units = new Map<string, RuleSet>();
  for (const a of assessed) units.set(quotaUnitOf(a.engine.ruleSet, a.f.divisionCode), a.engine.ruleSet);
  const quota: QuotaUse[] = [...units.keys()].sort().map((unit) => {
    const rs = units.get(unit) as RuleSet;
    const limit = limitOf(rs, unit);
    const held = heldBefore.get(unit) ?? 0;
    const now = used.get(unit) ?? 0;
    return {
      unit,
      growthAndDevelopment: base.get(unit) ?? 0,
      share: rs.mtyx.quota.share,
      limit,
      heldBefore: held,
      recognisedThisRound: now,
      remaining: Math.max(0, limit - held - now),
      clause: rs.mtyx.quota.clause,
    };
  });
  const counts: Record<CandidateOutcome, number> = {
    recognised: 0,
    ineligible: 0,
    noCategory: 0,
    quotaExhausted: 0,
    operatorAlreadyRecognised: 0,
  };
  for (const c of candidatesOut) counts[c.outcome]++;
  const renewals = [...due.values()]
    .sort((p, q) => (p.creditCode < q.creditCode ? -1 : p.creditCode > q.creditCode ? 1 : 0))
    .map((r) => {
      const t = dueFacts.get(r.creditCode);
      return reviewRenewal(
        r,
        t === undefined ? null : { f: t.f, x: t.x, type: TYPE_BY_CODE[t.typeCode] as BusinessType },
        decidedOn,
        year,
        engineFor(r.district).ruleSet,
      );
    });
  return {
    area: input.area,
    year,
    asOf: ctx.asOfText,
    decidedOn: formatIsoDate(decidedOn),
    quota,
    candidates: candidatesOut,
    rejected,
    counts,
    renewals,
  };

  function toResult(
    a: Assessed,
    unit: string,
    rank: number | null,
    outcome: CandidateOutcome,
    explanation: string,
    validity: [DayNumber, DayNumber] | null,
  ): CandidateResult {
    return {
      creditCode: a.f.creditCode,
      name: a.f.name,
      operatorId: a.f.operatorId,
      district: a.f.divisionCode,
      quotaUnit: unit,
      ruleset: a.engine.ruleSet.ref,
      type: TYPE_BY_CODE[a.typeCode] as BusinessType,
      route: (a.x.application as NonNullable<CandidateExtras['application']>).route,
      sourceExemption: a.sourceExemption,
      category: a.category,
      categoryChoice: a.choice,
      rank,
      recognised: outcome === 'recognised',
      outcome,
      explanation,
      validFrom: validity === null ? null : formatIsoDate(validity[0]),
      validUntil: validity === null ? null : formatIsoDate(validity[1]),
      benefitsFrom: validity === null ? null : formatIsoDate(benefitsFrom(validity[0])),
      figures: growthFiguresOf(a.f),
      reasons: a.reasons,
    };
  }
}
