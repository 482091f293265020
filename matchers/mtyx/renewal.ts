/**
 * The renewal review (pure) a round holds for each recognition in the last year of its validity
 * (国市监注发〔2024〕10号 附件 二(六); 津市场监管政务〔2024〕9号 附件2 五(一)–(四); the Beijing
 * district plans 三(五)A–D): extended by 3 years if any of
 *   A. revenue, tax or employment grew clearly over the 3 years (against the figures the
 *      recognition was granted on);
 *   B. a government award of district level or above within 3 years (区级以上: the district
 *      level itself included, as 以上 includes its own level in Chinese legal usage);
 *   C. the type rose since recognition (survival → growth, growth → development);
 *   D. for a recommended business, the recommending department agrees — read as the department
 *      recommending the business again in the renewal year.
 * A holder needs no application for this: the recognising department reviews it.
 */
import { type DayNumber, formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import type { BusinessFacts } from '../facts.js';
import type { RuleSet } from '../ruleSet.js';
import type { BusinessType } from '../typing.js';
import { extendedValidityEnd, lastYearOfValidityFrom } from './calendar.js';
import { type CandidateExtras, LEVEL_RANK } from './candidate.js';
import { decideRenewal, type GrowthFigures, type RenewalDecision } from './lifecycle.js';
import type { ExistingRecognition } from './round.js';

/** The figures "clear growth" is measured on, from a business's facts. */
export function growthFiguresOf(f: BusinessFacts): GrowthFigures {
  return {
    revenueYuan: f.present.annualReport && f.reportFiled ? f.revenueFen / 100 : null,
    taxPaidYuan: f.present.tax ? (f.vatPaidFen + f.iitPaidFen) / 100 : null,
    insuredHeadcount: f.present.socialInsurance ? f.insuredHeadcount : null,
  };
}

/** Whether a recognition valid until `validUntil` is in its last year of validity on `on`. */
export function inLastYearOfValidity(validUntil: DayNumber, on: DayNumber): boolean {
  return on >= lastYearOfValidityFrom(validUntil) && on <= validUntil;
}

/** The outcome of one renewal review. */
export interface RenewalReview {
  readonly creditCode: string;
  readonly district: string;
  readonly category: ExistingRecognition['category'];
  readonly recognisedOn: string;
  readonly validUntil: string;
  /** The rule set the review applied. */
  readonly ruleset: string;
  readonly extend: boolean;
  /** The new last valid day, when extended. */
  readonly extendedUntil: string | null;
  readonly grounds: RenewalDecision['grounds'];
  readonly clause: string;
  readonly explanation: string;
}

/** Reviews `r` on `on` from the business's current facts and type (null: none on file). */
export function reviewRenewal(
  r: ExistingRecognition,
  now: { readonly f: BusinessFacts; readonly x: CandidateExtras; readonly type: BusinessType } | null,
  on: DayNumber,
  year: number,
  rs: RuleSet,
): RenewalReview {
  const validUntil = parseIsoDate(r.validUntil, 'validUntil');
  // A carried recognition is reviewed from the day it was first recognised, where it came from.
  const recognisedOn = r.firstRecognisedOn ?? r.recognisedOn;
  const base = {
    creditCode: r.creditCode,
    district: r.district,
    category: r.category,
    recognisedOn,
    validUntil: r.validUntil,
    ruleset: rs.ref,
    clause: rs.mtyx.lifecycle.renewalClause,
  };
  if (now === null)
    return { ...base, extend: false, extendedUntil: null, grounds: [], explanation: 'no facts on file for the review' };
  const typeNow = now.type;
  const decision = decideRenewal(
    {
      kind: 'recognised',
      on: parseIsoDate(recognisedOn, 'recognisedOn'),
      category: r.category,
      // Without the type at recognition (an older record), ground C cannot be shown.
      type: r.typeAtRecognition ?? typeNow,
      route: r.route ?? 'application',
      ...(r.figures == null ? {} : { figures: r.figures }),
    },
    {
      kind: 'renewalReview',
      on,
      type: typeNow,
      figures: growthFiguresOf(now.f),
      awardsOn: now.x.honours.awards
        .filter((a) => a.kind === 'government' && LEVEL_RANK[a.level] >= LEVEL_RANK.district)
        .map((a) => parseIsoDate(a.awardedOn)),
      recommenderConsents:
        r.route === 'recommendation' && now.x.application?.year === year && now.x.application.route === 'recommendation',
    },
    validUntil,
    rs,
  );
  const extendedUntil = decision.extend ? formatIsoDate(extendedValidityEnd(validUntil, rs)) : null;
  const met = decision.grounds.filter((g) => g.met).map((g) => g.ground);
  return {
    ...base,
    extend: decision.extend,
    extendedUntil,
    grounds: decision.grounds,
    explanation: decision.extend
      ? `extended to ${extendedUntil}: ${met.join(', ')} (${decision.clause})`
      : `not extended: no ground met; validity ends on ${r.validUntil} (${decision.clause})`,
  };
}
