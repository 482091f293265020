/**
 * The review steps a candidate must have passed before it is recognised (pure), per route, as the
 * rule set lists them (`mtyx.review`):
 *   - 走访核实 verification visit: the latest visit in the year, between the application and the
 *     decision, passed;
 *   - 征求意见 consultation of departments: at least one, between the application and the
 *     decision, and no department objected;
 *   - 信息公示 public notice: published after the application for at least `noticeDays` days,
 *     ended before the decision, and no objection raised during it is upheld or still pending.
 * 国市监注发〔2024〕10号 附件 二(三)1、二(五)2; 津市场监管政务〔2024〕9号 附件2 四(二); the Beijing district
 * plans 三(二)2 and 二(二).
 */
import { type DayNumber, formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import type { RuleSet } from '../ruleSet.js';
import type { Reason } from '../typing.js';
import type { ReviewStep } from './candidate.js';

const shown = (s: ReviewStep) => ({
  stepId: s.stepId,
  on: s.on,
  ...(s.until == null ? {} : { until: s.until }),
  outcome: s.outcome,
  actor: s.actor,
  ...(s.note == null ? {} : { note: s.note }),
});

/** The review criteria of one candidate applying by `route` on `submittedOn`, decided on `decidedOn`. */
export function assessReview(
  route: 'application' | 'recommendation',
  steps: readonly ReviewStep[],
  submittedOn: DayNumber,
  decidedOn: DayNumber,
  rs: RuleSet,
): Reason[] {
  const r = rs.mtyx.review;
  const day = (s: string) => parseIsoDate(s);
  const between = (s: ReviewStep) => day(s.on) >= submittedOn && day(s.on) <= decidedOn;
  const byDate = (p: ReviewStep, q: ReviewStep) => (p.on < q.on ? -1 : p.on > q.on ? 1 : 0);
  const window = { applicationOn: formatIsoDate(submittedOn), decidedOn: formatIsoDate(decidedOn) };
  return r[route].map((step): Reason => {
    switch (step) {
      case 'verification': {
        const visits = steps.filter((s) => s.step === 'verification' && between(s)).sort(byDate);
        return {
          criterion: 'mtyx.review.verification',
          met: visits.at(-1)?.outcome === 'passed',
          evidence: { ...window, steps: visits.map(shown) },
          clause: r.clause,
        };
      }
      case 'consultation': {
        const asked = steps.filter((s) => s.step === 'consultation' && between(s)).sort(byDate);
        return {
          criterion: 'mtyx.review.consultation',
          met: asked.length > 0 && asked.every((s) => s.outcome === 'noObjection'),
          evidence: { ...window, steps: asked.map(shown) },
          clause: r.clause,
        };
      }
      default: {
        // 'notice'
        const notice = steps
          .filter((s) => s.step === 'notice' && s.until != null && day(s.on) >= submittedOn && day(s.until) < decidedOn)
          .sort(byDate)
          .at(-1);
        const from = notice === undefined ? Number.NaN : day(notice.on);
        const until = notice === undefined ? Number.NaN : day(notice.until as string);
        const objections = steps.filter((s) => s.step === 'objection' && day(s.on) >= from && day(s.on) <= until).sort(byDate);
        const longEnough = until - from + 1 >= r.noticeDays;
        const blocking = objections.filter((s) => s.outcome === 'upheld' || s.outcome === 'pending');
        return {
          criterion: 'mtyx.review.notice',
          met: notice !== undefined && longEnough && blocking.length === 0,
          evidence: {
            ...window,
            notice: notice === undefined ? null : shown(notice),
            noticeDays: r.noticeDays,
            objections: objections.map(shown),
          },
          clause: r.clause,
        };
      }
    }
  });
}

/** The review step a criterion of {@link assessReview} assesses. */
const STEP_OF: Readonly<Record<string, 'verification' | 'consultation' | 'notice'>> = {
  'mtyx.review.verification': 'verification',
  'mtyx.review.consultation': 'consultation',
  'mtyx.review.notice': 'notice',
};

/**
 * Where a candidate stands in its review, as the round would assess it on `decisionBy` (the last
 * day of the round): each required step's criterion, the first not met (null: every one met),
 * and the last day a public notice may start and still run its `noticeDays` and end before that
 * decision.
 */
export function reviewStanding(
  route: 'application' | 'recommendation',
  steps: readonly ReviewStep[],
  submittedOn: DayNumber,
  decisionBy: DayNumber,
  rs: RuleSet,
): {
  readonly reasons: Reason[];
  readonly next: 'verification' | 'consultation' | 'notice' | null;
  readonly noticeStartBy: string;
} {
  const reasons = assessReview(route, steps, submittedOn, decisionBy, rs);
  const first = reasons.find((r) => !r.met);
  return {
    reasons,
    next: first === undefined ? null : (STEP_OF[first.criterion] ?? null),
    noticeStartBy: formatIsoDate(decisionBy - rs.mtyx.review.noticeDays),
  };
}
