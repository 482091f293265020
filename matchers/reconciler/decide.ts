/**
 * Deciding a batch of businesses and encoding the decision events: the work the piscina pool
 * does (the same function runs inline for small batches). Pure but for module-level caches.
 */
import { hash } from 'node:crypto';
import avro from 'avsc';
import { parseIsoDate, tryParseIsoDate } from '../../lib/dates.js';
import { frame, WIRE_HEADER_BYTES, writeWireHeader } from '../../schemas/wireFormat.js';
import { Classifier } from '../classifier.js';
import type { BusinessFacts } from '../facts.js';
import { RuleBook } from '../ruleSet.js';
import { type CatalogueBook, loadCatalogueBook, Support } from '../support/index.js';
import type { TypingDecision } from '../typing.js';

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

function typeOf(schemaId: number, schema: string): avro.Type {
  let type = types.get(schemaId);
  if (type === undefined) {
    type = avro.Type.forSchema(JSON.parse(schema), { wrapUnions: false });
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
 * `decisionIdOf(d)` given `JSON.stringify(d.reasons)`, which the event carries anyway: the JSON
 * text of an array is its elements' texts joined by commas, so this hashes the same text without
 * serialising the reasons (most of a decision) a second time.
 */
function decisionIdWith(d: TypingDecision, reasonsJson: string): string {
  const head = JSON.stringify([d.creditCode, d.ruleset, d.asOf, d.type, d.mtyxBasicEligible]);
  return hash('sha256', `${head.slice(0, -1)},${reasonsJson}]`).slice(0, 32);
}

/**
 * Decides and encodes one batch. Each event is encoded in place in the batch's buffer, behind its
 * wire-format header, rather than encoded, framed and copied in (three copies of ~4 KB each).
 */
export default function decideBatch(task: DecideTask, bytesPerEventGuess = 4096): DecideResult {
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
  const supportEvents: Buffer[] = [];
  const supportRecords: { key: string; offset: number; length: number }[] = [];
  let supportAt = 0;
  const records: DecideResult['records'][number][] = [];
  const rejected: DecideResult['rejected'][number][] = [];
  const items =
    'utf8' in task.items
      ? (JSON.parse(
          Buffer.from(task.items.utf8.buffer, task.items.utf8.byteOffset, task.items.utf8.byteLength).toString('utf8'),
        ) as DecideItem[])
      : task.items;
  // A buffer of its own (never a slice of Node's shared pool), since the pool's thread gives it away.
  let buf = Buffer.allocUnsafeSlow(Math.max(64, items.length * bytesPerEventGuess));
  let pos = 0;
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
    const reasonsJson = JSON.stringify(d.reasons);
    const decisionId = decisionIdWith(d, reasonsJson);
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
      reasonsJson,
      sources: [...item.sources],
    };
    let end = pos + WIRE_HEADER_BYTES < buf.length ? type.encode(event, buf, pos + WIRE_HEADER_BYTES) : -1;
    if (end < 0) {
      // Too small: grow (at least doubling, and by what this event needs) and encode again.
      const need = pos + WIRE_HEADER_BYTES + type.toBuffer(event).length;
      const bigger = Buffer.allocUnsafeSlow(Math.max(need, buf.length * 2));
      buf.copy(bigger, 0, 0, pos);
      buf = bigger;
      end = type.encode(event, buf, pos + WIRE_HEADER_BYTES);
    }
    writeWireHeader(buf, pos, task.schemaId);
    records.push({ key: d.creditCode, offset: pos, length: end - pos, decisionId, region: d.region, type: d.type });
    pos = end;
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
      const framed = frame(
        support.id,
        support.type.toBuffer({
          decisionId,
          creditCode: d.creditCode,
          region: d.region,
          asOf: event.asOf,
          type: d.type,
          mtyxBasicEligible: d.mtyxBasicEligible,
          catalogue: owed.catalogue,
          runId: task.runId,
          measuresJson: JSON.stringify(owed.measures),
          ifRecognisedJson: JSON.stringify(owed.ifRecognised),
        }),
      );
      supportEvents.push(framed);
      supportRecords.push({ key: d.creditCode, offset: supportAt, length: framed.length });
      supportAt += framed.length;
    }
  }
  return {
    values: new Uint8Array(buf.buffer, 0, pos),
    records,
    rejected,
    ...(support === undefined
      ? {}
      : { support: { values: new Uint8Array(Buffer.concat(supportEvents)), records: supportRecords } }),
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
