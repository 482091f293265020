/**
 * Deciding a batch of businesses and encoding the decision events: the work the piscina pool
 * does (the same function runs inline for small batches). Pure but for module-level caches.
 */
import { hash } from 'node:crypto';
import avro from 'avsc';
import { parseIsoDate, tryParseIsoDate } from '../lib/dates.js';
import {
  type BusinessFacts,
  type CatalogueBook,
  Classifier,
  decidedFactsOf,
  loadCatalogueBook,
  RuleBook,
  Support,
  type TypingDecision,
} from '../matchers/index.js';
import { WIRE_HEADER_BYTES, writeWireHeader } from '../schemas/index.js';

/** One batch of work. */
export interface DecideTask {
  readonly asOf: string;
  readonly ruleset: string | null;
  readonly runId: string | null;
  /** The decision topic's writer schema: id and text. */
  readonly schemaId: number;
  readonly schema: string;
  /**
   * The businesses: each one's classify input and the fact records it was assembled from; or that
   * list as UTF-8 JSON text, with its length. A run hands its batches over as bytes: they are
   * what its threads hold until a batch goes out, no work for a collector, and copying them to
   * the pool's thread costs a fraction of copying the objects (see runTyping).
   */
  readonly items: readonly DecideItem[] | { readonly utf8: Uint8Array; readonly count: number };
  /** The service's configuration as the decision needs it: the rules folder and the credit-code allow-list. */
  readonly config?: { readonly rulesDir: string | null; readonly allowCodes: readonly string[] };
  /** The support topic's writer schema: when given, each decision's measures (精准帮扶) are encoded too. */
  readonly support?: { readonly schemaId: number; readonly schema: string };
}

/** One business to decide. */
export interface DecideItem {
  readonly input: Record<string, unknown>;
  readonly sources: readonly string[];
}

/** How many businesses a task holds. */
export function itemCount(task: DecideTask): number {
  return 'utf8' in task.items ? task.items.count : task.items.length;
}

/**
 * The outcome of a batch. The framed decision events lie back to back in one buffer (record i at
 * `offset`, `length` bytes), which the pool moves to the caller's thread instead of copying: one
 * buffer per batch rather than one per decision.
 */
export interface DecideResult {
  readonly values: Uint8Array;
  readonly records: {
    readonly key: string;
    readonly offset: number;
    readonly length: number;
    readonly decisionId: string;
    readonly region: string;
    readonly type: string;
  }[];
  readonly rejected: { readonly creditCode: string; readonly code: string; readonly message: string }[];
  /** The framed support events, when the task asked for them: one per decision, back to back. */
  readonly support?: {
    readonly values: Uint8Array;
    readonly records: { readonly key: string; readonly offset: number; readonly length: number }[];
  };
}

/** Rule books by rules folder ('': the shipped rules), loaded once per thread. */
const books = new Map<string, RuleBook>();
const classifiers = new Map<string, Classifier>();
const types = new Map<number, avro.Type>();
/** Measure catalogues by rules folder, and the matchers by folder and as-of date. */
const catalogueBooks = new Map<string, CatalogueBook>();
const supports = new Map<string, Support>();

/** The event types by schema id (each thread parses a schema once). */
function typeOf(schemaId: number, schema: string): avro.Type {
  let type = types.get(schemaId);
  if (type === undefined) {
    type = avro.Type.forSchema(JSON.parse(schema) as avro.Schema, { wrapUnions: false });
    types.set(schemaId, type);
  }
  return type;
}

function supportFor(rulesDir: string | undefined, asOf: string): Support {
  const key = `${rulesDir ?? ''}|${asOf}`;
  let s = supports.get(key);
  if (s === undefined) {
    let book = catalogueBooks.get(rulesDir ?? '');
    if (book === undefined) {
      book = loadCatalogueBook(rulesDir);
      catalogueBooks.set(rulesDir ?? '', book);
    }
    s = new Support(book, parseIsoDate(asOf));
    supports.set(key, s);
  }
  return s;
}

/** The id of a decision: a hash of what was decided, for whom, from which facts, under which rules. */
export function decisionIdOf(
  d: Pick<TypingDecision, 'creditCode' | 'ruleset' | 'asOf' | 'type' | 'mtyxBasicEligible' | 'reasons'>,
): string {
  return hash('sha256', JSON.stringify([d.creditCode, d.ruleset, d.asOf, d.type, d.mtyxBasicEligible, d.reasons])).slice(0, 32);
}

/**
 * Framed events (the registry's header, then the Avro body) written back to back into one buffer
 * of its own — never a slice of Node's shared pool, since the pool's thread gives it away — grown
 * (at least doubling) when an event does not fit, so that each event is encoded once, in place.
 */
class FramedEvents {
  #buf: Buffer;
  #pos = 0;

  constructor(bytesGuess: number) {
    this.#buf = Buffer.allocUnsafeSlow(Math.max(64, bytesGuess));
  }

