/**
 * Regulators' worklist of the year's 名特优新 candidates: each application or recommendation of
 * their area with the review steps on file, where it stands as the round would assess it on the
 * last day of the round (matchers reviewStanding), the step it waits for, and the days that bound
 * it — the decision by the round's last day, a public notice started early enough to run its
 * days before it. The steps themselves are recorded with POST /v1/regulator/review-steps.
 */
import { z } from 'zod';
import { dayNumber, formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import { programmeRegionOf } from '../../lib/regions.js';
import { type ReviewStep, reviewStanding, roundWindow } from '../../matchers/index.js';
import { forbidden, invalid, isoDate, ok, unauthenticated } from '../api.js';
import type { GatewayParts } from '../context.js';
import { filingQuery } from '../requests.js';
import type { RouteTable } from '../route.js';

const step = z.enum(['verification', 'consultation', 'notice']);
const candidate = z.object({
  creditCode: z.string(),
  name: z.string().nullable(),
  region: z.string(),
  route: z.enum(['application', 'recommendation']),
  category: z.string().nullable(),
  submittedOn: isoDate.nullable(),
  recommender: z.string().nullable(),
  steps: z.array(z.looseObject({ step: z.string(), on: isoDate, outcome: z.string(), actor: z.string() })),
  review: z.array(z.looseObject({ criterion: z.string(), met: z.boolean(), clause: z.string() })),
  next: step.nullable().describe('the first step the rule set requires that is not met yet; null: every one met'),
  decideBy: isoDate.describe('the last day of the round: steps after it do not count'),
  noticeStartBy: isoDate.describe('the last day a public notice may start and still run its days before the decision'),
  outcome: z.string().nullable().describe('the latest round outcome of the year, if a round decided it'),
});

export function candidateRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, ruleBook } = g;
  routes.add({
    method: 'get',
    path: '/v1/regulator/candidates',
    operationId: 'listCandidates',
    tag: 'recognitions',
    summary: 'The year’s 名特优新 candidates of an area, each with its review steps, the step it waits for and its deadlines',
    roles: ['regulator'],
    query: filingQuery,
    responses: {
      200: ok(
        'the candidates, by credit code',
        z.object({ area: z.string(), year: z.number().int(), candidates: z.array(candidate) }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
    check: { usage: 'the query must be ?area=<6 digits>&year=<YYYY>' },
    scope: { kind: 'area', action: 'candidates.list', targets: (_req, { query }) => [{ kind: 'area', division: query.area }] },
    handler: async (req, res, _p, { query: q }) => {
      const rows = await o.store.candidates.of(q.area, q.year);
      // The rule set in force today, or on the last day of a past year.
      const on = Math.min(parseIsoDate(g.today().date), dayNumber(q.year, 12, 31));
      const candidates = rows.map((c) => {
        const rs = ruleBook.inForce(programmeRegionOf(c.region), on);
        const window = roundWindow(rs, q.year, c.region);
        // The outcomes were checked against the step's kind by the feed before they reached the topic.
        const steps: ReviewStep[] = c.steps.map((s) => ({ ...s, year: c.year, outcome: s.outcome as ReviewStep['outcome'] }));
        const submittedOn = c.submittedOn === null ? window.from : parseIsoDate(c.submittedOn);
        const standing = reviewStanding(c.route, steps, submittedOn, window.decisionBy, rs);
        return {
          ...c,
          review: standing.reasons,
          next: standing.next,
          decideBy: formatIsoDate(window.decisionBy),
          noticeStartBy: standing.noticeStartBy,
        };
      });
      await audit(req, 'candidates.list', null, `${q.area}:${q.year}: ${candidates.length}`);
      res.json({ area: q.area, year: q.year, candidates });
    },
  });
}
