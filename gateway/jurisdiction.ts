/**
 * Jurisdiction, one policy for every route: who may see or change a business, an area's work, a
 * dispute, an audit entry or a transfer, and at which level. A regional role's token names the
 * division it acts for (gateway/auth.ts refuses one that does not) — the country (000000), a
 * province (XX0000) over its districts, a district over itself; a role that acts for no division
 * covers none. A business belongs to its registered region, or, before its registration is
 * on file, to the division its credit code was issued in (characters 3–8): never to nobody, so a
 * check cannot fail open for a business the store does not know yet.
 */
import { inArea } from '../lib/regions.js';
import type { Store } from '../lib/store/index.js';
import { NATIONAL, type Principal } from './auth.js';

/** What a request acts on. */
export type Target =
  | { readonly kind: 'area'; readonly division: string }
  | { readonly kind: 'business'; readonly creditCode: string }
  | { readonly kind: 'transfer'; readonly fromRegion: string; readonly toRegion: string };

/** The division a business belongs to. */
export async function regionOfBusiness(store: Store, creditCode: string): Promise<string> {
  return (await store.business(creditCode))?.region ?? creditCode.slice(2, 8);
}

/** Whether a principal's jurisdiction covers a division (a national token covers every one; a non-regional role none). */
export function covers(p: Principal, division: string): boolean {
  return p.region !== null && inArea(p.region, division);
}

/** The level a regional token acts at: the country, a province (XX0000), or a district (any other division). */
export type Level = 'national' | 'province' | 'district';

/** The level of a principal's region (null for a role that acts for no division). */
export function levelOf(p: Principal): Level | null {
  if (p.region === null) return null;
  return p.region === NATIONAL ? 'national' : p.region.endsWith('0000') ? 'province' : 'district';
}

/**
 * Actions the texts give to a level, and the clause that gives it. Typing disputes go to the
 * province-level regulator in every text; the filed list of a district's recognitions is reviewed
 * by the level above it. Every other action is open to any level whose region covers its object.
 */
export const ACTION_LEVELS: Readonly<Record<string, { readonly level: 'province'; readonly clause: string }>> = Object.freeze({
  'dispute.type': {
    level: 'province',
    clause:
      '国市监注发〔2024〕10号 附件 一(三)3 各省级市场监管部门…及时处理; 津市场监管政务〔2024〕9号 附件1 三(三) 市市场监管委统一进行处理; 北京市各区方案 附件 一(二)3 市市场监管局…及时处理',
  },
  'filing.review': {
    level: 'province',
    clause:
      '国市监注发〔2024〕10号 附件 二(五)2 上级市场监管部门可以通过抽查方式进行监督; 津市场监管政务〔2024〕9号 附件2 四(三) 市市场监管委通过抽查方式进行监督',
  },
});

/** Whether `p` acts at the level `action` needs (a province or the country, where the texts name one). */
export function actsAtLevel(p: Principal, action: string): boolean {
  const need = ACTION_LEVELS[action];
  if (need === undefined) return true;
  const level = levelOf(p);
  return level === 'national' || level === need.level;
}

/**
 * Whether `p` may act on `target`: an area or a business within its region; a transfer when
 * either end is (the regulator of the region it leaves or of the one it joins).
 */
export async function mayActOn(store: Store, p: Principal, target: Target): Promise<boolean> {
  switch (target.kind) {
    case 'area':
      return covers(p, target.division);
    case 'business':
      return covers(p, await regionOfBusiness(store, target.creditCode));
    case 'transfer':
      return covers(p, target.fromRegion) || covers(p, target.toRegion);
  }
}
