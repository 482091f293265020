/**
 * 部门推荐 through the department's own role (国市监注发〔2024〕10号 附件 二(五)2 部门推荐认定的…审核后
 * 予以认定; 拟推荐…需要事先征得经营者本人同意; 津市场监管政务〔2024〕9号 附件2 四(二)2): a department
 * token recommends a business of its region for the year's 名特优新 round, naming the category or
 * not, once the operator has agreed. The recommendation becomes an application fact of route
 * `recommendation` on the application topic, exactly as the market regulator's feed carries one,
 * with the department as recommender. A recommendation in a holder's renewal year is the
 * department's agreement to the renewal (ground D: 推荐认定的个体工商户，经推荐部门同意的).
 */
import { z } from 'zod';
import { FEEDS, ingestRecords } from '../../connectors/index.js';
import { requireIndividualBusinessCode } from '../../lib/creditCode.js';
import { GetihuError } from '../../lib/errors.js';
import { fail, forbidden, invalid, ok, unauthenticated } from '../api.js';
import type { GatewayParts } from '../context.js';
import { jsonOnly, type RouteTable } from '../route.js';
import { departmentActing } from './department.js';

const recommendationBody = z
  .object({
    creditCode: z.string().min(1).max(40),
    category: z.enum(['wellKnown', 'distinctive', 'quality', 'emerging']).optional(),
    operatorConsent: z.literal(true, {
      error: '拟推荐为“名特优新”个体工商户的，需要事先征得经营者本人同意: give operatorConsent true once the operator agreed',
    }),
  })
  .strict();

export function recommendationRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, allowCodes } = g;
  routes.add({
    method: 'post',
    path: '/v1/department/recommendations',
    operationId: 'recommendCandidate',
    tag: 'department',
    summary:
      '部门推荐: recommend a business of the department’s region for this year’s 名特优新 round (or agree to a recommended holder’s renewal)',
    roles: ['department'],
    body: recommendationBody,
    middleware: [jsonOnly],
    responses: {
      201: ok(
        'the recommendation, on the application topic',
        z.object({
          creditCode: z.string(),
          year: z.number().int(),
          recommender: z.string(),
          category: z.string().nullable(),
          submittedOn: z.string(),
          recordId: z.string(),
        }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      415: fail('not application/json'),
    },
    check: { usage: 'the body must be {"creditCode", "category"?, "operatorConsent": true}' },
    // The business recommended must be of the department's region.
    scope: {
      kind: 'business',
      action: 'mtyx.recommend',
      targets: (_req, { body }) => [
        { kind: 'business', creditCode: requireIndividualBusinessCode(body.creditCode, 'creditCode', allowCodes).code },
      ],
    },
    handler: async (req, res, p, { body: b }) => {
      const { department } = departmentActing(g, req, p, 'mtyx.recommend');
      const code = requireIndividualBusinessCode(b.creditCode, 'creditCode', allowCodes).code;
      if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      const today = g.today().date;
      const fields = {
        creditCode: code,
        year: Number(today.slice(0, 4)),
        route: 'recommendation',
        category: b.category ?? null,
        submittedOn: today,
        recommender: department,
        operatorConsent: true,
      };
      const summary = await ingestRecords([{ line: 1, original: JSON.stringify(fields), fields }], {
        bus: o.pipeline.bus,
        allowCodes,
        codec: o.pipeline.codec,
        feed: FEEDS.get('market-regulator/applications') as NonNullable<ReturnType<typeof FEEDS.get>>,
        source: `department:${department}`,
        topicPrefix: o.pipeline.prefix,
        keepOutcomes: true,
        receivedAt: g.now().getTime(),
      });
      const outcome = summary.outcomes?.[0];
      if (outcome === undefined || !outcome.accepted)
        throw new GetihuError('INVALID_INPUT', outcome?.reason ?? 'the recommendation was not accepted');
      await audit(req, 'mtyx.recommend', code, `recommended by ${department}`);
      res.status(201).json({
        creditCode: code,
        year: fields.year,
        recommender: department,
        category: fields.category,
        submittedOn: today,
        recordId: outcome.recordId,
      });
    },
  });
}
