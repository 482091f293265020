/**
 * 双随机、一公开 (国市监注发〔2024〕10号 二(四) 对不同类型个体工商户采取不同的抽查比例和频次): the draw
 * can be redone by anyone from the published seed; each type's ratio holds in each period of its
 * frequency; the whole register is the population, 不符合分型条件 included.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { codeIn } from '../testing/fixtures.js';
import type { SpotCheckRule } from './catalogue.js';
import { drawSpotChecks } from './spotCheck.js';

const rule: SpotCheckRule = {
  clause: '国市监注发〔2024〕10号 二(四)',
  setBy: 'test',
  byType: {
    survival: { ratio: 0.05, frequency: 'half-yearly' },
    growth: { ratio: 0.03, frequency: 'yearly' },
    development: { ratio: 0.5, frequency: 'yearly' },
    ineligible: { ratio: 0.5, frequency: 'quarterly' },
  },
};
const population = [
  ...Array.from({ length: 100 }, () => ({ creditCode: codeIn('120101'), type: 'survival' as const })),
  ...Array.from({ length: 7 }, () => ({ creditCode: codeIn('120101'), type: 'growth' as const })),
  ...Array.from({ length: 3 }, () => ({ creditCode: codeIn('120101'), type: 'ineligible' as const })),
];
const o = { area: '120000', year: 2025, seed: 'published-2025', rule };

describe('the spot-check draw', () => {
  it('holds each type’s ratio in each period of its frequency: ⌈ratio × population⌉ drawn, 不符合分型条件 too', () => {
    const d = drawSpotChecks(population, o);
    expect(d.summary.map((s) => [s.type, s.period, s.population, s.ratio, s.drawn])).toEqual([
      // 5 of 100 at 5%, twice a year.
      ['survival', '2025-H1', 100, 0.05, 5],
      ['survival', '2025-H2', 100, 0.05, 5],
      // 1 of 7 at 3%, once.
      ['growth', '2025', 7, 0.03, 1],
      ['development', '2025', 0, 0.5, 0],
      // 2 of 3 at 50%, each quarter.
      ['ineligible', '2025-Q1', 3, 0.5, 2],
      ['ineligible', '2025-Q2', 3, 0.5, 2],
      ['ineligible', '2025-Q3', 3, 0.5, 2],
      ['ineligible', '2025-Q4', 3, 0.5, 2],
    ]);
    expect(d.list).toHaveLength(5 + 5 + 1 + 4 * 2);
  });

  it('is the same draw whatever the order of the register, and another with another seed', () => {
    const a = drawSpotChecks(population, o).list.map((x) => x.creditCode);
    const b = drawSpotChecks([...population].reverse(), o).list.map((x) => x.creditCode);
    expect(b).toEqual(a);
    const c = drawSpotChecks(population, { ...o, seed: 'another' }).list.map((x) => x.creditCode);
    expect(c).not.toEqual(a);
  });

  it('can be redone with sha256sum: each place is SHA-256 of seed:period:code, and the drawn are the lowest places of their type', () => {
    const d = drawSpotChecks(population, o);
    const sha = (text: string) => execFileSync('sha256sum', { input: text, encoding: 'utf8' }).split(' ')[0] as string;
    for (const x of d.list.filter((x) => x.type === 'growth')) expect(x.draw).toBe(sha(`published-2025:2025:${x.creditCode}`));
    for (const x of d.list.filter((x) => x.period === '2025-H1').slice(0, 2))
      expect(x.draw).toBe(sha(`published-2025:2025-H1:${x.creditCode}`));
    // Every survival business not drawn in the first half has a higher place than every one drawn in it.
    const h1 = d.list.filter((x) => x.period === '2025-H1');
    const drawn = new Set(h1.map((x) => x.creditCode));
    const highestDrawn = h1
      .map((x) => x.draw)
      .sort()
      .at(-1) as string;
    for (const b of population.filter((p) => p.type === 'survival' && !drawn.has(p.creditCode)))
      expect(sha(`published-2025:2025-H1:${b.creditCode}`) > highestDrawn).toBe(true);
    // The two halves draw apart: the second half is not the first again.
    expect(d.list.filter((x) => x.period === '2025-H2').map((x) => x.creditCode)).not.toEqual([...drawn]);
  });
});
