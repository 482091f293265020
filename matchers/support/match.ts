/**
 * Matching (精准帮扶): a business's type, its 名特优新 recognition and its facts → the measures of
 * its catalogue it is owed, each with why: which target held, which predicate, from which facts.
 * Pure: no IO, the same inputs always give the same measures in catalogue order.
 */
import { type DayNumber, dayNumber, formatIsoDate } from '../../lib/dates.js';
import type { BusinessFacts } from '../facts.js';
import { benefitsFrom as benefitsFromDay } from '../mtyx/calendar.js';
import type { MtyxCategory } from '../ruleSet.js';
import { type BusinessType, reportYearOf } from '../typing.js';
import { type Catalogue, type Channel, MEASURE_TYPES, type Measure, type MeasurePredicate, measureInForce } from './catalogue.js';

/** A 名特优新 recognition as matching needs it. */
export interface SupportRecognition {
  readonly category: MtyxCategory;
  readonly recognisedOn: DayNumber;
  readonly validUntil: DayNumber;
  readonly revokedOn: DayNumber | null;
}

/** One reason a measure matched. */
export interface Because {
  readonly predicate: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly clause?: string;
}

/** A measure a business is owed. */
export interface MatchedMeasure {
  readonly id: string;
  readonly title: string;
  readonly department: string;
  readonly clause: string;
  readonly channel: Channel;
  readonly noApplication: boolean;
  /** The text names no department for it: `department` is the project's reading. */
  readonly departmentInferred?: boolean;
  /** The last day the text gives it, when it gives one. */
  readonly until?: string;
  /** What the business must still meet that no data shows, each with why (see the catalogue). */
  readonly conditions?: readonly string[];
  readonly because: readonly Because[];
}

/**
 * Recognised businesses enjoy support from 1 January of the year after recognition
 * (国市监注发〔2024〕10号 附件 二(五)1), until the recognition ends or is revoked.
 */
export const BENEFITS_FROM_CLAUSE = '国市监注发〔2024〕10号 附件 二(五)1';

/** The first day a recognition's support applies (matchers/mtyx/calendar.ts). */
export function benefitsFrom(r: SupportRecognition): DayNumber {
  return benefitsFromDay(r.recognisedOn);
}

/** Whether a recognition's support applies on `on`. */
export function recognitionInEffect(r: SupportRecognition, on: DayNumber): boolean {
  return benefitsFrom(r) <= on && on <= r.validUntil && (r.revokedOn === null || r.revokedOn > on);
}

/**
 * The predicates a measure may add to its targets, each written once: whether it holds, the facts
 * it shows, and whether those are the same for every business it holds for on one as-of date.
 */
const PREDICATES: {
  readonly [K in MeasurePredicate['kind']]: {
    readonly holds: (input: SupportInput, inEffect: boolean) => boolean;
    readonly evidence: (input: SupportInput) => Readonly<Record<string, unknown>>;
    readonly sameEvidence: boolean;
  };
} = {
  creditToRepair: {
    holds: ({ facts: f, asOf }) => f.abnormalOperation || f.penalties.some((x) => unrepaired(x, asOf)),
    evidence: ({ facts: f, asOf }) => ({
      source: 'marketCredit',
      abnormalOperation: f.abnormalOperation,
      unrepairedPenalties: f.penalties.filter((x) => unrepaired(x, asOf)).map((x) => formatIsoDate(x.decidedOn)),
    }),
    sameEvidence: false,
  },
  annualReportMissing: {
    // The report the typing reads (`reportYearOf`): one whose filing season has closed.
    holds: ({ facts: f, asOf }) => {
      const year = reportYearOf(asOf);
      return !(f.reportYear === year && f.reportFiled) && f.establishedOn < dayNumber(year + 1, 1, 1);
    },
    evidence: ({ asOf }) => ({ source: 'annualReport', requiredYear: reportYearOf(asOf), filed: false }),
    sameEvidence: true,
  },
  noInsuredEmployees: {
    holds: ({ facts: f }) => f.insuredHeadcount === 0,
    evidence: () => ({ source: 'socialInsurance', insuredHeadcount: 0 }),
    sameEvidence: true,
  },
  hasInsuredEmployees: {
    holds: ({ facts: f }) => f.insuredHeadcount > 0,
    evidence: ({ facts: f }) => ({ source: 'socialInsurance', insuredHeadcount: f.insuredHeadcount }),
    sameEvidence: false,
  },
  noIntellectualProperty: {
    holds: ({ facts: f }) => f.trademarksInUse === 0 && f.patents === 0,
    evidence: () => ({ source: 'ip', trademarksInUse: 0, patents: 0 }),
    sameEvidence: true,
  },
  holdsIntellectualProperty: {
    holds: ({ facts: f }) => f.trademarksInUse > 0 || f.patents > 0,
    evidence: ({ facts: f }) => ({ source: 'ip', trademarksInUse: f.trademarksInUse, patents: f.patents }),
    sameEvidence: false,
  },
  mtyxBasicNotRecognised: {
    holds: (input, inEffect) => input.mtyxBasicEligible && !inEffect,
    evidence: () => ({ mtyxBasicEligible: true, recognitionInEffect: false }),
    sameEvidence: true,
  },
};

