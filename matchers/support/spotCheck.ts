/**
 * 双随机、一公开 by type (国市监注发〔2024〕10号 二(四), 附件 一(五)): each year's inspection list
 * of an area, drawn at the ratio its catalogue sets for each type, from a seed that is published
 * with the list — so anyone holding the register can draw it again and get the same list (公开).
 *
 * The draw: for each type, the businesses of that type are ordered by
 * SHA-256(`<seed>:<year>:<credit code>`) in hexadecimal, and the first ⌈ratio × population⌉ are
 * drawn. `printf '%s' 'S:2025:92…' | sha256sum` redoes one business's place.
 */
import { createHash } from 'node:crypto';
import type { BusinessType } from '../typing.js';
import type { SpotCheckRule } from './catalogue.js';

/** The types a spot-check ratio is set for. */
export const SPOT_CHECK_TYPES = ['survival', 'growth', 'development'] as const;
export type SpotCheckType = (typeof SPOT_CHECK_TYPES)[number];

/** One business drawn. */
export interface Drawn {
  readonly creditCode: string;
  readonly type: SpotCheckType;
  /** Its place in the draw's order: SHA-256 of `<seed>:<year>:<credit code>`. */
  readonly draw: string;
}

/** What is published of one type's draw. */
export interface SpotCheckSummary {
  readonly type: SpotCheckType;
  readonly population: number;
  readonly ratio: number;
  readonly drawn: number;
}

/** A year's draw for an area. */
export interface SpotCheckDraw {
  readonly area: string;
  readonly year: number;
  readonly seed: string;
  readonly frequency: string;
  readonly clause: string;
  readonly setBy: string;
  readonly list: readonly Drawn[];
  readonly summary: readonly SpotCheckSummary[];
}

/** The place of a business in a draw. */
export function drawKey(seed: string, year: number, creditCode: string): string {
  return createHash('sha256').update(`${seed}:${year}:${creditCode}`).digest('hex');
}

/**
 * Draws the year's inspection list from typed businesses (each once; the ineligible are not
 * drawn: they are not typed). The list is in type order, then draw order.
 */
export function drawSpotChecks(
  businesses: Iterable<{ readonly creditCode: string; readonly type: BusinessType }>,
  o: { readonly area: string; readonly year: number; readonly seed: string; readonly rule: SpotCheckRule },
): SpotCheckDraw {
  const byType = new Map<SpotCheckType, Drawn[]>(SPOT_CHECK_TYPES.map((t) => [t, []]));
  const seen = new Set<string>();
  for (const b of businesses) {
    const list = byType.get(b.type as SpotCheckType);
    if (list === undefined || seen.has(b.creditCode)) continue;
    seen.add(b.creditCode);
    list.push({ creditCode: b.creditCode, type: b.type as SpotCheckType, draw: drawKey(o.seed, o.year, b.creditCode) });
  }
  const list: Drawn[] = [];
  const summary: SpotCheckSummary[] = [];
  for (const type of SPOT_CHECK_TYPES) {
    const all = (byType.get(type) as Drawn[]).sort((a, b) => (a.draw < b.draw ? -1 : a.draw > b.draw ? 1 : 0));
    const ratio = o.rule.ratios[type];
    // The 1e-9 keeps 0.05 × 100 at 5 where floating point makes it 5.000000000000001; max(0, …) keeps -0 out.
    const n = Math.max(0, Math.min(all.length, Math.ceil(ratio * all.length - 1e-9)));
    list.push(...all.slice(0, n));
    summary.push({ type, population: all.length, ratio, drawn: n });
  }
  return {
    area: o.area,
    year: o.year,
    seed: o.seed,
    frequency: o.rule.frequency,
    clause: o.rule.clause,
    setBy: o.rule.setBy,
    list,
    summary,
  };
}
