/**
 * 京津冀 carry-over, decided (津市场监管政务〔2024〕9号 二(六) 经三地认定的“名特优新”个体工商户跨区域迁移后，
 * 迁入地对认定的结果予以认可，按照本地公布的培育方案给予帮扶; 国市监注发〔2024〕10号 附件 二(四)3 one
 * recognition per operator per district). Worked example: a Tianjin business recognised on
 * 2025-11-30, valid to 2028-11-30 (3 years, 附件 二(六)), moves to Chaoyang (110105) in March 2026.
 */
import { describe, expect, it } from 'vitest';
import { parseIsoDate as d, formatIsoDate } from '../../lib/dates.js';
import { RuleBook } from '../ruleSet.js';
import { business, passedReview, withSection } from '../testing/fixtures.js';
import { type CarriedCheck, decideCarry } from './carry.js';
import { type LedgerEvent, type RecognisedEvent, RecognitionLedger } from './ledger.js';
import { runRecognitionRound } from './round.js';

const book = RuleBook.load();
const TJ = '92120101MA0000197T';
const BJ = '92110105MA00002X9A';
const recognisedInTianjin: RecognisedEvent = {
  kind: 'recognised',
  creditCode: TJ,
  operatorId: 'op-1',
  district: '120101',
  category: 'quality',
  route: 'application',
  sourceExemption: null,
  type: 'growth',
  on: d('2025-11-30'),
  validUntil: d('2028-11-30'),
  roundId: 'round:120000:2025:x',
  explanation: 'recognised',
  figures: null,
};
const check: CarriedCheck = { checkId: 'chk-1', creditCode: TJ, newCreditCode: BJ, toRegion: '110105' };
const registered = { creditCode: BJ, regionCode: '110105', status: 'active', operatorId: 'op-1' };
const march = d('2026-03-10');

