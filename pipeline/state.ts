/**
 * Per-business state rebuilt from the fact topics: the latest fact of each kind (and of each
 * year, for yearly facts), the court list by operator, and an operator → businesses index.
 * `assembleInput` turns a business's state into the classify input the decision core reads,
 * listing the fact records it used.
 */
import { formatIsoDate } from '../lib/dates.js';
import { TOPICS, type TopicId } from '../lib/topics.js';

export type Fact = Record<string, unknown> & { source: { recordId: string; reportedAt?: number | null } };

/**
 * Whether `next` replaces `prev` of the same key: facts are ordered by when the agency knew them
 * (`source.reportedAt`), so an older export replayed after a correction changes nothing; a fact
 * with a time outranks one without; of two with the same time (or none), the later written wins.
 */
export function supersedes(next: Fact, prev: Fact | undefined): boolean {
  if (prev === undefined) return true;
  if (prev.source.recordId === next.source.recordId) return false;
  return (next.source.reportedAt ?? Number.NEGATIVE_INFINITY) >= (prev.source.reportedAt ?? Number.NEGATIVE_INFINITY);
}

/** What is known of one business. */
export interface BusinessState {
  registration?: Fact;
  marketCredit?: Fact;
  ip?: Fact;
  honours?: Fact;
  // The yearly facts by year. A business starts with one shared empty map for each (most never
  // have applications, reports or review steps, and an empty Map costs about 190 bytes), and a fact
  // replaces a map with a copy holding it: they hold a few entries, and none is written in place.
  annualReports: ReadonlyMap<number, Fact>;
  tax: ReadonlyMap<number, Fact>;
  socialInsurance: ReadonlyMap<number, Fact>;
  applications: ReadonlyMap<number, Fact>;
  /** 名特优新 yearly information reports, by year. */
  mtyxReports: ReadonlyMap<number, Fact>;
  /** 名特优新 review steps, by `year:step:stepId`. */
  reviewSteps: ReadonlyMap<string, Fact>;
}

const NONE: ReadonlyMap<never, Fact> = new Map<never, Fact>();

/** The topic ids by full topic name (without prefix). */
const BY_NAME = new Map<string, TopicId>(Object.entries(TOPICS).map(([id, t]) => [t.name, id as TopicId]));

/** The topic id of a (possibly prefixed) topic name. */
export function topicIdOf(topic: string): TopicId | undefined {
  const i = topic.indexOf('getihu.');
  return BY_NAME.get(i <= 0 ? topic : topic.slice(i));
}

/** A business with nothing known of it yet. */
export function emptyBusiness(): BusinessState {
  return {
    annualReports: NONE,
    tax: NONE,
    socialInsurance: NONE,
    applications: NONE,
    mtyxReports: NONE,
    reviewSteps: NONE,
  };
}

/**
 * Applies one fact of a business topic to what is known of the business (see `supersedes`): answers
 * whether it changed anything. Shared by the state held in memory and the one kept on disk.
 */
export function applyToBusiness(s: BusinessState, topic: TopicId, fact: Fact): boolean {
  switch (topic) {
    case 'registration':
    case 'marketCredit':
    case 'ip':
    case 'honours':
      if (!supersedes(fact, s[topic])) return false;
      s[topic] = fact;
      return true;
    case 'annualReport':
    case 'tax':
    case 'socialInsurance':
    case 'application':
    case 'mtyxReport': {
      const field =
        topic === 'annualReport'
          ? 'annualReports'
          : topic === 'application'
            ? 'applications'
            : topic === 'mtyxReport'
              ? 'mtyxReports'
              : topic;
      const year = fact.year as number;
      if (!supersedes(fact, s[field].get(year))) return false;
      s[field] = new Map(s[field]).set(year, fact);
      return true;
    }
    case 'reviewStep': {
      const key = `${fact.year}:${fact.step}:${fact.stepId}`;
      if (!supersedes(fact, s.reviewSteps.get(key))) return false;
      s.reviewSteps = new Map(s.reviewSteps).set(key, fact);
      return true;
    }
    default:
      return false;
  }
}

