import { z } from 'zod';
import { FEEDS, ingestRecords } from '../../connectors/index.js';
import { addYears, formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { refuseRecognition, revokeRecognition } from '../../pipeline/index.js';
import { codeParams, feedReceipt, forbidden, invalid, isoDate, notFound, ok, unauthenticated, unavailable } from '../api.js';
import { actedOn, dateWithin } from '../calendar.js';
import { creditCodeParam, type GatewayParts } from '../context.js';
import type { Target } from '../jurisdiction.js';
import { areaQuery, filingQuery, filingReviewBody, revokeBody, stepsBody } from '../requests.js';
import { businessInPath, type RouteTable } from '../route.js';

export function recognitionRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, allowCodes, cache } = g;
  // Regulators record the review steps of their candidates (走访核实, 征求意见, 信息公示 and objections
  // raised during it): each one a fact with the date and the regulator who acted, through the
  // same connector as any feed, and the round requires the steps its rule set names.
  routes.add({
    method: 'post',
    path: '/v1/regulator/review-steps',
    operationId: 'recordReviewSteps',
    tag: 'recognitions',
    summary: '名特优新 review steps (走访核实, 征求意见, 信息公示, objections) with their dates; the actor is the token subject',
    roles: ['regulator'],
    body: stepsBody,
    responses: {
      200: ok('every step accepted', feedReceipt),
      207: ok('some steps rejected, each with its reason', feedReceipt),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      503: unavailable,
    },
    check: { usage: 'the body must be {"batchId": "…", "steps": [ … 1 to 500 review steps … ]}' },
    // Every step must concern a business within this regulator's region (a step without a credit
    // code concerns none, so none covers it); who acted is the token's subject.
    scope: {
      kind: 'business',
      action: 'review.step',
      targets: (_req, { body }) =>
        body.steps.map((s): Target => {
          const code = typeof s.creditCode === 'string' ? s.creditCode.slice(0, 18) : '';
          return code === '' ? { kind: 'area', division: '' } : { kind: 'business', creditCode: code };
        }),
    },
    handler: async (req, res, p, { body: b }) => {
      if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      const summary = await ingestRecords(
        b.steps.map((s, i) => {
          const fields = { ...s, actor: p.subject };
          return { line: i + 1, original: JSON.stringify(fields), fields };
        }),
        {
          bus: o.pipeline.bus,
          allowCodes,
          codec: o.pipeline.codec,
          feed: FEEDS.get('market-regulator/review-steps') as NonNullable<ReturnType<typeof FEEDS.get>>,
          source: `http:${p.subject}:${b.batchId}`,
          topicPrefix: o.pipeline.prefix,
          keepOutcomes: true,
          receivedAt: g.now().getTime(),
        },
      );
      await audit(req, 'review.step', null, `accepted ${summary.accepted} rejected ${summary.rejected}`);
      res.status(summary.rejected === 0 ? 200 : 207).json(summary);
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/regulator/recognitions/:code/revoke',
    operationId: 'revokeRecognition',
    tag: 'recognitions',
    summary: 'Revoke (撤销) a recognition for fraud or bribery; a new application is barred for 5 years',
    roles: ['regulator'],
    params: codeParams,
    body: revokeBody,
    responses: {
      201: ok('the change of status', z.looseObject({ creditCode: z.string(), status: z.string() })),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: notFound,
      503: unavailable,
    },
    check: { usage: 'the body must be {"ground": "fraud"|"bribery", "note": text, "on"?: YYYY-MM-DD}' },
    scope: businessInPath(allowCodes, 'recognition.revoke'),
    handler: async (req, res, p, { body: b }) => {
      const code = creditCodeParam(req, allowCodes);
      if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      const on = actedOn(b.on, 'on', g.today());
      // The change that reaches banks and platforms carries the ground and the clause; the note
      // (names, case ids) stays with the regulators (T11).
      const change = await revokeRecognition(o.pipeline, o.store, { creditCode: code, ground: b.ground, on });
      await audit(req, 'recognition.revoke', code, change === null ? 'not-found' : 'ok');
      if (change === null) throw new GetihuError('NOT_FOUND', 'no active 名特优新 recognition for that credit code');
      await o.store.recordRevocationNote({ creditCode: code, revokedOn: on, ground: b.ground, note: b.note, actor: p.subject });
      res.status(201).json({ ...change, note: b.note });
    },
  });

  // The recognitions of an area in any status: the console lists those ending soon and those
  // revoked or cancelled, with the reason and clause the change carried.
  routes.add({
    method: 'get',
    path: '/v1/regulator/recognitions',
    operationId: 'listRecognitions',
    tag: 'recognitions',
    summary: 'The 名特优新 recognitions of an area, any status, by last day of validity',
    roles: ['regulator'],
    query: areaQuery,
    responses: {
      200: ok(
        'the recognitions',
        z.object({
          recognitions: z.array(
            z.object({
              creditCode: z.string(),
              region: z.string(),
              category: z.string(),
              validFrom: isoDate,
              validUntil: isoDate,
              status: z.enum(['active', 'revoked', 'expired', 'cancelled', 'transferred']),
              roundId: z.string(),
              reason: z.string().nullable(),
            }),
          ),
        }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
    check: { usage: 'the query must be ?area=<6 digits>' },
    scope: { kind: 'area', action: 'recognitions.list', targets: (_req, { query }) => [{ kind: 'area', division: query.area }] },
    handler: async (req, res, _p, { query: q }) => {
      const recognitions = await o.store.recognitionsIn(q.area);
      await audit(req, 'recognitions.list', null, `${q.area}: ${recognitions.length}`);
      res.json({ recognitions });
    },
  });

  // The level above reviews what a district filed (备案): the filing list of a year, and a review
  // of one recognition — confirmed, more material by a date (限期补充材料), or refused (不予认定,
  // which ends the recognition). A district regulator reviews nobody's filing, its own least.
  routes.add({
    method: 'get',
    path: '/v1/regulator/filings',
    operationId: 'listFilings',
    tag: 'recognitions',
    summary: 'The recognitions a district filed (备案) for a year',
    roles: ['regulator'],
    query: filingQuery,
    responses: {
      200: ok('the filing list', z.object({ area: z.string(), year: z.number().int(), recognitions: z.array(z.unknown()) })),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
    check: { usage: 'the query must be ?area=<6 digits>&year=<YYYY>' },
    scope: { kind: 'area', action: 'filing.list', targets: (_req, { query }) => [{ kind: 'area', division: query.area }] },
    handler: async (req, res, _p, { query: q }) => {
      const list = await o.store.filingList(q.area, q.year);
      await audit(req, 'filing.list', null, `${q.area}:${q.year}: ${list.length}`);
      res.json({ area: q.area, year: q.year, recognitions: list });
    },
  });
  routes.add({
    method: 'post',
    path: '/v1/regulator/recognitions/:code/filing-review',
    operationId: 'reviewFiling',
    tag: 'recognitions',
    summary: 'The level above reviews a filed recognition: confirmed, more material by a date, or refused',
    roles: ['regulator'],
    params: codeParams,
    body: filingReviewBody,
    responses: {
      201: ok(
        'the review',
        z.object({
          creditCode: z.string(),
          year: z.number().int(),
          outcome: z.enum(['confirmed', 'supplement', 'refused']),
          reviewedOn: isoDate,
          supplementBy: isoDate.nullable(),
          actor: z.string(),
          note: z.string(),
        }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: notFound,
      503: unavailable,
    },
    check: {
      usage:
        'the body must be {"outcome": "confirmed"|"supplement"|"refused", "note": text, "on"?: YYYY-MM-DD, "supplementBy"?: YYYY-MM-DD}',
    },
    // A district's filed recognitions are reviewed by the level above; a district reviews none, its own least.
    scope: businessInPath(allowCodes, 'filing.review'),
    level: 'filing.review',
    handler: async (req, res, p, { body: b }) => {
      const code = creditCodeParam(req, allowCodes);
      const on = actedOn(b.on, 'on', g.today());
      if (b.supplementBy !== undefined)
        dateWithin(
          b.supplementBy,
          'supplementBy',
          on,
          formatIsoDate(addYears(parseIsoDate(on), 1)),
          'more material is due after the review, within a year of it',
        );
      if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      const recognition = await o.store.recognition(code);
      if (recognition === null || recognition.status !== 'active') {
        await audit(req, 'filing.review', code, 'not-found');
        throw new GetihuError('NOT_FOUND', 'no active 名特优新 recognition for that credit code');
      }
      if (b.outcome === 'refused') {
        const change = await refuseRecognition(o.pipeline, o.store, { creditCode: code, on });
        if (change === null) throw new GetihuError('NOT_FOUND', 'no active 名特优新 recognition for that credit code');
        cache.invalidate(code);
      }
      const review = {
        creditCode: code,
        year: Number(recognition.validFrom.slice(0, 4)),
        outcome: b.outcome,
        reviewedOn: on,
        supplementBy: b.supplementBy ?? null,
        actor: p.subject,
        note: b.note,
      };
      await o.store.recordFilingReview(review);
      await audit(req, 'filing.review', code, b.outcome);
      res.status(201).json(review);
    },
  });
}
