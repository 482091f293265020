/**
 * 京津冀 carry-over, decided (pure): a recognition whose transfer check found it carried
 * (津市场监管政务〔2024〕9号 二(六) 经三地认定的“名特优新”个体工商户跨区域迁移后，迁入地对认定的结果予以认可，
 * 按照本地公布的培育方案给予帮扶) moves into the destination's ledger once the destination has
 * registered the business: the same category, the same last valid day, the same first day for
 * its support, no share of the destination's quota (no round of the destination granted it), and
 * the destination district's one-recognition-per-operator rule (国市监注发〔2024〕10号 附件 二(四)3)
 * applied. The origin's recognition ends that day as transferred, naming where it went.
 */
import { type DayNumber, formatIsoDate } from '../../lib/dates.js';
import { programmeRegionOf } from '../../lib/regions.js';
import type { RuleBook } from '../ruleSet.js';
import type { BusinessType } from '../typing.js';
import { benefitsFrom } from './calendar.js';
import { type LedgerEntry, RecognitionLedger } from './ledger.js';
import type { GrowthFigures } from './lifecycle.js';
import type { SourceExemption } from './round.js';

export const CARRY_CLAUSE =
  '津市场监管政务〔2024〕9号 二(六) 经三地认定的“名特优新”个体工商户跨区域迁移后，迁入地对认定的结果予以认可，按照本地公布的培育方案给予帮扶';
const ONE_PER_OPERATOR_CLAUSE =
  '国市监注发〔2024〕10号 附件 二(四)3 同一自然人在同一县级行政区域内设立多个个体工商户的，最多只能有一个获得认定';

/** A transfer check that found the recognition carried. */
export interface CarriedCheck {
  readonly checkId: string;
  readonly creditCode: string;
  /** The code after the move; null when the business kept its code. */
  readonly newCreditCode: string | null;
  readonly toRegion: string;
}

/** The destination's registration of the business, as the market regulator's feed gives it. */
export interface DestinationRegistration {
  readonly creditCode: string;
  readonly regionCode: string;
  readonly status: string;
  readonly operatorId: string | null;
}

/** The recognition event a carry makes, in the round topic's terms. */
export interface CarriedRecognition {
  readonly creditCode: string;
  readonly district: string;
  readonly ruleset: string;
  readonly category: string;
  readonly operatorId: string | null;
  readonly route: 'application' | 'recommendation';
  readonly sourceExemption: SourceExemption;
  readonly type: BusinessType | null;
  readonly figures: GrowthFigures | null;
  /** The first day it was recognised, where it was first recognised. */
  readonly recognisedOn: DayNumber;
  readonly validUntil: DayNumber;
  readonly benefitsFrom: DayNumber;
  /** The day it is carried. */
  readonly on: DayNumber;
  readonly carriedFromCode: string;
  readonly carriedFromDistrict: string;
  readonly transferCheckId: string;
  readonly explanation: string;
  readonly reasons: readonly { readonly check: string; readonly met: boolean; readonly detail: string }[];
}

/** The origin's badge change when the business moved to a new code. */
export interface TransferredBadge {
  readonly creditCode: string;
  readonly category: string;
  readonly validUntil: DayNumber;
  readonly on: DayNumber;
  readonly reason: string;
}

/** What became of one carried check on a day. */
export type CarryOutcome =
  | { readonly outcome: 'carried'; readonly recognition: CarriedRecognition; readonly badge: TransferredBadge | null }
  | { readonly outcome: 'waiting'; readonly reason: string }
  | { readonly outcome: 'done'; readonly reason: string }
  | { readonly outcome: 'refused'; readonly reason: string };

const JJJ = new Set(['11', '12', '13']);
const provinceOf = (division: string) => division.slice(0, 2);

/**
 * Decides one carried check on `on` against the ledger and the destination's registration (null
 * while the destination has none on file: the carry waits for it).
 */
