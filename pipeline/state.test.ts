/** The reconciler's state: facts ordered by when the agency knew them, and businesses let go. */
import { describe, expect, it } from 'vitest';
import { FactState } from './state.js';

const reg = (recordId: string, reportedAt: number | null, operatorId = 'OP-1') => ({
  creditCode: '92120101MA05T8WQ38',
  regionCode: '120101',
  operatorId,
  status: 'active',
  establishedOn: 19_000,
  source: { agency: 'market-regulator', feed: 'f', line: 1, recordId, reportedAt },
});
const report = (recordId: string, filed: boolean, reportedAt: number | null) => ({
  creditCode: '92120101MA05T8WQ38',
  year: 2024,
  filed,
  revenueFen: null,
  source: { agency: 'market-regulator', feed: 'f', line: 1, recordId, reportedAt },
});

describe('FactState', () => {
  it('keeps the fact the agency knew last, whatever order they arrive in', () => {
    const s = new FactState();
    const code = '92120101MA05T8WQ38';
    s.apply('annualReport', report('march', true, Date.parse('2025-03-01T00:00:00+08:00')));
    expect(s.apply('annualReport', report('june', false, Date.parse('2025-06-01T00:00:00+08:00')))).toEqual([code]);
    // The March export again: older, so nothing changes.
    expect(s.apply('annualReport', report('march', true, Date.parse('2025-03-01T00:00:00+08:00')))).toEqual([]);
    // Without a time it does not outrank one with a time either.
    expect(s.apply('annualReport', report('undated', true, null))).toEqual([]);
    expect(s.businesses.get(code)?.annualReports.get(2024)?.filed).toBe(false);
    // Of two without a time, the later written wins, as before.
    const t = new FactState();
    t.apply('annualReport', report('a', true, null));
    t.apply('annualReport', report('b', false, null));
    expect(t.businesses.get(code)?.annualReports.get(2024)?.filed).toBe(false);
  });

  it('forgets a business with its place in the operator index', () => {
    const s = new FactState();
    s.apply('registration', reg('r1', null));
    expect(s.businessesOf('OP-1')).toEqual(['92120101MA05T8WQ38']);
    s.forget('92120101MA05T8WQ38');
    expect(s.businesses.size).toBe(0);
    expect(s.businessesOf('OP-1')).toEqual([]);
  });

  it('reads a court record from where the run keeps the court list, when it is kept elsewhere', () => {
    const listed = {
      operatorId: 'OP-1',
      dishonest: true,
      listedOn: 19_500,
      source: { agency: 'court', feed: 'f', line: 1, recordId: 'c-OP-1', reportedAt: null },
    };
    const s = new FactState({ court: { courtOf: (op) => (op === 'OP-1' ? listed : undefined) } });
    s.apply('registration', reg('r1', null, 'OP-1'));
    expect(s.courtOf('OP-1')?.dishonest).toBe(true);
    expect(s.courtOf('OP-2')).toBeUndefined();
  });
});
