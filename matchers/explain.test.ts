/**
 * A decision event carries the facts the core read, not the reasons; the reasons a regulator, a
 * bank or the public read are rendered again from those facts and the rule set version the event
 * names. They must be, byte for byte, the reasons recorded in the golden files of the four regions
 * (matchers/fixtures, the decisions the rule sets give on 2025-08-15), after the facts have
 * crossed the event schema (getihu.decision.typing v2) and come back. And a decision typed without
 * its reasons (the core's fast path, for `classify --reasons none`) is the recorded one less them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '../lib/dates.js';
import { TOPICS } from '../lib/topics.js';
import { latestSchemaText } from '../schemas/index.js';
import { Classifier } from './classifier.js';
import { type DecidedFacts, decidedFactsOf } from './decidedFacts.js';
import { Explainer } from './explain.js';
import { normaliseFacts } from './facts.js';
import { RuleBook } from './ruleSet.js';

const DIR = join(import.meta.dirname, 'fixtures');
const lines = (file: string) =>
  readFileSync(join(DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const event = avro.Type.forSchema(JSON.parse(latestSchemaText(TOPICS.typing.name)), { wrapUnions: false });
const factsType = (event as avro.types.RecordType).fields.find((f) => f.name === 'facts')?.type as avro.types.UnwrappedUnionType;

describe.each(['beijing', 'tianjin', 'hebei', '440106'])('reasons rendered from an event’s facts (%s)', (region) => {
  it('are the recorded ones, byte for byte, for every business of the golden file', () => {
    const explainer = new Explainer(RuleBook.load());
    const inputs = lines(`golden-${region}.input.jsonl`);
    const recorded = lines(`golden-${region}.output.jsonl`);
    let rendered = 0;
    inputs.forEach((line, i) => {
      const want = JSON.parse(recorded[i] as string) as Record<string, unknown>;
      if (want.reasons === undefined) return; // a record the core refused: no decision, no event
      const f = normaliseFacts(JSON.parse(line));
      // Through the event's schema and back, as the sink reads it.
      const carried = factsType.fromBuffer(factsType.toBuffer(decidedFactsOf(f))) as DecidedFacts;
      const d = explainer.decision({
        creditCode: want.creditCode as string,
        region: want.region as string,
        ruleset: want.ruleset as string,
        asOf: parseIsoDate(want.asOf as string),
        facts: carried,
      });
      const { warnings: _w, ...withoutWarnings } = want;
      expect(JSON.stringify(d)).toBe(JSON.stringify(withoutWarnings));
      rendered++;
    });
    expect(rendered).toBeGreaterThan(30);
  });
});

describe.each(['beijing', 'tianjin', 'hebei', '440106'])('typing without reasons (%s)', (region) => {
  it('gives the recorded decision less its reasons, byte for byte, or the recorded error', () => {
    const classifier = new Classifier({ asOf: parseIsoDate('2025-08-15'), ruleBook: RuleBook.load() });
    const inputs = lines(`golden-${region}.input.jsonl`);
    const recorded = lines(`golden-${region}.output.jsonl`);
    inputs.forEach((line, i) => {
      const want = JSON.parse(recorded[i] as string) as Record<string, unknown>;
      const r = classifier.typeLine(line, i + 1);
      if (want.reasons === undefined) {
        expect(r.ok).toBe(false);
        return;
      }
      const { reasons: _r, ...withoutReasons } = want;
      expect(r.ok && JSON.stringify(r.decision)).toBe(JSON.stringify(withoutReasons));
    });
  });
});

describe('an event’s facts', () => {
  it('are a few dozen bytes where the reasons were kilobytes (the first golden business of Tianjin)', () => {
    const f = normaliseFacts(JSON.parse(lines('golden-tianjin.input.jsonl')[0] as string));
    const bytes = factsType.toBuffer(decidedFactsOf(f)).length;
    const reasons = Buffer.byteLength(
      JSON.stringify((JSON.parse(lines('golden-tianjin.output.jsonl')[0] as string) as { reasons: unknown }).reasons),
    );
    expect(bytes).toBeLessThan(64);
    expect(reasons).toBeGreaterThan(2000);
  });

  it('name a rule set version the book must hold', () => {
    const f = normaliseFacts(JSON.parse(lines('golden-tianjin.input.jsonl')[0] as string));
    const explainer = new Explainer(RuleBook.load());
    expect(() =>
      explainer.decision({
        creditCode: f.creditCode,
        region: f.divisionCode,
        ruleset: 'tianjin-2024@99',
        asOf: parseIsoDate('2025-08-15'),
        facts: decidedFactsOf(f),
      }),
    ).toThrow(expect.objectContaining({ code: 'UNKNOWN_RULESET' }));
  });
});
