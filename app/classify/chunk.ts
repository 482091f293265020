/**
 * `classify` on a chunk of input lines: what the command does to each line, done for many at once
 * so that a chunk can go to another thread (see pool.ts). Each line gives exactly one output line,
 * in order — its decision, or its error line (docs/classify.md).
 */
import { parseIsoDate } from '../../lib/dates.js';
import { Classifier, RuleBook, type TypingDecision } from '../../matchers/index.js';

/** Which reasons a decision carries (`--reasons`). */
export type ReasonsShown = 'all' | 'failed' | 'none';

/** A chunk of lines and how to type them. */
export interface ClassifyChunk {
  /** YYYY-MM-DD */
  readonly asOf: string;
  /** A rule set for every line, or null for the one in force per region. */
  readonly ruleset: string | null;
  readonly reasons: ReasonsShown;
  /** The service's rules folder (null: the shipped rules) and credit-code allow-list. */
  readonly rulesDir: string | null;
  readonly allowCodes: readonly string[];
  /** The 1-based number of the chunk's first line in the input. */
  readonly firstLineNo: number;
  readonly lines: readonly string[];
}

/** A chunk's output: its lines' output lines, each ended by a newline. */
export interface ClassifiedChunk {
  readonly text: string;
  readonly rejected: number;
  /** Numbers of the lines that met an internal error (reported on stderr). */
  readonly internal: readonly number[];
}

/** A decision with all its reasons, only the criteria it failed, or none (the field left out). */
export function withReasons<D extends { readonly reasons: readonly { readonly met: boolean }[] }>(
  decision: D,
  shown: ReasonsShown,
): D | Omit<D, 'reasons'> {
  if (shown === 'all') return decision;
  const { reasons, ...rest } = decision;
  return shown === 'none' ? rest : { ...rest, reasons: reasons.filter((r) => !r.met) };
}

/** Classifiers by options, kept for the thread's life (a thread serves one command). */
const classifiers = new Map<string, Classifier>();

function classifierFor(c: ClassifyChunk): Classifier {
  const key = `${c.asOf}|${c.ruleset ?? ''}|${c.rulesDir ?? ''}|${c.allowCodes.join(',')}`;
  let classifier = classifiers.get(key);
  if (classifier === undefined) {
    const ruleBook = RuleBook.load(c.rulesDir ?? undefined);
    classifier = new Classifier({
      asOf: parseIsoDate(c.asOf),
      ruleBook,
      ...(c.ruleset === null ? {} : { ruleSet: ruleBook.byRef(c.ruleset) }),
      checksumAllowList: new Set(c.allowCodes),
    });
    classifiers.set(key, classifier);
  }
  return classifier;
}

/** Types every line of a chunk. */
export function classifyChunk(c: ClassifyChunk): ClassifiedChunk {
  const classifier = classifierFor(c);
  let text = '';
  let rejected = 0;
  const internal: number[] = [];
  for (let i = 0; i < c.lines.length; i++) {
    const lineNo = c.firstLineNo + i;
    const line = c.lines[i] as string;
    // Without reasons, the core's fast path: no criterion's evidence is gathered only to be dropped.
    const r = c.reasons === 'none' ? classifier.typeLine(line, lineNo) : classifier.classifyLine(line, lineNo);
    if (r.ok)
      text += `${JSON.stringify(c.reasons === 'none' ? r.decision : withReasons(r.decision as TypingDecision, c.reasons))}\n`;
    else {
      rejected++;
      if (r.error.error.code === 'INTERNAL') internal.push(lineNo);
      text += `${JSON.stringify(r.error)}\n`;
    }
  }
  return { text, rejected, internal };
}
