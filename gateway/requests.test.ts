/** Every route's query and body are checked by one helper, which names the field at fault. */
import { describe, expect, it } from 'vitest';
import { GetihuError } from '../lib/errors.js';
import { disputeBody, parseRequest, purposeQuery, pushBody } from './requests.js';

function refusal(f: () => unknown): GetihuError {
  try {
    f();
  } catch (err) {
    if (err instanceof GetihuError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('parseRequest', () => {
  it('answers the data when the request is well written', () => {
    expect(parseRequest(purposeQuery, { purpose: 'pre-approval' }, 'usage')).toEqual({ purpose: 'pre-approval' });
  });

  it('names the field at fault, says what is wrong with it, then the usage', () => {
    const e = refusal(() => parseRequest(purposeQuery, { purpose: 'lending' }, 'give purpose', 'INVALID_ARGUMENT'));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/^purpose: .*credit-assessment.*; give purpose$/);
    expect(e.details).toEqual({ field: 'purpose' });
  });

  it('names a nested field by its path', () => {
    const e = refusal(() => parseRequest(pushBody, { batchId: 'b1', records: [{}, 'x'] }, 'usage'));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details).toEqual({ field: 'records.1' });
    expect(e.message.startsWith('records.1: ')).toBe(true);
  });

  it('names a field the request does not have', () => {
    const e = refusal(() => parseRequest(purposeQuery, { purpose: 'pre-approval', amount: '1' }, 'usage'));
    expect(e.message).toBe('amount: not a field of this request; usage');
    expect(e.details).toEqual({ field: 'amount' });
  });

  it('names a missing field', () => {
    const e = refusal(() => parseRequest(disputeBody, { claim: 'wrong type' }, 'usage'));
    expect(e.details).toEqual({ field: 'creditCode' });
  });
});
