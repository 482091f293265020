/** Recognition lifecycle: 津市场监管政务〔2024〕9号 附件2 五; 兴市监发〔2024〕53号 附件 三(五); 国市监注发〔2024〕10号 附件 二(六). */
import { describe, expect, it } from 'vitest';
import { parseIsoDate as d } from '../../lib/dates.js';
import { RuleBook } from '../ruleSet.js';
import { badgeChangeOn, decideRenewal, mayApply, type RecognitionEvent, recognitionStatusOn } from './lifecycle.js';

const rs = RuleBook.load().byRef('tianjin-2024');
const recognised: Extract<RecognitionEvent, { kind: 'recognised' }> = {
  kind: 'recognised',
  on: d('2025-11-30'),
  category: 'quality',
  type: 'growth',
  route: 'application',
  figures: { revenueYuan: 200_000, taxPaidYuan: 3_000, insuredHeadcount: 2 },
};

describe('recognition lifecycle', () => {
  it('is valid for 3 years from the recognition date, counted as the Civil Code counts periods', () => {
    // 有效期为3年，以认定时间为准; 民法典 第二百零一条: the day of recognition (2025-11-30) is not
    // counted, the period starts on 2025-12-01; 第二百零二条: it ends on the corresponding day, 2028-11-30.
    expect(recognitionStatusOn([recognised], d('2028-11-30'), rs)).toMatchObject({ status: 'active', validUntil: '2028-11-30' });
    expect(recognitionStatusOn([recognised], d('2028-12-01'), rs).status).toBe('expired');
    expect(recognitionStatusOn([], d('2026-01-01'), rs).status).toBe('none');
  });

  it('is cancelled when a yearly re-check finds the basic standard no longer met', () => {
    const events: RecognitionEvent[] = [
      recognised,
      { kind: 'recheck', on: d('2026-08-15'), typingBasicMet: true, mtyxBasicMet: false, type: 'growth' },
    ];
    expect(recognitionStatusOn(events, d('2026-08-14'), rs).status).toBe('active');
    expect(recognitionStatusOn(events, d('2026-08-16'), rs).status).toBe('cancelled');
  });

  it('notes missing yearly reports (due 31 July)', () => {
    const events: RecognitionEvent[] = [recognised, { kind: 'report', on: d('2026-07-20'), year: 2026 }];
    expect(recognitionStatusOn(events, d('2027-08-01'), rs).reportsMissing).toEqual([2027]);
  });

  it('extends by 3 years in the last year on any ground: growth, award, type upgrade, recommender consent', () => {
    const until = d('2028-11-30');
    const review = (x: Partial<Extract<RecognitionEvent, { kind: 'renewalReview' }>>) => ({
      kind: 'renewalReview' as const,
      on: d('2028-08-01'),
      type: 'growth' as const,
      ...x,
    });
    expect(
      decideRenewal(
        recognised,
        review({ figures: { revenueYuan: 220_000, taxPaidYuan: null, insuredHeadcount: null } }),
        until,
        rs,
      ).extend,
    ).toBe(true);
    expect(
      decideRenewal(recognised, review({ figures: { revenueYuan: 210_000, taxPaidYuan: 3_000, insuredHeadcount: 2 } }), until, rs)
        .extend,
    ).toBe(false);
    expect(decideRenewal(recognised, review({ awardsOn: [d('2026-05-01')] }), until, rs).extend).toBe(true);
    expect(decideRenewal(recognised, review({ type: 'development' }), until, rs).extend).toBe(true);
    expect(decideRenewal(recognised, review({ recommenderConsents: true }), until, rs).extend).toBe(false);
    expect(
      decideRenewal({ ...recognised, route: 'recommendation' }, review({ recommenderConsents: true }), until, rs).extend,
    ).toBe(true);
    expect(decideRenewal(recognised, review({ on: d('2027-08-01'), type: 'development' }), until, rs)).toMatchObject({
      extend: false,
      inLastYear: false,
    });
    const events: RecognitionEvent[] = [recognised, review({ type: 'development' })];
    // Extended by 3 years from the last valid day 2028-11-30: to 2031-11-30.
    expect(recognitionStatusOn(events, d('2031-11-30'), rs)).toMatchObject({ status: 'active', validUntil: '2031-11-30' });
  });

  it('is revoked for fraud, with no application for 5 years', () => {
    const events: RecognitionEvent[] = [recognised, { kind: 'revoked', on: d('2026-03-01'), reason: 'fraud' }];
    expect(recognitionStatusOn(events, d('2026-03-02'), rs)).toMatchObject({ status: 'revoked', barredUntil: '2031-03-01' });
    expect(mayApply(events, d('2031-03-01'), rs)).toBe(false);
    expect(mayApply(events, d('2031-03-02'), rs)).toBe(true);
    const again: RecognitionEvent[] = [...events, { ...recognised, on: d('2027-11-30') }];
    expect(recognitionStatusOn(again, d('2028-01-01'), rs).status).toBe('revoked');
  });
});

describe('the yearly badge sweep (津市场监管政务〔2024〕9号 附件2 五: 有效期为3年 … 对已不符合标准的，取消认定)', () => {
  const rec = { validFrom: '2025-11-30', validUntil: '2028-11-29' };
  const fine = { asOf: '2026-08-15', typingBasicMet: true, mtyxBasicMet: true, type: 'growth' as const };

  it('keeps a recognition through its last valid day and expires it the day after', () => {
    expect(badgeChangeOn(rec, fine, d('2028-11-29'), rs)).toBeNull();
    expect(badgeChangeOn(rec, fine, d('2028-11-30'), rs)).toMatchObject({ status: 'expired' });
  });

  it('cancels when a decision taken after the recognition fails the re-check, naming what failed', () => {
    expect(badgeChangeOn(rec, { ...fine, mtyxBasicMet: false }, d('2026-09-01'), rs)).toMatchObject({
      status: 'cancelled',
      reason: expect.stringMatching(/名特优新 basic standard not met/),
    });
    expect(badgeChangeOn(rec, { ...fine, typingBasicMet: false }, d('2026-09-01'), rs)?.reason).toMatch(/typing basic/);
    expect(badgeChangeOn(rec, { ...fine, type: 'ineligible' }, d('2026-09-01'), rs)?.reason).toMatch(/typed ineligible/);
    // 生存型 still passes: the re-check asks for the basic standards, not a type above survival.
    expect(badgeChangeOn(rec, { ...fine, type: 'survival' }, d('2026-09-01'), rs)).toBeNull();
  });

  it('does not judge a recognition by the decision it was granted on', () => {
    expect(badgeChangeOn(rec, { ...fine, asOf: '2025-08-15', mtyxBasicMet: false }, d('2026-01-01'), rs)).toBeNull();
    expect(badgeChangeOn(rec, null, d('2026-01-01'), rs)).toBeNull();
  });

  it('agrees with the recognition history for the same re-check', () => {
    const events: RecognitionEvent[] = [
      { kind: 'recognised', on: d('2025-11-30'), category: 'quality', type: 'growth', route: 'application' },
      { kind: 'recheck', on: d('2026-08-15'), typingBasicMet: true, mtyxBasicMet: false, type: 'growth' },
    ];
    expect(recognitionStatusOn(events, d('2026-09-01'), rs).status).toBe('cancelled');
    expect(badgeChangeOn(rec, { ...fine, mtyxBasicMet: false }, d('2026-09-01'), rs)?.status).toBe('cancelled');
  });
});