  /** Appends `value` framed with `schemaId`; answers where it lies. */
  push(type: avro.Type, schemaId: number, value: unknown): { offset: number; length: number } {
    const at = this.#pos;
    let end = at + WIRE_HEADER_BYTES < this.#buf.length ? type.encode(value, this.#buf, at + WIRE_HEADER_BYTES) : -1;
    if (end < 0) {
      const need = at + WIRE_HEADER_BYTES + type.toBuffer(value).length;
      const bigger = Buffer.allocUnsafeSlow(Math.max(need, this.#buf.length * 2));
      this.#buf.copy(bigger, 0, 0, at);
      this.#buf = bigger;
      end = type.encode(value, this.#buf, at + WIRE_HEADER_BYTES);
    }
    writeWireHeader(this.#buf, at, schemaId);
    this.#pos = end;
    return { offset: at, length: end - at };
  }

  /** The events written so far. */
  get bytes(): Uint8Array {
    return new Uint8Array(this.#buf.buffer, 0, this.#pos);
  }
}

/**
 * Decides and encodes one batch. Each event is encoded in place in the batch's buffer, behind its
 * wire-format header, rather than encoded, framed and copied in. The first guess of an event's
 * size holds a typical decision or support event (a few hundred bytes); the buffer grows for more.
 */
export default function decideBatch(task: DecideTask, bytesPerEventGuess = 512): DecideResult {
  const rulesDir = task.config?.rulesDir ?? undefined;
  let book = books.get(rulesDir ?? '');
  if (book === undefined) {
    book = RuleBook.load(rulesDir);
    books.set(rulesDir ?? '', book);
  }
  const allow = task.config?.allowCodes ?? [];
  const key = `${task.asOf}|${task.ruleset ?? ''}|${rulesDir ?? ''}|${allow.join(',')}`;
  let c = classifiers.get(key);
  if (c === undefined) {
    const ruleSet = task.ruleset === null ? undefined : book.byRef(task.ruleset);
    c = new Classifier({
      asOf: parseIsoDate(task.asOf),
      ruleBook: book,
      checksumAllowList: new Set(allow),
      ...(ruleSet === undefined ? {} : { ruleSet }),
    });
    classifiers.set(key, c);
  }
  const type = typeOf(task.schemaId, task.schema);
  const support =
    task.support === undefined
      ? undefined
      : {
          type: typeOf(task.support.schemaId, task.support.schema),
          match: supportFor(rulesDir, task.asOf),
          id: task.support.schemaId,
        };
  const records: DecideResult['records'][number][] = [];
  const rejected: DecideResult['rejected'][number][] = [];
  const items =
    'utf8' in task.items
      ? (JSON.parse(
          Buffer.from(task.items.utf8.buffer, task.items.utf8.byteOffset, task.items.utf8.byteLength).toString('utf8'),
        ) as DecideItem[])
      : task.items;
  const events = new FramedEvents(items.length * bytesPerEventGuess);
  const supportEvents = new FramedEvents(support === undefined ? 0 : items.length * bytesPerEventGuess);
  const supportRecords: { key: string; offset: number; length: number }[] = [];
  for (const item of items) {
    const code = String(item.input.creditCode);
    let d: TypingDecision;
    let facts: BusinessFacts;
    try {
      ({ decision: d, facts } = c.decideRecord(item.input));
    } catch (err) {
      const e = err as { code?: string; message?: string };
      rejected.push({ creditCode: code, code: e.code ?? 'INTERNAL', message: e.message ?? String(err) });
      continue;
    }
    const decisionId = decisionIdOf(d);
    const event = {
      decisionId,
      creditCode: d.creditCode,
      region: d.region,
      ruleset: d.ruleset,
      asOf: tryParseIsoDate(d.asOf) as number,
      type: d.type,
      label: d.label,
      mtyxBasicEligible: d.mtyxBasicEligible,
      runId: task.runId,
      // The facts it was decided from: the reasons are rendered from them where they are read.
      facts: decidedFactsOf(facts),
      reasonsJson: null,
      sources: [...item.sources],
    };
    const at = events.push(type, task.schemaId, event);
    records.push({ key: d.creditCode, ...at, decisionId, region: d.region, type: d.type });
    if (support !== undefined) {
      // The measures the decision matches by type and facts; a recognition's are added where it is known.
      // A rules folder without a catalogue for the division owes nothing there: the decision still goes out.
      let owed: ReturnType<Support['supportFor']>;
      try {
        owed = support.match.supportFor(d, facts, null);
      } catch (err) {
        if ((err as { code?: string }).code === 'NO_CATALOGUE_IN_FORCE') continue;
        throw err;
      }
      // The measures by position in the catalogue version, and the facts their reasons are rendered from.
      const matcher = support.match.matcherFor(d.region);
      const at = supportEvents.push(support.type, support.id, {
        decisionId,
        creditCode: d.creditCode,
        region: d.region,
        asOf: event.asOf,
        type: d.type,
        mtyxBasicEligible: d.mtyxBasicEligible,
        catalogue: owed.catalogue,
        runId: task.runId,
        facts: event.facts,
        measures: owed.measures.map((m) => matcher.positionOf(m.id)),
        ifRecognised: owed.ifRecognised.map((m) => matcher.positionOf(m.id)),
        measuresJson: null,
        ifRecognisedJson: null,
      });
      supportRecords.push({ key: d.creditCode, ...at });
    }
  }
  return {
    values: events.bytes,
    records,
    rejected,
    ...(support === undefined ? {} : { support: { values: supportEvents.bytes, records: supportRecords } }),
  };
}

/** The framed support event of one record of a batch's support events. */
export function supportEventBytes(
  r: NonNullable<DecideResult['support']>,
  x: { readonly offset: number; readonly length: number },
): Buffer {
  return Buffer.from(r.values.buffer, r.values.byteOffset + x.offset, x.length);
}

/** The framed event of one record of a batch, as a view on the batch's buffer (no copy). */
export function eventBytes(r: DecideResult, x: DecideResult['records'][number]): Buffer {
  return Buffer.from(r.values.buffer, r.values.byteOffset + x.offset, x.length);
}