/** The operator a business is registered to, if any. */
export function operatorOf(s: BusinessState | undefined): string | null {
  return (s?.registration?.operatorId as string | null | undefined) ?? null;
}

/** What `assembleInput` reads: a business's facts and an operator's court record. */
export interface FactReader {
  business(code: string): BusinessState | undefined;
  courtOf(operatorId: string): Fact | undefined;
}

/** Where a snapshot read puts facts (`loadFacts`): the state in memory, or the one on disk. */
export interface FactSink {
  /** Applies one fact; answers the credit codes whose decision may change. */
  apply(topic: TopicId, value: Record<string, unknown>): readonly string[];
  /** Notes that the records of a topic-partition before `next` are applied (a checkpoint's offsets). */
  read?(topic: string, partition: number, next: number): void;
  /** Makes what was applied so far durable (after each batch read). */
  flush?(): Promise<void>;
}

/** All facts held in memory, with the indexes the reconciler needs. */
export class FactState implements FactReader, FactSink {
  readonly businesses = new Map<string, BusinessState>();
  readonly court = new Map<string, Fact>();
  readonly #operators = new Map<string, Set<string>>();
  /** Where court records are looked up, when the court list is kept elsewhere (see the constructor). */
  readonly #courtElsewhere: Pick<FactReader, 'courtOf'> | undefined;
  /**
   * One copy of each provenance's agency and feed name: each decoded fact brings its own copy of
   * the same few strings, and the state holds millions of facts.
   */
  readonly #names = new Map<string, string>();

  /**
   * `court`: where court records are looked up when the court list is not applied here. A run's
   * shares are partitions of businesses, while the court list, keyed by operator, spans every
   * partition: the run reads it once (see courtIndex.ts) and each share looks its operators up there.
   */
  constructor(o: { court?: Pick<FactReader, 'courtOf'> } = {}) {
    this.#courtElsewhere = o.court;
  }

  business(code: string): BusinessState | undefined {
    return this.businesses.get(code);
  }

  courtOf(operatorId: string): Fact | undefined {
    return this.#courtElsewhere === undefined ? this.court.get(operatorId) : this.#courtElsewhere.courtOf(operatorId);
  }

