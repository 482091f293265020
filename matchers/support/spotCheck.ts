/**
 * 双随机、一公开 by type (国市监注发〔2024〕10号 二(四) 对不同类型个体工商户采取不同的抽查比例和频次,
 * 附件 一(五)): each year's inspection plan of an area, drawn from the whole register — every type,
 * the businesses 不符合分型条件 included — at the ratio and the frequency its catalogue sets for each
 * type, from a seed that is published with the plan, so anyone holding the register can draw it
 * again and get the same lists (公开).
 *
 * A type drawn yearly has one period (`2025`), half-yearly two (`2025-H1`, `2025-H2`), quarterly
 * four (`2025-Q1`…). For each type and each of its periods, the businesses of that type are ordered
 * by SHA-256(`<seed>:<period>:<credit code>`) in hexadecimal, and the first ⌈ratio × population⌉
 * are drawn. `printf '%s' 'S:2025-H1:92…' | sha256sum` redoes one business's place.
 */
import { createHash } from 'node:crypto';
import type { BusinessType } from '../typing.js';
import type { SpotCheckRule } from './catalogue.js';

/** The types a spot-check plan is set for: every type, 不符合分型条件 included. */
export const SPOT_CHECK_TYPES = ['survival', 'growth', 'development', 'ineligible'] as const;
export type SpotCheckType = (typeof SPOT_CHECK_TYPES)[number];

/** One business drawn, for one period. */
export interface Drawn {
  readonly creditCode: string;
  readonly type: SpotCheckType;
  readonly period: string;
  /** Its place in the period's draw: SHA-256 of `<seed>:<period>:<credit code>`. */
  readonly draw: string;
}

/** What is published of one type's draw in one period. */
export interface SpotCheckSummary {
  readonly type: SpotCheckType;
  readonly period: string;
  readonly frequency: string;
  readonly population: number;
  readonly ratio: number;
  readonly drawn: number;
}

/** A year's plan for an area. */
export interface SpotCheckDraw {
  readonly area: string;
  readonly year: number;
  readonly seed: string;
  readonly clause: string;
  readonly setBy: string;
  readonly list: readonly Drawn[];
  readonly summary: readonly SpotCheckSummary[];
}

/** The periods of a year at a frequency. */
export function periodsOf(year: number, frequency: string): string[] {
  if (frequency === 'half-yearly') return [`${year}-H1`, `${year}-H2`];
  if (frequency === 'quarterly') return [1, 2, 3, 4].map((q) => `${year}-Q${q}`);
  return [String(year)];
}

/** The place of a business in a period's draw. */
export function drawKey(seed: string, period: string | number, creditCode: string): string {
  return createHash('sha256').update(`${seed}:${period}:${creditCode}`).digest('hex');
}

/**
 * Draws the year's inspection plan from the register (each business once, by its type). The list
 * is in type order, then period order, then draw order.
 */
export function drawSpotChecks(
  businesses: Iterable<{ readonly creditCode: string; readonly type: BusinessType }>,
  o: { readonly area: string; readonly year: number; readonly seed: string; readonly rule: SpotCheckRule },
): SpotCheckDraw {
  const byType = new Map<SpotCheckType, string[]>(SPOT_CHECK_TYPES.map((t) => [t, []]));
  const seen = new Set<string>();
  for (const b of businesses) {
    const list = byType.get(b.type as SpotCheckType);
    if (list === undefined || seen.has(b.creditCode)) continue;
    seen.add(b.creditCode);
    list.push(b.creditCode);
  }
  const list: Drawn[] = [];
  const summary: SpotCheckSummary[] = [];
  for (const type of SPOT_CHECK_TYPES) {
    const codes = byType.get(type) as string[];
    const { ratio, frequency } = o.rule.byType[type];
    // The 1e-9 keeps 0.05 × 100 at 5 where floating point makes it 5.000000000000001; max(0, …) keeps -0 out.
    const n = Math.max(0, Math.min(codes.length, Math.ceil(ratio * codes.length - 1e-9)));
    for (const period of periodsOf(o.year, frequency)) {
      const all = codes
        .map((creditCode) => ({ creditCode, type, period, draw: drawKey(o.seed, period, creditCode) }))
        .sort((a, b) => (a.draw < b.draw ? -1 : a.draw > b.draw ? 1 : 0));
      list.push(...all.slice(0, n));
      summary.push({ type, period, frequency, population: codes.length, ratio, drawn: n });
    }
  }
  return { area: o.area, year: o.year, seed: o.seed, clause: o.rule.clause, setBy: o.rule.setBy, list, summary };
}
