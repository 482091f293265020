/**
 * `classify` on threads keeps the contract of docs/classify.md: exactly one output line per input
 * line, in input order — the decision the core makes of that line, or its error line naming the
 * line's number — whether a chunk was typed here or on another thread, and a count of the rejected.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '../../lib/dates.js';
import { generateBusinesses } from '../../lib/generate/generator.js';
import { Classifier, RuleBook } from '../../matchers/index.js';
import { CHUNK_LINES, classifyLines } from './pool.js';

function collect(): { out: Writable; text: () => string } {
  const parts: string[] = [];
  return {
    out: new Writable({
      write(chunk, _enc, done) {
        parts.push(String(chunk));
        done();
      },
    }),
    text: () => parts.join(''),
  };
}

const jobOf = (reasons: 'failed' | 'none') => ({ asOf: '2025-08-15', ruleset: null, reasons, rulesDir: null, allowCodes: [] });

describe('classify on threads', () => {
  // More than two chunks, with a blank line, a line that is not JSON and a code that is not an
  // individual business's among them, at places that fall in different chunks.
  const lines = [...generateBusinesses({ region: 'tianjin', businesses: 2 * CHUNK_LINES + 321, seed: 77 })].map((b) =>
    JSON.stringify(b),
  );
  lines[5] = '';
  lines[CHUNK_LINES + 1] = '{not json';
  lines[2 * CHUNK_LINES + 10] = JSON.stringify({ creditCode: '91110000100000000A' });
  const classifier = new Classifier({ asOf: parseIsoDate('2025-08-15'), ruleBook: RuleBook.load() });

  it.each([
    [0, 'failed'],
    [2, 'failed'],
    [2, 'none'],
  ] as const)(
    'writes one line per input line, in order, as the core decides each (%i threads, reasons %s)',
    async (threads, shown) => {
      const sink = collect();
      const stderr: string[] = [];
      const totals = await classifyLines(
        jobOf(shown),
        threads,
        async (each) => {
          for (const l of lines) await each(l);
        },
        sink.out as never,
        { write: (s: string) => stderr.push(s) },
      );
      const out = sink.text().split('\n');
      expect(out.pop()).toBe('');
      expect(out).toHaveLength(lines.length);
      let rejected = 0;
      out.forEach((o, i) => {
        const r = classifier.classifyLine(lines[i] as string, i + 1);
        if (r.ok) {
          const { reasons, ...rest } = r.decision;
          const want = shown === 'none' ? rest : { ...rest, reasons: reasons.filter((x) => !x.met) };
          expect(o, `line ${i + 1}`).toBe(JSON.stringify(want));
        } else {
          rejected++;
          expect(JSON.parse(o)).toEqual(JSON.parse(JSON.stringify(r.error)));
        }
      });
      expect(JSON.parse(out[5] as string).line).toBe(6);
      expect(JSON.parse(out[CHUNK_LINES + 1] as string).error.code).toBe('INVALID_JSON');
      expect(rejected).toBe(3);
      expect(totals).toEqual({ lines: lines.length, rejected: 3 });
      expect(stderr).toEqual([]);
    },
    120_000,
  );
});