export function decideCarry(
  check: CarriedCheck,
  destination: DestinationRegistration | null,
  ledger: RecognitionLedger,
  on: DayNumber,
  book: RuleBook,
): CarryOutcome {
  const target = check.newCreditCode ?? check.creditCode;
  const origin: LedgerEntry | undefined = ledger
    .of(check.creditCode)
    .filter((e) => e.recognition.on <= on)
    .at(-1);
  if (origin === undefined) return { outcome: 'refused', reason: `${check.creditCode} holds no recognition on record` };
  const from = origin.recognition;
  const status = RecognitionLedger.statusOn(origin, on);
  if (status === 'transferred') return { outcome: 'done', reason: `already carried (${origin.ended?.reason ?? ''})` };
  if (provinceOf(from.district) === provinceOf(check.toRegion))
    return { outcome: 'done', reason: `the recognition is already held in ${from.district}` };
  if (status !== 'active')
    return { outcome: 'refused', reason: `the recognition is ${status} on ${formatIsoDate(on)}: nothing is left to carry` };
  if (!JJJ.has(provinceOf(from.district)) || !JJJ.has(provinceOf(check.toRegion)))
    return { outcome: 'refused', reason: 'mutual recognition covers moves between Beijing, Tianjin and Hebei only' };
  // Until the destination's registration is on file (the code registered in the destination's
  // province), the move has not happened: the carry waits for it.
  if (destination === null || provinceOf(destination.regionCode) !== provinceOf(check.toRegion))
    return {
      outcome: 'waiting',
      reason: `${target} is not yet registered in ${check.toRegion}: the recognition moves once the destination registers the business`,
    };
  const reasons: { check: string; met: boolean; detail: string }[] = [];
  const add = (c: string, met: boolean, detail: string) => reasons.push({ check: c, met, detail });
  add(
    'registeredInDestination',
    destination.status === 'active',
    `${target}: ${destination.status} in ${destination.regionCode}`,
  );
  const operator = from.operatorId;
  add(
    'sameOperator',
    operator !== null && destination.operatorId === operator,
    'the destination registration has the operator the recognition was granted to',
  );
  const district = destination.regionCode;
  const other = ledger
    .activeOn(on)
    .find(
      (e) =>
        e.recognition.creditCode !== target &&
        e.recognition.creditCode !== check.creditCode &&
        e.recognition.district === district &&
        operator !== null &&
        e.recognition.operatorId === operator,
    );
  add(
    'onePerOperator',
    other === undefined,
    other === undefined
      ? `the operator holds no other recognition in ${district} (${ONE_PER_OPERATOR_CLAUSE})`
      : `the operator already holds ${other.recognition.creditCode}'s recognition in ${district} (${ONE_PER_OPERATOR_CLAUSE})`,
  );
  const failed = reasons.filter((r) => !r.met);
  if (failed.length > 0) return { outcome: 'refused', reason: failed.map((r) => `${r.check}: ${r.detail}`).join('; ') };
  const firstDay = from.carriedFrom?.recognisedOn ?? from.on;
  const ruleset = book.inForce(programmeRegionOf(district), on).ref;
  const explanation =
    `carried from ${from.district} (${check.creditCode}), recognised there ${formatIsoDate(firstDay)} as ${from.category}, ` +
    `valid until ${formatIsoDate(origin.validUntil)}: held in ${district} as ${target} from ${formatIsoDate(on)} ` +
    `under its programme, outside its quota (${CARRY_CLAUSE})`;
  return {
    outcome: 'carried',
    recognition: {
      creditCode: target,
      district,
      ruleset,
      category: from.category,
      operatorId: operator,
      route: from.route,
      sourceExemption: from.sourceExemption,
      type: from.type,
      figures: from.figures,
      recognisedOn: firstDay,
      validUntil: origin.validUntil,
      benefitsFrom: benefitsFrom(firstDay),
      on,
      carriedFromCode: check.creditCode,
      carriedFromDistrict: from.district,
      transferCheckId: check.checkId,
      explanation,
      reasons,
    },
    badge:
      target === check.creditCode
        ? null
        : {
            creditCode: check.creditCode,
            category: from.category,
            validUntil: origin.validUntil,
            on,
            reason: `carried to ${district} as ${target} on ${formatIsoDate(on)} (${CARRY_CLAUSE})`,
          },
  };
}
