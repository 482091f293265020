/**
 * Support for many businesses: picks each one's catalogue (its district's, its province's or the
 * national baseline) on the as-of date and matches it, keeping one compiled matcher per catalogue.
 */
import type { DayNumber } from '../../lib/dates.js';
import type { BusinessFacts } from '../facts.js';
import type { MtyxCategory } from '../ruleSet.js';
import type { TypingDecision } from '../typing.js';
import type { CatalogueBook } from './catalogue.js';
import {
  compileSupport,
  type MatchedMeasure,
  recognitionInEffect,
  type SupportMatcher,
  type SupportRecognition,
} from './match.js';

/** What a business is owed on a date. */
export interface SupportResult {
  readonly creditCode: string;
  readonly type: TypingDecision['type'];
  /** The category of the recognition in effect on the date, or null. */
  readonly mtyx: MtyxCategory | null;
  /** `jurisdiction-year@version` of the catalogue matched. */
  readonly catalogue: string;
  readonly measures: readonly MatchedMeasure[];
  /** What a recognition would add of the types it also gives, tested on the facts now (see SupportMatcher.ifRecognised). */
  readonly ifRecognised: readonly MatchedMeasure[];
}

/** What the support topic carried for a business: its measures by type and facts. */
export interface OwedByDecision {
  readonly region: string;
  readonly type: TypingDecision['type'];
  readonly measures: readonly MatchedMeasure[];
  readonly ifRecognised: readonly MatchedMeasure[];
}

/** Matches decisions to their catalogues' measures. */
export class Support {
  readonly #book: CatalogueBook;
  readonly #asOf: DayNumber;
  readonly #byDivision = new Map<string, SupportMatcher>();
  readonly #byCatalogue = new Map<string, SupportMatcher>();

  constructor(book: CatalogueBook, asOf: DayNumber) {
    this.#book = book;
    this.#asOf = asOf;
  }

  /** The matcher for a division on the as-of date. */
  matcherFor(divisionCode: string): SupportMatcher {
    let m = this.#byDivision.get(divisionCode);
    if (m === undefined) {
      const { catalogue, measures } = this.#book.forDivision(divisionCode, this.#asOf);
      m = this.#byCatalogue.get(catalogue.ref);
      if (m === undefined) {
        m = compileSupport(catalogue, measures, this.#asOf);
        this.#byCatalogue.set(catalogue.ref, m);
      }
      this.#byDivision.set(divisionCode, m);
    }
    return m;
  }

  /**
   * A decision's measures (as the support topic carried them) with what a recognition in effect on
   * the as-of date adds: its category's and the types' it also gets, in catalogue order; the
   * measures for businesses not recognised (符合分类基础标准，未被认定) go when one is in effect.
   */
  withRecognition(
    owed: OwedByDecision,
    recognition: SupportRecognition | null,
  ): { mtyx: MtyxCategory | null; measures: MatchedMeasure[] } {
    if (recognition === null || !recognitionInEffect(recognition, this.#asOf))
      return { mtyx: null, measures: [...owed.measures] };
    const matcher = this.matcherFor(owed.region);
    const added = matcher.byRecognition(owed.type, recognition, this.#asOf, owed.ifRecognised);
    const kept = owed.measures.filter((m) => !m.because.some((b) => b.predicate === 'mtyxBasicNotRecognised'));
    const measures = [...kept, ...added].sort((a, b) => matcher.orderOf(a.id) - matcher.orderOf(b.id));
    return { mtyx: recognition.category, measures };
  }

  /** The measures a typed business is owed, with its recognition (if any). */
  supportFor(
    decision: Pick<TypingDecision, 'creditCode' | 'type' | 'mtyxBasicEligible'>,
    facts: BusinessFacts,
    recognition: SupportRecognition | null,
  ): SupportResult {
    const matcher = this.matcherFor(facts.divisionCode);
    const inEffect = recognition !== null && recognitionInEffect(recognition, this.#asOf);
    const input = { type: decision.type, facts, mtyxBasicEligible: decision.mtyxBasicEligible, recognition, asOf: this.#asOf };
    return {
      creditCode: decision.creditCode,
      type: decision.type,
      mtyx: inEffect ? recognition.category : null,
      catalogue: matcher.catalogue.ref,
      measures: matcher.match(input),
      ifRecognised: matcher.ifRecognised(input),
    };
  }
}
