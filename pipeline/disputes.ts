/**
 * A dispute adjustment (异议处理: 对符合标准的，及时调整分型结果) as a decision: the regulator's
 * reviewed type replaces the decided one, on the same facts, with the review as one more reason.
 * Pure: the gateway sends the event it returns, and the sink stores it like any decision.
 */
import { parseIsoDate } from '../lib/dates.js';
import { TYPE_LABELS, type TypingDecision } from '../matchers/index.js';
import { decisionIdOf } from './decide.js';

/** The decision under review, as the store holds it. */
export interface DecisionUnderReview {
  readonly creditCode: string;
  readonly region: string;
  readonly ruleset: string;
  /** YYYY-MM-DD */
  readonly asOf: string;
  readonly type: string;
  readonly reasons: unknown;
  readonly sources: readonly string[];
}

/** What the regulator decided on the dispute. */
export interface Adjustment {
  readonly disputeId: string;
  /** The regulator who reviewed it (the token's subject). */
  readonly reviewer: string;
  readonly type: keyof typeof TYPE_LABELS;
  readonly reason: string;
  /** The clause of the rule set that provides for the adjustment (its `disputes.typeClause`). */
  readonly clause: string;
}

/**
 * The decision event (a `getihu.decision.typing` value) of an adjustment. Its `runId` is
 * `dispute:<id>`, which a run on the same facts does not replace (see the sink). The 名特优新
 * basic standard is decided again for the new type: growth or development, with neither
 * exclusion (no unrepaired penalty, operator not on the court list) among the reasons.
 */
export function adjustedDecision(current: DecisionUnderReview, a: Adjustment): Record<string, unknown> {
  const reasons = [
    ...(current.reasons as TypingDecision['reasons']),
    {
      criterion: 'dispute.adjustment',
      met: true,
      evidence: { disputeId: a.disputeId, reviewer: a.reviewer, previousType: current.type, reason: a.reason },
      clause: a.clause,
    },
  ] as TypingDecision['reasons'];
  const holds = (id: string) => reasons.find((r) => r.criterion === id)?.met !== false;
  const mtyxBasicEligible = (a.type === 'growth' || a.type === 'development') && holds('mtyx.penalty') && holds('mtyx.court');
  return {
    decisionId: decisionIdOf({
      creditCode: current.creditCode,
      ruleset: current.ruleset,
      asOf: current.asOf,
      type: a.type,
      mtyxBasicEligible,
      reasons,
    }),
    creditCode: current.creditCode,
    region: current.region,
    ruleset: current.ruleset,
    asOf: parseIsoDate(current.asOf, 'asOf'),
    type: a.type,
    label: TYPE_LABELS[a.type],
    mtyxBasicEligible,
    runId: `dispute:${a.disputeId}`,
    // A reviewer's decision is not the core's: it carries its reasons, the review among them.
    facts: null,
    reasonsJson: JSON.stringify(reasons),
    sources: [...current.sources],
  };
}
