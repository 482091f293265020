/**
 * Golden files: generated snapshots of the three regions and the national baseline, with the
 * decisions the rule sets give today. A change to a rule or to the core shows up here as a
 * diff to review; regenerate with `GOLDEN_UPDATE=1 npx vitest run matchers/golden.test.ts`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '../lib/dates.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { Classifier } from './classifier.js';
import { RuleBook } from './ruleSet.js';

const DIR = join(import.meta.dirname, 'fixtures');
const REGIONS = [
  ['beijing', 11],
  ['tianjin', 12],
  ['hebei', 13],
  ['440106', 44],
] as const;
const update = process.env.GOLDEN_UPDATE === '1';

describe.each(REGIONS)('golden %s', (region, seed) => {
  const input = join(DIR, `golden-${region}.input.jsonl`);
  const output = join(DIR, `golden-${region}.output.jsonl`);

  it('decides exactly as recorded', () => {
    if (update || !existsSync(input)) {
      const lines = [...generateBusinesses({ region, businesses: 40, seed })].map((b) => JSON.stringify(b));
      writeFileSync(input, `${lines.join('\n')}\n`);
    }
    const classifier = new Classifier({ asOf: parseIsoDate('2025-08-15'), ruleBook: RuleBook.load() });
    const lines = readFileSync(input, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    const got = lines.map((l, i) => {
      const r = classifier.classifyLine(l, i + 1);
      return JSON.stringify(r.ok ? r.decision : r.error);
    });
    if (update || !existsSync(output)) writeFileSync(output, `${got.join('\n')}\n`);
    const want = readFileSync(output, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(got[i], `line ${i + 1}`).toBe(want[i]);
  });
});
