/**
 * Deciding a batch of businesses and encoding the decision events: the work the piscina pool
 * does (the same function runs inline for small batches). Pure but for module-level caches.
 */
import { hash } from 'node:crypto';
import avro from 'avsc';
import { parseIsoDate, tryParseIsoDate } from '../../lib/dates.js';
import { frame } from '../../schemas/wireFormat.js';
import { Classifier } from '../classifier.js';
import { RuleBook } from '../ruleSet.js';
import type { TypingDecision } from '../typing.js';

/** One batch of work. */
export interface DecideTask {
  readonly asOf: string;
  readonly ruleset: string | null;
  readonly runId: string | null;
  /** The decision topic's writer schema: id and text. */
  readonly schemaId: number;
  readonly schema: string;
  readonly items: readonly { readonly input: Record<string, unknown>; readonly sources: readonly string[] }[];
}

/**
 * The outcome of a batch. The framed decision events lie back to back in one buffer (record i at
 * `offset`, `length` bytes), which the pool moves to the caller's thread instead of copying: one
 * buffer per batch rather than one per decision on a thread whose heap holds every fact.
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
}

let book: RuleBook | undefined;
const classifiers = new Map<string, Classifier>();
const types = new Map<number, avro.Type>();

/** The id of a decision: a hash of what was decided, for whom, from which facts, under which rules. */
export function decisionIdOf(
  d: Pick<TypingDecision, 'creditCode' | 'ruleset' | 'asOf' | 'type' | 'mtyxBasicEligible' | 'reasons'>,
): string {
  return hash('sha256', JSON.stringify([d.creditCode, d.ruleset, d.asOf, d.type, d.mtyxBasicEligible, d.reasons])).slice(0, 32);
}

/** Decides and encodes one batch. */
export default function decideBatch(task: DecideTask): DecideResult {
  book ??= RuleBook.load();
  const key = `${task.asOf}|${task.ruleset ?? ''}`;
  let c = classifiers.get(key);
  if (c === undefined) {
    const ruleSet = task.ruleset === null ? undefined : book.byRef(task.ruleset);
    c = new Classifier({ asOf: parseIsoDate(task.asOf), ruleBook: book, ...(ruleSet === undefined ? {} : { ruleSet }) });
    classifiers.set(key, c);
  }
  let type = types.get(task.schemaId);
  if (type === undefined) {
    type = avro.Type.forSchema(JSON.parse(task.schema), { wrapUnions: false });
    types.set(task.schemaId, type);
  }
  const records: DecideResult['records'][number][] = [];
  const rejected: DecideResult['rejected'][number][] = [];
  const framed: Buffer[] = [];
  let total = 0;
  for (const item of task.items) {
    const code = String(item.input.creditCode);
    let d: TypingDecision;
    try {
      d = c.classifyRecord(item.input);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      rejected.push({ creditCode: code, code: e.code ?? 'INTERNAL', message: e.message ?? String(err) });
      continue;
    }
    const decisionId = decisionIdOf(d);
    const value = type.toBuffer({
      decisionId,
      creditCode: d.creditCode,
      region: d.region,
      ruleset: d.ruleset,
      asOf: tryParseIsoDate(d.asOf) as number,
      type: d.type,
      label: d.label,
      mtyxBasicEligible: d.mtyxBasicEligible,
      runId: task.runId,
      reasonsJson: JSON.stringify(d.reasons),
      sources: [...item.sources],
    });
    const f = frame(task.schemaId, value);
    records.push({ key: d.creditCode, offset: total, length: f.length, decisionId, region: d.region, type: d.type });
    framed.push(f);
    total += f.length;
  }
  // A buffer of its own (never a slice of Node's shared pool), since the pool's thread gives it away.
  const values = new Uint8Array(total);
  for (let i = 0; i < framed.length; i++) values.set(framed[i] as Buffer, (records[i] as { offset: number }).offset);
  return { values, records, rejected };
}

/** The framed event of one record of a batch, as a view on the batch's buffer (no copy). */
export function eventBytes(r: DecideResult, x: DecideResult['records'][number]): Buffer {
  return Buffer.from(r.values.buffer, r.values.byteOffset + x.offset, x.length);
}
