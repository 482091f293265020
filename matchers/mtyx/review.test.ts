/**
 * Where a candidate stands in its review (reviewStanding): Tianjin's route of application needs a
 * verification visit, a consultation of departments and a public notice, in that order of the text
 * (津市场监管政务〔2024〕9号 附件2 四(二)1 在经走访核实、征求意见、信息公示等步骤后); the round
 * decides by 30 November (附件2 四(一) 11月底前完成). The notice runs at least noticeDays (5,
 * provisional) and ends before the decision, so it starts by 25 November at the latest.
 */
import { describe, expect, it } from 'vitest';
import { parseIsoDate as d } from '../../lib/dates.js';
import { RuleBook } from '../ruleSet.js';
import type { ReviewStep } from './candidate.js';
import { reviewStanding } from './review.js';

const rs = RuleBook.load().byRef('tianjin-2024');
const step = (kind: ReviewStep['step'], on: string, outcome: ReviewStep['outcome'], until?: string): ReviewStep => ({
  year: 2026,
  step: kind,
  stepId: `${kind}-${on}`,
  on,
  ...(until === undefined ? {} : { until }),
  outcome,
  actor: 'regulator:test',
});

describe('reviewStanding', () => {
  const applied = d('2026-08-20');
  const decisionBy = d('2026-11-30');

  it('names the first step the text requires that is not met, and the last day a notice may start', () => {
    const none = reviewStanding('application', [], applied, decisionBy, rs);
    expect(none.next).toBe('verification');
    expect(none.noticeStartBy).toBe('2026-11-25');
    expect(none.reasons.map((r) => r.criterion)).toEqual([
      'mtyx.review.verification',
      'mtyx.review.consultation',
      'mtyx.review.notice',
    ]);
    const visited = reviewStanding('application', [step('verification', '2026-09-01', 'passed')], applied, decisionBy, rs);
    expect(visited.next).toBe('consultation');
    const all = reviewStanding(
      'application',
      [
        step('verification', '2026-09-01', 'passed'),
        step('consultation', '2026-09-05', 'noObjection'),
        step('notice', '2026-09-10', 'published', '2026-09-14'),
      ],
      applied,
      decisionBy,
      rs,
    );
    expect(all.next).toBeNull();
  });

  it('counts no visit that failed, nor one made before the application or after the decision', () => {
    for (const on of ['2026-08-19', '2026-12-01'])
      expect(reviewStanding('application', [step('verification', on, 'passed')], applied, decisionBy, rs).next).toBe(
        'verification',
      );
    expect(reviewStanding('application', [step('verification', '2026-09-01', 'failed')], applied, decisionBy, rs).next).toBe(
      'verification',
    );
  });

  it('asks a recommendation for the notice alone (附件2 四(二)2 审核后予以认定)', () => {
    expect(reviewStanding('recommendation', [], applied, decisionBy, rs).next).toBe('notice');
  });
});
