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
        m = compileSupport(catalogue, measures);
        this.#byCatalogue.set(catalogue.ref, m);
      }
      this.#byDivision.set(divisionCode, m);
    }
    return m;
  }

  /** The measures a typed business is owed, with its recognition (if any). */
  supportFor(decision: TypingDecision, facts: BusinessFacts, recognition: SupportRecognition | null): SupportResult {
    const matcher = this.matcherFor(facts.divisionCode);
    const inEffect = recognition !== null && recognitionInEffect(recognition, this.#asOf);
    return {
      creditCode: decision.creditCode,
      type: decision.type,
      mtyx: inEffect ? recognition.category : null,
      catalogue: matcher.catalogue.ref,
      measures: matcher.match({
        type: decision.type,
        facts,
        mtyxBasicEligible: decision.mtyxBasicEligible,
        recognition,
        asOf: this.#asOf,
      }),
    };
  }
}
