/**
 * 双随机、一公开 (国市监注发〔2024〕10号 二(四)): the draw can be redone by anyone from the
 * published seed, and its ratios hold per type.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { codeIn } from '../testing/fixtures.js';
import type { SpotCheckRule } from './catalogue.js';
import { drawSpotChecks } from './spotCheck.js';

const rule: SpotCheckRule = {
  clause: '国市监注发〔2024〕10号 二(四)',
  setBy: 'test',
  frequency: 'yearly',
  ratios: { survival: 0.05, growth: 0.03, development: 0.5 },
};
const population = [
  ...Array.from({ length: 100 }, () => ({ creditCode: codeIn('120101'), type: 'survival' as const })),
  ...Array.from({ length: 7 }, () => ({ creditCode: codeIn('120101'), type: 'growth' as const })),
  ...Array.from({ length: 3 }, () => ({ creditCode: codeIn('120101'), type: 'ineligible' as const })),
];
const o = { area: '120000', year: 2025, seed: 'published-2025', rule };

describe('the spot-check draw', () => {
  it('holds each type’s ratio: ⌈ratio × population⌉ drawn (5 of 100 at 5%, 1 of 7 at 3%, none of none), the ineligible never', () => {
    const d = drawSpotChecks(population, o);
    expect(d.summary).toEqual([
      { type: 'survival', population: 100, ratio: 0.05, drawn: 5 },
      { type: 'growth', population: 7, ratio: 0.03, drawn: 1 },
      { type: 'development', population: 0, ratio: 0.5, drawn: 0 },
    ]);
    expect(d.list).toHaveLength(6);
    expect(d.list.every((x) => x.type !== ('ineligible' as string))).toBe(true);
  });

  it('is the same draw whatever the order of the register, and another with another seed', () => {
    const a = drawSpotChecks(population, o).list.map((x) => x.creditCode);
    const b = drawSpotChecks([...population].reverse(), o).list.map((x) => x.creditCode);
    expect(b).toEqual(a);
    const c = drawSpotChecks(population, { ...o, seed: 'another' }).list.map((x) => x.creditCode);
    expect(c).not.toEqual(a);
  });

  it('can be redone with sha256sum: each place is SHA-256 of seed:year:code, and the drawn are the lowest places of their type', () => {
    const d = drawSpotChecks(population, o);
    const sha = (text: string) => execFileSync('sha256sum', { input: text, encoding: 'utf8' }).split(' ')[0] as string;
    for (const x of d.list.slice(0, 3)) expect(x.draw).toBe(sha(`published-2025:2025:${x.creditCode}`));
    // Every survival business not drawn has a higher place than every one drawn.
    const drawn = new Set(d.list.map((x) => x.creditCode));
    const highestDrawn = d.list
      .filter((x) => x.type === 'survival')
      .map((x) => x.draw)
      .sort()
      .at(-1) as string;
    for (const b of population.filter((p) => p.type === 'survival' && !drawn.has(p.creditCode)))
      expect(sha(`published-2025:2025:${b.creditCode}`) > highestDrawn).toBe(true);
  });
});