  /**
   * Applies one fact (a newer one of the same key replaces an older one; see `supersedes`). Returns the credit
   * codes whose decision may change: the business, or every business of a court-listed operator.
   */
  apply(topic: TopicId, value: Record<string, unknown>): readonly string[] {
    const fact = value as Fact;
    const source = fact.source as Fact['source'] & { agency?: unknown; feed?: unknown };
    if (typeof source.agency === 'string') source.agency = this.#name(source.agency);
    if (typeof source.feed === 'string') source.feed = this.#name(source.feed);
    if (topic === 'court') {
      const op = fact.operatorId as string;
      if (!supersedes(fact, this.court.get(op))) return [];
      this.court.set(op, fact);
      return [...(this.#operators.get(op) ?? [])];
    }
    const code = fact.creditCode as string;
    let s = this.businesses.get(code);
    if (s === undefined) {
      s = emptyBusiness();
      this.businesses.set(code, s);
    }
    const before = operatorOf(s);
    if (!applyToBusiness(s, topic, fact)) return [];
    const after = operatorOf(s);
    if (before !== after) {
      if (before !== null) this.#operators.get(before)?.delete(code);
      if (after !== null) {
        let set = this.#operators.get(after);
        if (set === undefined) {
          set = new Set();
          this.#operators.set(after, set);
        }
        set.add(code);
      }
    }
    return [code];
  }

  #name(text: string): string {
    const kept = this.#names.get(text);
    if (kept !== undefined) return kept;
    this.#names.set(text, text);
    return text;
  }

  /** Lets go of one business (its facts and its place in the operator index); the court list stays. */
  forget(code: string): void {
    const op = operatorOf(this.businesses.get(code));
    if (op !== null) {
      const set = this.#operators.get(op);
      set?.delete(code);
      if (set?.size === 0) this.#operators.delete(op);
    }
    this.businesses.delete(code);
  }

  /** Lets go of everything held. */
  clear(): void {
    this.businesses.clear();
    this.court.clear();
    this.#operators.clear();
  }

  /** The businesses an operator runs (as registered). */
  businessesOf(operatorId: string): readonly string[] {
    return [...(this.#operators.get(operatorId) ?? [])];
  }
}

const iso = (d: unknown): string | null => (d == null ? null : formatIsoDate(d as number));
const yuan = (fen: unknown): number => Number(fen) / 100;

function latest(map: ReadonlyMap<number, Fact>): Fact | undefined {
  let best: number | undefined;
  for (const y of map.keys()) if (best === undefined || y > best) best = y;
  return best === undefined ? undefined : map.get(best);
}

/**
 * `f`, its record id listed in `sources` when there is one. A function of the module rather than
 * a closure made for every business: under tsx each such closure is wrapped to keep its name.
 */
function used(sources: string[], f: Fact | undefined): Fact | undefined {
  if (f !== undefined) sources.push(f.source.recordId);
  return f;
}

/**
 * The classify input of a business for the year its decision reads (`lastYear`: `reportYearOf` the as-of date): that year's
 * annual report (else the latest on file), the latest tax position with last year's amounts,
 * last year's insured headcount, the operator's court record. `sources` lists the record ids used.
 */
export function assembleInput(
  state: FactReader,
  code: string,
  lastYear: number,
): { input: Record<string, unknown>; sources: string[] } {
  const s = state.business(code);
  const sources: string[] = [];
  const input: Record<string, unknown> = { creditCode: code };
  if (s === undefined) return { input, sources };
  const reg = used(sources, s.registration);
  if (reg !== undefined) {
    input.name = reg.name ?? null;
    input.regionCode = reg.regionCode;
    input.operatorId = reg.operatorId ?? null;
    input.registration = {
      status: reg.status,
      establishedOn: iso(reg.establishedOn),
      seasonal: reg.seasonal,
      suspendedUntil: iso(reg.suspendedUntil),
    };
  }
  const report = used(sources, s.annualReports.get(lastYear) ?? latest(s.annualReports));
  if (report !== undefined)
    input.annualReport = {
      year: report.year,
      filed: report.filed,
      revenueYuan: report.revenueFen == null ? null : yuan(report.revenueFen),
    };
  const mc = used(sources, s.marketCredit);
  if (mc !== undefined) {
    input.marketCredit = {
      abnormalOperation: mc.abnormalOperation,
      seriousIllegal: mc.seriousIllegal,
      penalties: (mc.penalties as { decidedOn: number; fineOrAbove: boolean; repaired: boolean }[]).map((p) => ({
        decidedOn: iso(p.decidedOn),
        fineOrAbove: p.fineOrAbove,
        repaired: p.repaired,
      })),
    };
  }
  const taxNow = used(sources, latest(s.tax));
  if (taxNow !== undefined) {
    const paid = s.tax.get(lastYear);
    if (paid !== undefined && paid !== taxNow) used(sources, paid);
    input.tax = {
      registeredOn: iso(taxNow.registeredOn),
      nonNormal: taxNow.nonNormal,
      generalTaxpayer: taxNow.generalTaxpayer,
      vatPaidYuan: paid === undefined ? 0 : yuan(paid.vatPaidFen),
      iitPaidYuan: paid === undefined ? 0 : yuan(paid.iitPaidFen),
    };
  }
  const si = used(sources, s.socialInsurance.get(lastYear));
  if (si !== undefined) input.socialInsurance = { insuredHeadcount: si.insuredHeadcount };
  const ip = used(sources, s.ip);
  if (ip !== undefined) input.ip = { trademarksInUse: ip.trademarksInUse, patents: ip.patents };
  const op = reg?.operatorId as string | null | undefined;
  const court = op == null ? undefined : used(sources, state.courtOf(op));
  if (court !== undefined) input.court = { operatorDishonest: court.dishonest };
  return { input, sources };
}
