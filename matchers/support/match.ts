/**
 * Matching (精准帮扶): a business's type, its 名特优新 recognition and its facts → the measures of
 * its catalogue it is owed, each with why: which target held, which predicate, from which facts.
 * Pure: no IO, the same inputs always give the same measures in catalogue order.
 */
import { type DayNumber, dayNumber, formatIsoDate, yearOf } from '../../lib/dates.js';
import type { BusinessFacts } from '../facts.js';
import type { MtyxCategory } from '../ruleSet.js';
import type { BusinessType } from '../typing.js';
import type { Catalogue, Channel, Measure, MeasurePredicate } from './catalogue.js';

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
  readonly because: readonly Because[];
}

/**
 * Recognised businesses enjoy support from 1 January of the year after recognition
 * (国市监注发〔2024〕10号 附件 二(五)1), until the recognition ends or is revoked.
 */
export const BENEFITS_FROM_CLAUSE = '国市监注发〔2024〕10号 附件 二(五)1';

/** The first day a recognition's support applies. */
export function benefitsFrom(r: SupportRecognition): DayNumber {
  return dayNumber(yearOf(r.recognisedOn) + 1, 1, 1);
}

/** Whether a recognition's support applies on `on`. */
export function recognitionInEffect(r: SupportRecognition, on: DayNumber): boolean {
  return benefitsFrom(r) <= on && on <= r.validUntil && (r.revokedOn === null || r.revokedOn > on);
}

function predicateHolds(p: MeasurePredicate, input: SupportInput, inEffect: boolean): Because | null {
  const f = input.facts;
  const asOf = input.asOf;
  switch (p.kind) {
    case 'creditToRepair': {
      const open = f.penalties.filter((x) => x.fineOrAbove && !x.repaired && x.decidedOn <= asOf);
      if (open.length === 0 && !f.abnormalOperation) return null;
      return {
        predicate: p.kind,
        evidence: {
          source: 'marketCredit',
          abnormalOperation: f.abnormalOperation,
          unrepairedPenalties: open.map((x) => formatIsoDate(x.decidedOn)),
        },
      };
    }
    case 'annualReportMissing': {
      const lastYear = yearOf(asOf) - 1;
      const missing = !(f.reportYear === lastYear && f.reportFiled) && f.establishedOn < dayNumber(yearOf(asOf), 1, 1);
      return missing ? { predicate: p.kind, evidence: { source: 'annualReport', requiredYear: lastYear, filed: false } } : null;
    }
    case 'noInsuredEmployees':
      return f.insuredHeadcount === 0
        ? { predicate: p.kind, evidence: { source: 'socialInsurance', insuredHeadcount: f.insuredHeadcount } }
        : null;
    case 'hasInsuredEmployees':
      return f.insuredHeadcount > 0
        ? { predicate: p.kind, evidence: { source: 'socialInsurance', insuredHeadcount: f.insuredHeadcount } }
        : null;
    case 'noIntellectualProperty':
      return f.trademarksInUse === 0 && f.patents === 0
        ? { predicate: p.kind, evidence: { source: 'ip', trademarksInUse: 0, patents: 0 } }
        : null;
    case 'holdsIntellectualProperty':
      return f.trademarksInUse > 0 || f.patents > 0
        ? { predicate: p.kind, evidence: { source: 'ip', trademarksInUse: f.trademarksInUse, patents: f.patents } }
        : null;
    case 'mtyxBasicNotRecognised':
      return input.mtyxBasicEligible && !inEffect
        ? { predicate: p.kind, evidence: { mtyxBasicEligible: true, recognitionInEffect: false } }
        : null;
  }
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
  match(input: SupportInput): MatchedMeasure[];
}

/** Indexes the targetable measures of a catalogue (with its baseline's, when it has one). */
export function compileSupport(catalogue: Catalogue, measures: readonly Measure[]): SupportMatcher {
  const targetable = measures.filter((m) => m.targetable);
  const also = catalogue.recognisedAlsoGet;
  const matchOne = (m: Measure, input: SupportInput, inEffect: boolean): MatchedMeasure | null => {
    const t = m.targets;
    let first: Because | null = null;
    if (t.types.includes(input.type)) first = { predicate: 'type', evidence: { type: input.type } };
    else if (inEffect && input.recognition !== null) {
      const r = input.recognition;
      const evidence = {
        category: r.category,
        recognisedOn: formatIsoDate(r.recognisedOn),
        benefitsFrom: formatIsoDate(benefitsFrom(r)),
        validUntil: formatIsoDate(r.validUntil),
      };
      if (t.categories.includes(r.category)) first = { predicate: 'category', evidence, clause: BENEFITS_FROM_CLAUSE };
      else if (also !== undefined && t.types.some((x) => also.types.includes(x)))
        first = { predicate: 'recognisedAlsoGets', evidence: { ...evidence, types: also.types }, clause: also.clause };
    }
    if (first === null) return null;
    const because: Because[] = [first];
    for (const p of t.when) {
      const b = predicateHolds(p, input, inEffect);
      if (b === null) return null;
      because.push(b);
    }
    return {
      id: m.id,
      title: m.title,
      department: m.department,
      clause: m.clause,
      channel: m.channel,
      noApplication: m.noApplication,
      because,
    };
  };
  return Object.freeze({
    catalogue,
    match(input: SupportInput): MatchedMeasure[] {
      const inEffect = input.recognition !== null && recognitionInEffect(input.recognition, input.asOf);
      const out: MatchedMeasure[] = [];
      for (const m of targetable) {
        const r = matchOne(m, input, inEffect);
        if (r !== null) out.push(r);
      }
      return out;
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