/** A fine-or-above penalty decided by `asOf` and not credit-repaired. */
const unrepaired = (x: BusinessFacts['penalties'][number], asOf: DayNumber) =>
  x.fineOrAbove && !x.repaired && x.decidedOn <= asOf;

const holds = (p: MeasurePredicate, input: SupportInput, inEffect: boolean): boolean => PREDICATES[p.kind].holds(input, inEffect);

/** A predicate's reason when it holds, else null. */
function predicateHolds(p: MeasurePredicate, input: SupportInput, inEffect: boolean): Because | null {
  const row = PREDICATES[p.kind];
  return row.holds(input, inEffect) ? { predicate: p.kind, evidence: row.evidence(input) } : null;
}

/** What one business brings to matching. */
export interface SupportInput {
  readonly type: BusinessType;
  readonly facts: BusinessFacts;
  /** The typing decision's 名特优新 basic standard. */
  readonly mtyxBasicEligible: boolean;
  readonly recognition: SupportRecognition | null;
  readonly asOf: DayNumber;
}

/** A catalogue's measures, indexed for matching many businesses. */
export interface SupportMatcher {
  readonly catalogue: Catalogue;
  /** The measures owed, in catalogue order (a list may be shared between businesses: it is frozen). */
  match(input: SupportInput): readonly MatchedMeasure[];
  /**
   * What a recognition in effect on `on` adds to a type's measures: its category's, and the
   * types' it also gets — the measures a decision's support event cannot carry, since the
   * pipeline decides without the recognition ledger. Empty when none is in effect.
   */
  byRecognition(
    type: BusinessType,
    recognition: SupportRecognition | null,
    on: DayNumber,
    ifRecognised: readonly MatchedMeasure[],
  ): readonly MatchedMeasure[];
  /**
   * The measures of the types a recognition also gives (recognisedAlsoGet) that a business would
   * get, its predicates over facts tested now, while the facts are at hand: what the support event
   * carries for {@link byRecognition} to add once a recognition is known.
   */
  ifRecognised(input: SupportInput): readonly MatchedMeasure[];
  /** The catalogue's order of a measure id (for merging lists). */
  orderOf(id: string): number;
  /**
   * Where a measure stands in the catalogue version's list — its file's measures in order, then
   * its baseline's — which names it in a support event (-1: not in the list).
   */
  positionOf(id: string): number;
}

function recognitionEvidence(r: SupportRecognition): Record<string, unknown> {
  return {
    category: r.category,
    recognisedOn: formatIsoDate(r.recognisedOn),
    benefitsFrom: formatIsoDate(benefitsFrom(r)),
    validUntil: formatIsoDate(r.validUntil),
  };
}

/** Stands in for facts where none are needed: category measures have no predicates over facts. */
const NO_FACTS = Object.freeze({}) as BusinessFacts;

/** A measure a type always gets, and the measures it gets when their predicates hold, in catalogue order. */
type TypeEntry =
  | { readonly fixed: MatchedMeasure }
  | { readonly fixed: null; readonly measure: Measure; readonly first: Because };

