/** Agencies: push a batch of their own feed (a receipt of what was accepted and rejected, and why); replaying a batch is harmless. */
import type { Request } from 'express';
import { z } from 'zod';
import { FEEDS, ingestRecords } from '../../connectors/index.js';
import { GetihuError } from '../../lib/errors.js';
import { fail, feedReceipt, forbidden, invalid, ok, unauthenticated, unavailable } from '../api.js';
import { NATIONAL, type Principal } from '../auth.js';
import { type GatewayParts, principalOf } from '../context.js';
import { covers, regionOfBusiness } from '../jurisdiction.js';
import { pushBody } from '../requests.js';
import { jsonOnly, type RouteTable } from '../route.js';

/** Whether a JSON value nests objects or arrays deeper than `limit` (checked without recursion). */
function nestedDeeperThan(v: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length > 0) {
    const [x, d] = stack.pop() as [unknown, number];
    if (x === null || typeof x !== 'object') continue;
    if (d > limit) return true;
    for (const y of Object.values(x)) stack.push([y, d + 1]);
  }
  return false;
}

export function agencyRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, allowCodes } = g;
  // Agencies: push a batch of their own feed; replaying a batch is harmless.
  const feedScope = async (req: Request, p: Principal): Promise<void> => {
    const key = `${req.params.agency}/${req.params.feed}`;
    const feed = FEEDS.get(key);
    if (feed === undefined) throw new GetihuError('NOT_FOUND', 'no such feed');
    if (!p.scopes.has(`feeds:${feed.agency}`)) {
      await audit(req, `feed.push:${key}`, null, 'denied');
      throw new GetihuError('FORBIDDEN', `this token may not push ${feed.agency} feeds`);
    }
    // A review step is a regulator's act, recorded in its own name (the token's subject) through
    // POST /v1/regulator/review-steps: an agency's feed may neither write one under a regulator's
    // name nor overwrite one (T13).
    if (feed.topic === 'reviewStep') {
      await audit(req, `feed.push:${key}`, null, "denied: review steps are the regulator's");
      throw new GetihuError(
        'FORBIDDEN',
        'review steps are recorded by the regulator who took them, in its own name: POST /v1/regulator/review-steps',
      );
    }
  };
  routes.add({
    method: 'post',
    path: '/v1/feeds/:agency/:feed',
    operationId: 'pushFeed',
    tag: 'agency',
    summary: "Push a batch of the agency's own feed (token scope feeds:<agency>)",
    description: 'Answers each record accepted or rejected with its reason; a replayed batch is harmless.',
    roles: ['agency'],
    params: z.object({ agency: z.string(), feed: z.string() }),
    body: pushBody,
    responses: {
      200: ok('every record accepted', feedReceipt),
      207: ok('some records rejected, each with its reason', feedReceipt),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: fail('no such feed'),
      413: fail('the body is larger than 5 MB'),
      415: fail('not application/json'),
      503: unavailable,
    },
    check: { usage: 'the body must be {"batchId": "…", "records": [ … 1 to 5000 objects … ]}' },
    scope: 'scope',
    middleware: [
      (req: Request, _res, next) => {
        feedScope(req, principalOf(req)).then(() => next(), next);
      },
      jsonOnly,
    ],
    bodyLimit: 'feed',
    handler: async (req, res, p, { body }) => {
      const key = `${req.params.agency}/${req.params.feed}`;
      const feed = FEEDS.get(key) as NonNullable<ReturnType<typeof FEEDS.get>>;
      const deep = body.records.findIndex((r) => nestedDeeperThan(r, 8));
      if (deep >= 0)
        throw new GetihuError('INVALID_INPUT', `records.${deep}: nested deeper than 8 levels`, { field: `records.${deep}` });
      // An agency whose token names a region reports on the businesses of that region only (F7);
      // a record keyed by operator (the court list) only where every business of that operator the
      // register knows is in its region, and at least one is: a national agency reports any.
      if (p.region !== NATIONAL) {
        for (const [i, r] of body.records.entries()) {
          const c = typeof r.creditCode === 'string' ? r.creditCode.trim().toUpperCase() : '';
          if (c.length === 18) {
            if (covers(p, await regionOfBusiness(o.store, c))) continue;
            await audit(req, `feed.push:${key}`, c, 'denied');
            throw new GetihuError('FORBIDDEN', `records.${i}.creditCode: a business outside this agency's region ${p.region}`, {
              field: `records.${i}.creditCode`,
            });
          }
          if (typeof r.operatorId !== 'string' || r.creditCode !== undefined) continue; // the feed's own check refuses it, by line
          const regions = await o.store.regionsOfOperator(r.operatorId.trim());
          if (regions.length > 0 && regions.every((d) => covers(p, d))) continue;
          await audit(req, `feed.push:${key}`, null, 'denied: operator outside the region');
          const why =
            regions.length === 0
              ? 'no business of this operator is on the register'
              : `a business of this operator is outside this agency's region ${p.region}`;
          throw new GetihuError('FORBIDDEN', `records.${i}.operatorId: ${why}`, { field: `records.${i}.operatorId` });
        }
      }
      if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      const summary = await ingestRecords(
        body.records.map((r, i) => ({ line: i + 1, original: JSON.stringify(r), fields: r })),
        {
          bus: o.pipeline.bus,
          allowCodes,
          codec: o.pipeline.codec,
          feed,
          source: `http:${p.subject}:${body.batchId}`,
          topicPrefix: o.pipeline.prefix,
          keepOutcomes: true,
          receivedAt: g.now().getTime(),
        },
      );
      await audit(req, `feed.push:${key}`, null, `accepted ${summary.accepted} rejected ${summary.rejected}`);
      res.status(summary.rejected === 0 ? 200 : 207).json(summary);
    },
  });
}
