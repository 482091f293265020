/**
 * A batch's place in the audit chain, as the embedded store's thread answers an append: the
 * entries made again from it are the entries the chain holds.
 */
import { describe, expect, it } from 'vitest';
import { type AuditInput, auditHash, chainAudit, entriesAt, placeOf } from './auditChain.js';

const list: AuditInput[] = [
  {
    subject: 'bank:a',
    role: 'bank',
    action: 'credit-tags.read',
    purpose: 'pre-approval',
    creditCode: '92120101MA0027JX85',
    outcome: 'ok published',
  },
  { subject: 'regulator:r', role: 'regulator', action: 'audit.read', purpose: null, creditCode: null, outcome: 'ok' },
  {
    subject: 'bank:b',
    role: 'bank',
    action: 'credit-tags.read',
    purpose: 'credit-assessment',
    creditCode: null,
    outcome: 'denied: no authorisation',
  },
];

describe('placeOf and entriesAt', () => {
  it('make again, from the place alone, the entries chainAudit made', () => {
    const head = { seq: 41, hash: 'f'.repeat(64) };
    const out = chainAudit(head, list, '2025-08-15T08:00:00.000Z');
    const place = placeOf(out);
    expect(place).toEqual({ first: 42, at: '2025-08-15T08:00:00.000Z', prevHash: head.hash, hashes: out.map((e) => e.hash) });
    const again = entriesAt(list, place);
    expect(again).toEqual(out);
    // And they hold as a chain: each links to the one before and hashes to its own hash.
    again.forEach((e, i) => {
      expect(e.prevHash).toBe(i === 0 ? head.hash : again[i - 1]?.hash);
      expect(auditHash(e.prevHash, e.seq, e.at, e)).toBe(e.hash);
    });
  });

  it('refuses a place of another batch size', () => {
    const place = placeOf(chainAudit({ seq: 0, hash: 'genesis' }, list));
    expect(() => entriesAt(list.slice(1), place)).toThrow(/batch of 2 audit entries was placed as 3/);
  });
});
