/**
 * A dispute adjustment as a decision (国市监注发〔2024〕10号 附件 一(三)3 异议处理；
 * 津市场监管政务〔2024〕9号 附件1 三(三) 对符合标准的，及时调整划型结果).
 */
import { describe, expect, it } from 'vitest';
import { adjustedDecision } from './disputes.js';

const current = {
  creditCode: '92120101MA05L8XK3T',
  region: '120101',
  ruleset: 'tianjin-2024@1',
  asOf: '2025-08-15',
  type: 'survival',
  reasons: [
    { criterion: 'basic.registered', met: true, evidence: {}, clause: 'c1' },
    { criterion: 'mtyx.penalty', met: true, evidence: {}, clause: 'c2' },
    { criterion: 'mtyx.court', met: true, evidence: {}, clause: 'c3' },
  ],
  sources: ['fact.registration@1'],
};
const adjustment = {
  disputeId: 'd-1',
  reviewer: 'regulator-120101',
  type: 'growth' as const,
  reason: '核实后符合成长型标准',
  clause: '津市场监管政务〔2024〕9号 附件1 三(三)',
};

describe('adjustedDecision', () => {
  it('keeps the facts, rule set and as-of date, takes the reviewed type, and adds the review as a reason with its clause', () => {
    const e = adjustedDecision(current, adjustment);
    expect(e).toMatchObject({
      creditCode: '92120101MA05L8XK3T',
      region: '120101',
      ruleset: 'tianjin-2024@1',
      // 2025-08-15 as a day number since 1970-01-01.
      asOf: 20_315,
      type: 'growth',
      label: '成长型',
      mtyxBasicEligible: true,
      runId: 'dispute:d-1',
      sources: ['fact.registration@1'],
    });
    const reasons = JSON.parse(e.reasonsJson as string) as { criterion: string; evidence: unknown; clause: string }[];
    expect(reasons.map((r) => r.criterion)).toEqual(['basic.registered', 'mtyx.penalty', 'mtyx.court', 'dispute.adjustment']);
    expect(reasons[3]).toEqual({
      criterion: 'dispute.adjustment',
      met: true,
      evidence: { disputeId: 'd-1', reviewer: 'regulator-120101', previousType: 'survival', reason: '核实后符合成长型标准' },
      clause: '津市场监管政务〔2024〕9号 附件1 三(三)',
    });
    expect(e.decisionId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('meets the 名特优新 basic standard only as growth or development, and never over an exclusion', () => {
    expect(adjustedDecision(current, { ...adjustment, type: 'survival' }).mtyxBasicEligible).toBe(false);
    expect(adjustedDecision(current, { ...adjustment, type: 'ineligible' }).mtyxBasicEligible).toBe(false);
    expect(adjustedDecision(current, { ...adjustment, type: 'development' }).mtyxBasicEligible).toBe(true);
    const penalised = {
      ...current,
      reasons: current.reasons.map((r) => (r.criterion === 'mtyx.penalty' ? { ...r, met: false } : r)),
    };
    expect(adjustedDecision(penalised, adjustment).mtyxBasicEligible).toBe(false);
  });

  it('gives another decision id for another reviewed type, and the same for the same review', () => {
    const a = adjustedDecision(current, adjustment).decisionId;
    expect(adjustedDecision(current, adjustment).decisionId).toBe(a);
    expect(adjustedDecision(current, { ...adjustment, type: 'development' }).decisionId).not.toBe(a);
  });
});
