/**
 * Renders a decision again from the facts it carries (see decidedFacts.ts) and the rule set it
 * names: the same core, the same rule set version and the same as-of date give the same reasons,
 * criterion by criterion, with their evidence and clauses. A published rule set version never
 * changes, so what a person reads later is what the decision was made with.
 */
import type { DayNumber } from '../lib/dates.js';
import { type DecidedFacts, factsFromDecided } from './decidedFacts.js';
import type { RuleBook } from './ruleSet.js';
import { type AsOfContext, asOfContext, compileTyping, type TypingDecision, type TypingEngine } from './typing.js';

/** A decision as its event carries it: whom, when, under which rule set, from which facts. */
export interface CompactDecision {
  readonly creditCode: string;
  /** The 6-digit division it was decided for. */
  readonly region: string;
  /** `id@version` */
  readonly ruleset: string;
  readonly asOf: DayNumber;
  readonly facts: DecidedFacts;
}

/** Renders decisions from their compact form, keeping each rule set's compiled engine. */
export class Explainer {
  readonly #book: RuleBook;
  readonly #engines = new Map<string, TypingEngine>();
  readonly #contexts = new Map<DayNumber, AsOfContext>();

  constructor(book: RuleBook) {
    this.#book = book;
  }

  /**
   * The decision, reasons and all.
   * @throws GetihuError `UNKNOWN_RULESET` when the rule book does not hold the version named.
   */
  decision(d: CompactDecision): TypingDecision {
    let engine = this.#engines.get(d.ruleset);
    if (engine === undefined) {
      engine = compileTyping(this.#book.byRef(d.ruleset));
      this.#engines.set(d.ruleset, engine);
    }
    let ctx = this.#contexts.get(d.asOf);
    if (ctx === undefined) {
      ctx = asOfContext(d.asOf);
      this.#contexts.set(d.asOf, ctx);
    }
    return engine.decide(factsFromDecided(d.facts, d.creditCode, d.region), ctx);
  }
}