describe('京津冀 carry-over (津市场监管政务〔2024〕9号 二(六))', () => {
  it('moves the recognition to the new code in the destination district: same category, same last valid day, support from its first 1 January', () => {
    const r = decideCarry(check, registered, RecognitionLedger.from([recognisedInTianjin]), march, book);
    expect(r.outcome).toBe('carried');
    if (r.outcome !== 'carried') return;
    expect({
      creditCode: r.recognition.creditCode,
      district: r.recognition.district,
      category: r.recognition.category,
      recognisedOn: formatIsoDate(r.recognition.recognisedOn),
      validUntil: formatIsoDate(r.recognition.validUntil),
      benefitsFrom: formatIsoDate(r.recognition.benefitsFrom),
      on: formatIsoDate(r.recognition.on),
      ruleset: r.recognition.ruleset,
    }).toEqual({
      creditCode: BJ,
      district: '110105',
      category: 'quality',
      recognisedOn: '2025-11-30',
      validUntil: '2028-11-30',
      benefitsFrom: '2026-01-01',
      on: '2026-03-10',
      ruleset: 'beijing-2024@1',
    });
    expect(r.badge).toMatchObject({ creditCode: TJ, category: 'quality' });
  });

  it('waits until the destination has registered the business', () => {
    const ledger = RecognitionLedger.from([recognisedInTianjin]);
    expect(decideCarry(check, null, ledger, march, book).outcome).toBe('waiting');
    // The same code, still registered in Tianjin: not moved yet.
    const same = { ...check, newCreditCode: null };
    expect(decideCarry(same, { ...registered, creditCode: TJ, regionCode: '120101' }, ledger, march, book).outcome).toBe(
      'waiting',
    );
  });

  it('refuses a registration of another operator, and an operator who already holds one in the destination district (附件 二(四)3)', () => {
    const ledger = RecognitionLedger.from([recognisedInTianjin]);
    expect(decideCarry(check, { ...registered, operatorId: 'op-2' }, ledger, march, book)).toMatchObject({
      outcome: 'refused',
      reason: expect.stringContaining('sameOperator'),
    });
    const heldThere: RecognisedEvent = {
      ...recognisedInTianjin,
      creditCode: '92110105MA0000300Q',
      district: '110105',
      on: d('2025-11-30'),
    };
    expect(decideCarry(check, registered, RecognitionLedger.from([recognisedInTianjin, heldThere]), march, book)).toMatchObject({
      outcome: 'refused',
      reason: expect.stringContaining('onePerOperator'),
    });
  });

  it('carries nothing once the recognition has ended, nor after its last valid day', () => {
    const revoked: LedgerEvent = { kind: 'ended', creditCode: TJ, status: 'revoked', on: d('2026-02-01'), reason: 'fraud' };
    expect(decideCarry(check, registered, RecognitionLedger.from([recognisedInTianjin, revoked]), march, book).outcome).toBe(
      'refused',
    );
    expect(decideCarry(check, registered, RecognitionLedger.from([recognisedInTianjin]), d('2028-12-01'), book).outcome).toBe(
      'refused',
    );
  });

  /** The ledger after the carry, as the round topic's carried event makes it. */
  const carriedEvent = (code: string): RecognisedEvent => ({
    ...recognisedInTianjin,
    creditCode: code,
    district: '110105',
    on: march,
    roundId: 'transfer:chk-1',
    carriedFrom: { creditCode: TJ, district: '120101', recognisedOn: d('2025-11-30'), transferCheckId: 'chk-1' },
  });

  it.each([
    ['a new code', BJ],
    ['the same code', TJ],
  ])('with %s, the origin ends as transferred on the day and the destination holds it; carrying again is done', (_, code) => {
    const ledger = RecognitionLedger.from([recognisedInTianjin, carriedEvent(code)]);
    const origin = ledger.of(TJ)[0];
    expect(origin?.ended).toMatchObject({ status: 'transferred', on: march });
    expect(RecognitionLedger.statusOn(origin as never, d('2026-03-09'))).toBe('active');
    expect(ledger.activeOn(march).map((e) => [e.recognition.creditCode, e.recognition.district])).toEqual([[code, '110105']]);
    expect(decideCarry({ ...check, newCreditCode: code === TJ ? null : code }, registered, ledger, march, book).outcome).toBe(
      'done',
    );
  });

  it("a carried recognition takes none of the destination's quota and counts for its operator (附件 二(四)3)", () => {
    const ledger = RecognitionLedger.from([recognisedInTianjin, carriedEvent(BJ)]);
    // Typed as of 2026-08-15: on their 2025 reports.
    const growth = (over: Record<string, unknown> = {}) =>
      withSection(withSection(business('110105', over), 'socialInsurance', { insuredHeadcount: 2 }), 'annualReport', {
        year: 2025,
      });
    const applying = (b: Record<string, unknown>) => ({
      ...b,
      honours: { certifications: [{ kind: 'productQuality' }] },
      application: { year: 2026, route: 'application', category: null, submittedOn: '2026-09-01', review: {} },
      reviewSteps: passedReview(2026, '2026-09-01'),
    });
    // 20 growth businesses in Chaoyang: 5% is 1. The operator of the carried one applies with another business.
    const pop = Array.from({ length: 18 }, () => growth());
    const same = applying(growth({ operatorId: 'op-1' }));
    const other = applying(growth());
    const round = runRecognitionRound({
      ruleBook: book,
      asOf: d('2026-08-15'),
      area: '110105',
      records: [same, other, ...pop],
      existing: ledger.existing(),
    });
    expect(round.quota).toEqual([expect.objectContaining({ unit: '110105', limit: 1, heldBefore: 0 })]);
    const outcome = (b: Record<string, unknown>) => round.candidates.find((c) => c.creditCode === b.creditCode)?.outcome;
    expect(outcome(same)).toBe('operatorAlreadyRecognised');
    expect(outcome(other)).toBe('recognised');
  });

  it('a carried recognition is reviewed for renewal in its last year from the day it was first recognised (附件 二(六))', () => {
    const ledger = RecognitionLedger.from([recognisedInTianjin, carriedEvent(BJ)]);
    const facts2028 = (over: Record<string, unknown> = {}) =>
      withSection(withSection(business('110105', over), 'socialInsurance', { insuredHeadcount: 2 }), 'annualReport', {
        year: 2027,
      });
    const round = runRecognitionRound({
      ruleBook: book,
      asOf: d('2028-08-15'),
      area: '110105',
      records: [facts2028({ creditCode: BJ, operatorId: 'op-1' }), ...Array.from({ length: 19 }, () => facts2028())],
      existing: ledger.existing(),
    });
    expect(round.renewals.find((r) => r.creditCode === BJ)).toMatchObject({
      recognisedOn: '2025-11-30',
      validUntil: '2028-11-30',
    });
  });
});
