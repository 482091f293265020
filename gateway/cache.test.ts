/**
 * The decision cache never keeps a result older than an event it has seen: an event can reach
 * the gateway before the sink has stored what it announces, and a read in between must not keep
 * the old result for the cache's minute.
 */
import { describe, expect, it } from 'vitest';
import type { StoredDecision } from '../lib/store/store.js';
import { DecisionCache } from './cache.js';

const code = '92120101MA05L8XK3T';
const decision = (decisionId: string, type: string) => ({ creditCode: code, decisionId, type }) as unknown as StoredDecision;
const snapshot = (decisionId: string, type: string) => ({ decision: decision(decisionId, type), recognition: null });

describe('DecisionCache', () => {
  it('keeps a read as before when no event is pending', () => {
    const c = new DecisionCache();
    c.set(code, snapshot('d1', 'survival'));
    expect(c.get(code)?.decision?.type).toBe('survival');
  });

  it('after a decision event, does not keep a read that still shows the decision before it', () => {
    const c = new DecisionCache();
    c.set(code, snapshot('d1', 'survival'));
    c.invalidate(code, { decisionId: 'd2' });
    expect(c.get(code)).toBeUndefined();
    // The store has not yet recorded d2: served, not kept.
    c.set(code, snapshot('d1', 'survival'));
    expect(c.get(code)).toBeUndefined();
    c.setTags(code, { tags: { decisionId: 'd1' } as never, recognition: null });
    expect(c.getTags(code)).toBeUndefined();
    // Once it shows d2, it is kept again, and so is what comes after.
    c.set(code, snapshot('d2', 'development'));
    expect(c.get(code)?.decision?.type).toBe('development');
    c.setTags(code, { tags: { decisionId: 'd2' } as never, recognition: null });
    expect(c.getTags(code)).toBeDefined();
  });

  it('after a recognition event, keeps nothing of the business for a while', () => {
    const c = new DecisionCache();
    c.invalidate(code, { hold: true });
    c.set(code, snapshot('d1', 'growth'));
    expect(c.get(code)).toBeUndefined();
    // Another business is not held.
    const other = '92120101MA05L8XK4R';
    c.set(other, { decision: { ...decision('x', 'growth'), creditCode: other }, recognition: null });
    expect(c.get(other)).toBeDefined();
  });
});
