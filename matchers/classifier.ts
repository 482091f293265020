/**
 * The `classify` contract (docs/classify.md): one JSON line in, one JSON line out, in order. A line
 * that cannot be used becomes an error line `{"creditCode"?, "line", "error": {code, message}}`
 * and the batch goes on.
 */
import type { DayNumber } from '../lib/dates.js';
import { GetihuError, isGetihuError } from '../lib/errors.js';
import { programmeRegionOf } from '../lib/regions.js';
import { type BusinessFacts, normaliseFacts } from './facts.js';
import type { RuleBook, RuleSet } from './ruleSet.js';
import { type AsOfContext, asOfContext, compileTyping, type TypingDecision, type TypingEngine } from './typing.js';

/** An error line of the classify output. */
export interface ClassifyErrorLine {
  readonly creditCode?: string;
  readonly line: number;
  readonly error: { readonly code: string; readonly message: string };
}

/** The outcome of one input line. */
export type ClassifyOutcome =
  | { readonly ok: true; readonly decision: TypingDecision }
  | { readonly ok: false; readonly error: ClassifyErrorLine };

/** Options for {@link Classifier}. */
export interface ClassifierOptions {
  readonly asOf: DayNumber;
  readonly ruleBook: RuleBook;
  /** Apply this rule set to every line instead of the one in force for the line's region. */
  readonly ruleSet?: RuleSet;
  readonly checksumAllowList?: ReadonlySet<string>;
}

/** Types businesses line by line under one as-of date. */
export class Classifier {
  readonly #ctx: AsOfContext;
  readonly #options: ClassifierOptions;
  readonly #engines = new Map<string, TypingEngine>();
  readonly #forced: TypingEngine | undefined;

  constructor(options: ClassifierOptions) {
    this.#options = options;
    this.#ctx = asOfContext(options.asOf);
    this.#forced = options.ruleSet === undefined ? undefined : compileTyping(options.ruleSet);
  }

  /** The engine that decides a business under these options. */
  engineFor(f: BusinessFacts): TypingEngine {
    if (this.#forced !== undefined) return this.#forced;
    const region = programmeRegionOf(f.divisionCode);
    let engine = this.#engines.get(region);
    if (engine === undefined) {
      engine = compileTyping(this.#options.ruleBook.inForce(region, this.#ctx.asOf));
      this.#engines.set(region, engine);
    }
    return engine;
  }

  /** Decides one already-parsed record. */
  classifyRecord(raw: unknown): TypingDecision {
    return this.decideRecord(raw).decision;
  }

  /** Decides one already-parsed record, with the facts it was decided on. */
  decideRecord(raw: unknown): { readonly decision: TypingDecision; readonly facts: BusinessFacts } {
    const f = this.#factsOf(raw);
    return { decision: this.engineFor(f).decide(f, this.#ctx), facts: f };
  }

  /**
   * Types one already-parsed record without its reasons: the decision `decideRecord` makes, less
   * the reasons field, by the engine's fast path (no criterion's evidence is gathered).
   */
  typeRecord(raw: unknown): Omit<TypingDecision, 'reasons'> {
    const f = this.#factsOf(raw);
    return this.engineFor(f).typeWithoutReasons(f, this.#ctx);
  }

  #factsOf(raw: unknown): BusinessFacts {
    const f = normaliseFacts(raw, { checksumAllowList: this.#options.checksumAllowList ?? new Set() });
    if (f.establishedOn > this.#ctx.asOf) {
      throw new GetihuError(
        'ESTABLISHED_AFTER_AS_OF',
        `registration.establishedOn is after the as-of date ${this.#ctx.asOfText}: the business cannot be typed before it exists`,
        { field: 'registration.establishedOn' },
      );
    }
    return f;
  }

  /** Types one input line (1-based `lineNo`) without reasons; never throws for bad data. */
  typeLine(
    text: string,
    lineNo: number,
  ):
    | { readonly ok: true; readonly decision: Omit<TypingDecision, 'reasons'> }
    | { readonly ok: false; readonly error: ClassifyErrorLine } {
    return this.#line(text, lineNo, (raw) => ({ decision: this.typeRecord(raw) }));
  }

  /** Decides one input line (1-based `lineNo`); never throws for bad data. */
  classifyLine(text: string, lineNo: number): ClassifyOutcome {
    const r = this.decideLine(text, lineNo);
    return r.ok ? { ok: true, decision: r.decision } : r;
  }

  /** {@link classifyLine}, keeping the facts the decision was made on. */
  decideLine(
    text: string,
    lineNo: number,
  ):
    | { readonly ok: true; readonly decision: TypingDecision; readonly facts: BusinessFacts }
    | { readonly ok: false; readonly error: ClassifyErrorLine } {
    return this.#line(text, lineNo, (raw) => this.decideRecord(raw));
  }

  /** One line's JSON given to `decide`, or the line's error: empty, not JSON, or the record's own. */
  #line<T extends object>(
    text: string,
    lineNo: number,
    decide: (raw: unknown) => T,
  ): ({ readonly ok: true } & T) | { readonly ok: false; readonly error: ClassifyErrorLine } {
    if (text.trim() === '') {
      return {
        ok: false,
        error: { line: lineNo, error: { code: 'EMPTY_LINE', message: 'the line is empty: expected one JSON object' } },
      };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return {
        ok: false,
        error: { line: lineNo, error: { code: 'INVALID_JSON', message: `not JSON: ${(err as Error).message}` } },
      };
    }
    const creditCode =
      raw !== null && typeof raw === 'object' && typeof (raw as { creditCode?: unknown }).creditCode === 'string'
        ? ((raw as { creditCode: string }).creditCode as string)
        : undefined;
    try {
      return { ok: true, ...decide(raw) };
    } catch (err) {
      const e = isGetihuError(err)
        ? err
        : new GetihuError('INTERNAL', 'internal error while deciding this line', undefined, { cause: err });
      const error = { code: e.code, message: e.message };
      return { ok: false, error: creditCode === undefined ? { line: lineNo, error } : { creditCode, line: lineNo, error } };
    }
  }
}
