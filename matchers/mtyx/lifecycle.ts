/**
 * The life of one 名特优新 recognition, as pure functions over its history (津市场监管政务〔2024〕9号 附件2 五;
 * 兴市监发〔2024〕53号 附件 三(五); 国市监注发〔2024〕10号 附件 二(六)):
 *   - valid for `validityYears` (3) from the recognition date;
 *   - a yearly information report by 31 July, and a re-check of the typing and 名特优新
 *     basic standards: recognition that no longer fits is cancelled (取消认定);
 *   - in the last year of validity, extended by `extensionYears` (3) if any of: clear growth
 *     of revenue, tax or employment over 3 years; a government award of district level or above
 *     within 3 years; a type upgrade since recognition; for a recommended business, the
 *     recommending department's consent;
 *   - revoked (撤销) for fraud or bribery, with no new application for `reapplyBarYears` (5).
 */
import { addYears, type DayNumber, formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import type { MtyxCategory, RuleSet } from '../ruleSet.js';
import { type BusinessType, TYPE_RANK } from '../typing.js';
import { barEnd, extendedValidityEnd, lastYearOfValidityFrom, reportYearsDue, validityEnd } from './calendar.js';
import type { SourceExemption } from './round.js';

/** Figures compared for "clear growth" (明显增长) over the validity period. */
export interface GrowthFigures {
  readonly revenueYuan: number | null;
  readonly taxPaidYuan: number | null;
  readonly insuredHeadcount: number | null;
}

/** One event in a recognition's history. Dates are day numbers. */
export type RecognitionEvent =
  | {
      readonly kind: 'recognised';
      readonly on: DayNumber;
      readonly category: MtyxCategory;
      readonly type: BusinessType;
      readonly route: 'application' | 'recommendation';
      readonly figures?: GrowthFigures;
    }
  | { readonly kind: 'report'; readonly on: DayNumber; readonly year: number }
  | {
      readonly kind: 'recheck';
      readonly on: DayNumber;
      readonly typingBasicMet: boolean;
      readonly mtyxBasicMet: boolean;
      readonly type: BusinessType;
    }
  | {
      readonly kind: 'renewalReview';
      readonly on: DayNumber;
      readonly type: BusinessType;
      readonly figures?: GrowthFigures;
      /** Government awards of district level or above: their dates. */
      readonly awardsOn?: readonly DayNumber[];
      readonly recommenderConsents?: boolean;
    }
  | { readonly kind: 'revoked'; readonly on: DayNumber; readonly reason: 'fraud' | 'bribery' };

/** Where a recognition stands on a date. */
export interface RecognitionStatus {
  readonly status: 'none' | 'active' | 'expired' | 'cancelled' | 'revoked';
  readonly category: MtyxCategory | null;
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  /** Until when (inclusive) no new application is accepted, after a revocation. */
  readonly barredUntil: string | null;
  readonly reportsMissing: readonly number[];
  readonly history: readonly string[];
}

/** The outcome of a renewal review. */
export interface RenewalDecision {
  readonly extend: boolean;
  readonly inLastYear: boolean;
  readonly grounds: readonly {
    readonly ground: 'growth' | 'award' | 'typeUpgrade' | 'recommenderConsent';
    readonly met: boolean;
    readonly detail: string;
  }[];
  readonly clause: string;
}

function grewClearly(before: number | null | undefined, after: number | null | undefined, percent: number): boolean {
  if (before == null || after == null) return false;
  if (before <= 0) return after > 0;
  return (after - before) * 100 >= before * percent;
}

/**
 * Decides a renewal review held on `review.on` for a recognition valid until `validUntil`.
 * Only a review inside the last year of validity can extend.
 */
export function decideRenewal(
  recognised: Extract<RecognitionEvent, { kind: 'recognised' }>,
  review: Extract<RecognitionEvent, { kind: 'renewalReview' }>,
  validUntil: DayNumber,
  rs: RuleSet,
): RenewalDecision {
  const lastYearFrom = lastYearOfValidityFrom(validUntil);
  const inLastYear = review.on >= lastYearFrom && review.on <= validUntil;
  const pct = rs.thresholds.renewalGrowthPercent ?? 10;
  const b = recognised.figures;
  const a = review.figures;
  const grew = (['revenueYuan', 'taxPaidYuan', 'insuredHeadcount'] as const).filter((k) => grewClearly(b?.[k], a?.[k], pct));
  const awardFrom = addYears(review.on, -3);
  const awards = (review.awardsOn ?? []).filter((d) => d >= awardFrom && d <= review.on);
  const upgraded = TYPE_RANK[review.type] > TYPE_RANK[recognised.type] && TYPE_RANK[recognised.type] >= 1;
  const consent = recognised.route === 'recommendation' && review.recommenderConsents === true;
  const grounds = [
    {
      ground: 'growth' as const,
      met: grew.length > 0,
      detail: grew.length > 0 ? `grew by ≥ ${pct}%: ${grew.join(', ')}` : `no figure grew by ≥ ${pct}%`,
    },
    {
      ground: 'award' as const,
      met: awards.length > 0,
      detail: `${awards.length} government award(s) of district level or above within 3 years`,
    },
    { ground: 'typeUpgrade' as const, met: upgraded, detail: `${recognised.type} at recognition, ${review.type} now` },
    {
      ground: 'recommenderConsent' as const,
      met: consent,
      detail:
        recognised.route === 'recommendation'
          ? `recommender consents: ${review.recommenderConsents === true}`
          : 'not a recommended recognition',
    },
  ];
  return { extend: inLastYear && grounds.some((g) => g.met), inLastYear, grounds, clause: rs.mtyx.lifecycle.renewalClause };
}

/** What the yearly re-check reads of a typing decision taken after the recognition. */
export interface RecheckFacts {
  readonly typingBasicMet: boolean;
  /** The 名特优新 basic standard as typing computes it: growth or development, no excluding penalty, operator not on the court list. */
  readonly mtyxBasicMet: boolean;
  /** The exclusions alone (no excluding penalty, operator not on the court list), without the type. */
  readonly exclusionsClear?: boolean;
  readonly type: BusinessType;
}

/**
 * The yearly re-check (国市监注发〔2024〕10号 附件 二(六); 津市场监管政务〔2024〕9号 附件2 五): a
 * recognised business must still meet the typing basic standard and the 名特优新 basic standard.
 * That standard's source condition (growth or development, 二(四)1) does not bind a business
 * admitted by a department's recommendation or as a special group (部门推荐的不受此限、适当放宽):
 * for it, the typing basic standard and the exclusions are re-checked, not the type.
 */
export function passesRecheck(r: RecheckFacts, exemption: SourceExemption = null): boolean {
  if (!r.typingBasicMet || TYPE_RANK[r.type] < 1) return false;
  return exemption === null ? r.mtyxBasicMet : (r.exclusionsClear ?? r.mtyxBasicMet);
}

/** A badge's change of status found by the yearly sweep. */
export interface BadgeChange {
  readonly status: 'expired' | 'cancelled';
  readonly reason: string;
}

/**
 * What the yearly sweep does to an active recognition on `on`: it expires after its last valid
 * day; it is cancelled (取消认定) when a typing decision taken after the recognition no longer
 * passes the re-check; otherwise it stays.
 */
export function badgeChangeOn(
  recognition: { readonly validFrom: string; readonly validUntil: string; readonly sourceExemption?: SourceExemption },
  decision: (RecheckFacts & { readonly asOf: string }) | null,
  on: DayNumber,
  rs: RuleSet,
): BadgeChange | null {
  const lc = rs.mtyx.lifecycle;
  const exemption = recognition.sourceExemption ?? null;
  if (on > parseIsoDate(recognition.validUntil))
    return { status: 'expired', reason: `validity ended on ${recognition.validUntil} (${lc.clause})` };
  if (decision !== null && decision.asOf > recognition.validFrom && !passesRecheck(decision, exemption)) {
    const failed = [
      decision.typingBasicMet ? null : 'typing basic standard not met',
      TYPE_RANK[decision.type] >= 1 ? null : `typed ${decision.type}`,
      exemption === null
        ? decision.mtyxBasicMet
          ? null
          : '名特优新 basic standard not met'
        : (decision.exclusionsClear ?? decision.mtyxBasicMet)
          ? null
          : 'an excluding penalty or the court list',
    ].filter((x) => x !== null);
    return { status: 'cancelled', reason: `cancelled at the re-check of ${decision.asOf}: ${failed.join('; ')} (${lc.clause})` };
  }
  return null;
}

/** The status of a recognition on `on`, from its history (events in any order). */
export function recognitionStatusOn(events: readonly RecognitionEvent[], on: DayNumber, rs: RuleSet): RecognitionStatus {
  const sorted = [...events].filter((e) => e.on <= on).sort((p, q) => p.on - q.on);
  const lc = rs.mtyx.lifecycle;
  const history: string[] = [];
  let current: Extract<RecognitionEvent, { kind: 'recognised' }> | null = null;
  let validUntil = Number.NaN;
  let ended: 'cancelled' | 'revoked' | null = null;
  let barredUntil = Number.NaN;
  const reports = new Set<number>();
  for (const e of sorted) {
    switch (e.kind) {
      case 'recognised':
        if (e.on <= barredUntil) {
          history.push(
            `${formatIsoDate(e.on)} recognition ignored: barred until ${formatIsoDate(barredUntil)} after a revocation (${lc.revocationClause})`,
          );
          break;
        }
        current = e;
        ended = null;
        validUntil = validityEnd(e.on, rs);
        history.push(`${formatIsoDate(e.on)} recognised as ${e.category}, valid until ${formatIsoDate(validUntil)}`);
        break;
      case 'report':
        reports.add(e.year);
        break;
      case 'recheck':
        if (current !== null && ended === null && e.on <= validUntil && !passesRecheck(e)) {
          ended = 'cancelled';
          history.push(`${formatIsoDate(e.on)} cancelled at the yearly re-check: basic standard no longer met (${lc.clause})`);
        }
        break;
      case 'renewalReview':
        if (current !== null && ended === null && e.on <= validUntil) {
          const d = decideRenewal(current, e, validUntil, rs);
          if (d.extend) {
            validUntil = extendedValidityEnd(validUntil, rs);
            history.push(
              `${formatIsoDate(e.on)} extended to ${formatIsoDate(validUntil)}: ${d.grounds
                .filter((g) => g.met)
                .map((g) => g.ground)
                .join(', ')}`,
            );
          } else {
            history.push(
              `${formatIsoDate(e.on)} not extended${d.inLastYear ? ': no ground met' : ': review outside the last year of validity'}`,
            );
          }
        }
        break;
      case 'revoked':
        if (current !== null) {
          ended = 'revoked';
          barredUntil = barEnd(e.on, rs);
          history.push(
            `${formatIsoDate(e.on)} revoked for ${e.reason}; no application until ${formatIsoDate(barredUntil)} (${lc.revocationClause})`,
          );
        }
        break;
    }
  }
  const reportsMissing = current === null ? [] : reportYearsDue(current.on, validUntil, on, rs).filter((y) => !reports.has(y));
  const status = current === null ? 'none' : ended !== null ? ended : on > validUntil ? 'expired' : 'active';
  return {
    status,
    category: current?.category ?? null,
    validFrom: current === null ? null : formatIsoDate(current.on),
    validUntil: current === null ? null : formatIsoDate(validUntil),
    barredUntil: Number.isNaN(barredUntil) ? null : formatIsoDate(barredUntil),
    reportsMissing,
    history,
  };
}

/** Whether a new application is accepted on `on` (not within the bar after a revocation). */
export function mayApply(events: readonly RecognitionEvent[], on: DayNumber, rs: RuleSet): boolean {
  const s = recognitionStatusOn(events, on, rs);
  return s.barredUntil === null || on > parseIsoDate(s.barredUntil);
}