/** A measure's entry for a first reason: its one shared result when it has no predicate, else what to test. */
const entryOf = (m: Measure, first: Because): TypeEntry =>
  m.targets.when.length === 0 ? { fixed: resultOf(m, [first]) } : { fixed: null, measure: m, first };

const resultOf = (m: Measure, because: readonly Because[]): MatchedMeasure =>
  Object.freeze({
    id: m.id,
    title: m.title,
    department: m.department,
    clause: m.clause,
    channel: m.channel,
    noApplication: m.noApplication,
    ...(m.departmentInferred ? { departmentInferred: true } : {}),
    ...(m.until === undefined ? {} : { until: m.until }),
    ...(m.conditions.length === 0 ? {} : { conditions: Object.freeze(m.conditions.map((c) => `${c.condition}（${c.why}）`)) }),
    because: Object.freeze(because),
  });

/**
 * Indexes the targetable measures of a catalogue (with its baseline's, when it has one) that the
 * text gives on `on`. A business without a recognition in effect — nearly all — is matched from
 * its type's entries alone, and a measure with no predicate is one shared, frozen result per type.
 */
export function compileSupport(catalogue: Catalogue, measures: readonly Measure[], on: DayNumber): SupportMatcher {
  const targetable = measures.filter((m) => m.targetable && measureInForce(m, on));
  const also = catalogue.recognisedAlsoGet;
  const byType = new Map<BusinessType, TypeEntry[]>();
  for (const type of MEASURE_TYPES) {
    const first: Because = Object.freeze({ predicate: 'type', evidence: Object.freeze({ type }) });
    byType.set(
      type,
      targetable.filter((m) => m.targets.types.includes(type)).map((m) => entryOf(m, first)),
    );
  }
  const withPredicates = (m: Measure, first: Because, input: SupportInput, inEffect: boolean): MatchedMeasure | null => {
    let because: Because[] | null = null;
    for (const p of m.targets.when) {
      const b = predicateHolds(p, input, inEffect);
      if (b === null) return null;
      if (because === null) because = [first];
      because.push(b);
    }
    return resultOf(m, because ?? [first]);
  };
  const alsoFirst = (r: SupportRecognition): Because | null =>
    also === undefined
      ? null
      : { predicate: 'recognisedAlsoGets', evidence: { ...recognitionEvidence(r), types: also.types }, clause: also.clause };
  const matchRecognised = (m: Measure, input: SupportInput, r: SupportRecognition): MatchedMeasure | null => {
    const t = m.targets;
    let first: Because | null = null;
    if (t.types.includes(input.type)) first = { predicate: 'type', evidence: { type: input.type } };
    else if (t.categories.includes(r.category))
      first = { predicate: 'category', evidence: recognitionEvidence(r), clause: BENEFITS_FROM_CLAUSE };
    else if (also !== undefined && t.types.some((x) => also.types.includes(x))) first = alsoFirst(r);
    return first === null ? null : withPredicates(m, first, input, true);
  };
  const listFor = (entries: readonly TypeEntry[], input: SupportInput, inEffect: boolean): MatchedMeasure[] => {
    const out: MatchedMeasure[] = [];
    for (const e of entries) {
      if (e.fixed !== null) out.push(e.fixed);
      else {
        const x = withPredicates(e.measure, e.first, input, inEffect);
        if (x !== null) out.push(x);
      }
    }
    return out;
  };
  const order = new Map(targetable.map((m, i) => [m.id, i]));
  const position = new Map(measures.map((m, i) => [m.id, i]));
  /** Lists by (type, which conditional measures hold), for one as-of date. */
  type Kept = { on: number; lists: Map<number, readonly MatchedMeasure[]> };
  const kept: Kept = { on: Number.NaN, lists: new Map() };
  const keptAlso: Kept = { on: Number.NaN, lists: new Map() };
  /**
   * A type's list for a business. Which conditional measures hold decides it: when each holds
   * with evidence every business shares, the whole list is the same for every business with that
   * outcome, and is kept.
   */
  const keptList = (
    entries: readonly TypeEntry[],
    input: SupportInput,
    inEffect: boolean,
    k: Kept,
  ): readonly MatchedMeasure[] => {
    let mask = 0;
    let bit = 1;
    let shared = true;
    for (const e of entries) {
      if (e.fixed !== null) continue;
      if (e.measure.targets.when.every((p) => holds(p, input, inEffect))) {
        mask |= bit;
        if (!e.measure.targets.when.every((p) => PREDICATES[p.kind].sameEvidence)) shared = false;
      }
      bit <<= 1;
    }
    if (!shared || bit > 2 ** 30) return listFor(entries, input, inEffect);
    if (input.asOf !== k.on) {
      k.lists.clear();
      k.on = input.asOf;
    }
    const key = mask * MEASURE_TYPES.length + MEASURE_TYPES.indexOf(input.type);
    const hit = k.lists.get(key);
    if (hit !== undefined) return hit;
    const list = Object.freeze(listFor(entries, input, inEffect));
    k.lists.set(key, list);
    return list;
  };
  // The measures of the types a recognition also gives, by the business's own type (see ifRecognised).
  const alsoByType = new Map<BusinessType, TypeEntry[]>();
  if (also !== undefined) {
    const first: Because = Object.freeze({
      predicate: 'recognisedAlsoGets',
      evidence: Object.freeze({ types: also.types }),
      clause: also.clause,
    });
    for (const type of MEASURE_TYPES)
      alsoByType.set(
        type,
        targetable
          .filter((m) => !m.targets.types.includes(type) && m.targets.types.some((x) => also.types.includes(x)))
          .map((m) => entryOf(m, first)),
      );
  }
  return Object.freeze({
    catalogue,
    orderOf: (id: string) => order.get(id) ?? Number.MAX_SAFE_INTEGER,
    positionOf: (id: string) => position.get(id) ?? -1,
    byRecognition(
      type: BusinessType,
      r: SupportRecognition | null,
      on: DayNumber,
      ifRecognised: readonly MatchedMeasure[],
    ): readonly MatchedMeasure[] {
      if (r === null || !recognitionInEffect(r, on)) return [];
      const carried = new Map(ifRecognised.map((m) => [m.id, m]));
      const out: MatchedMeasure[] = [];
      for (const m of targetable) {
        if (m.targets.types.includes(type)) continue;
        if (m.targets.categories.includes(r.category)) {
          // Category measures carry no predicates over facts (the catalogue refuses them): no facts are needed.
          const x = matchRecognised(m, { type, facts: NO_FACTS, mtyxBasicEligible: false, recognition: r, asOf: on }, r);
          if (x !== null) out.push(x);
          continue;
        }
        const held = carried.get(m.id);
        if (held !== undefined) {
          const first = alsoFirst(r);
          if (first !== null) out.push(resultOf(m, [first, ...held.because.slice(1)]));
        }
      }
      return out;
    },
    ifRecognised(input: SupportInput): readonly MatchedMeasure[] {
      return keptList(alsoByType.get(input.type) ?? [], input, true, keptAlso);
    },
    match(input: SupportInput): readonly MatchedMeasure[] {
      const out: MatchedMeasure[] = [];
      const r = input.recognition;
      if (r !== null && recognitionInEffect(r, input.asOf)) {
        for (const m of targetable) {
          const x = matchRecognised(m, input, r);
          if (x !== null) out.push(x);
        }
        return out;
      }
      return keptList(byType.get(input.type) ?? [], input, false, kept);
    },
  });
}

/** What a new decision changes in what a business is owed: measures withdrawn and added, by id. */
export function supportChange(
  before: readonly MatchedMeasure[],
  after: readonly MatchedMeasure[],
): { readonly withdrawn: readonly MatchedMeasure[]; readonly added: readonly MatchedMeasure[] } {
  const had = new Set(before.map((m) => m.id));
  const has = new Set(after.map((m) => m.id));
  return { withdrawn: before.filter((m) => !has.has(m.id)), added: after.filter((m) => !had.has(m.id)) };
}
