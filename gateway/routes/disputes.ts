/** Disputes (异议): a business files and reads its own; a regulator lists and resolves those of its region. */
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import { requireIndividualBusinessCode } from '../../lib/creditCode.js';
import { chinaDate, formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { programmeRegionOf } from '../../lib/regions.js';
import type { TYPE_LABELS } from '../../matchers/index.js';
import { adjustedDecision, topicName } from '../../pipeline/index.js';
import { disputeFiled, disputePage, fail, forbidden, invalid, notFound, ok, unauthenticated, unavailable } from '../api.js';
import { programmeYear } from '../calendar.js';
import type { GatewayParts } from '../context.js';
import { disputeBody, disputesQuery, resolveBody } from '../requests.js';
import type { RouteTable } from '../route.js';

/** How many disputes a business may have open over one subject (its type, or a 名特优新 outcome); a figure of ours. */
export const OPEN_DISPUTES_PER_SUBJECT = 3;

export function disputeRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, now, ruleBook, requireBusinessInRegion, ownBusiness } = g;
  // The dispute a resolution names in its path (null: no dispute with that id).
  const disputeOf = async (req: Request) => {
    const id = String(req.params.id);
    return /^[A-Za-z0-9._-]{1,100}$/.test(id) ? await o.store.disputes.byId(id) : null;
  };
  // Disputes (异议): the business files — over its type, or over a 名特优新 outcome of a year — and
  // gets its reply by the date the rule set gives; it reads its disputes and the replies with its
  // own token. A regulator sees and resolves those of its region; adjusting a type is a new
  // decision event, so the result changes everywhere it is shared (store, cache, banks).
  const disputeView = (d: Record<string, unknown>, today: string) => ({
    id: d.id,
    seq: Number(d.seq),
    creditCode: d.credit_code,
    subject: d.subject,
    year: d.year ?? null,
    claim: d.claim,
    status: d.status,
    reply: d.resolution ?? null,
    respondBy: d.respond_by ?? null,
    overdue: d.status === 'open' && d.respond_by != null && (d.respond_by as string) < today,
    filedAt: d.filed_at,
    resolvedAt: d.resolved_at ?? null,
  });
  routes.add({
    method: 'post',
    path: '/v1/disputes',
    operationId: 'fileDispute',
    tag: 'disputes',
    summary: 'A business disputes its own type, or a 名特优新 outcome of a year (token subject = its credit code)',
    roles: ['public'],
    body: disputeBody,
    responses: { 201: ok('filed, with the date of the reply', disputeFiled), 400: invalid, 401: unauthenticated, 403: forbidden },
    check: { usage: 'the body must be {"creditCode", "claim", "subject"?: "type"|"mtyx", "year"? (for mtyx)}' },
    scope: 'own',
    handler: async (req, res, p, { body: b }) => {
      if (b.year !== undefined) programmeYear(b.year, 'year', g.today());
      const code = await ownBusiness(req, p, b.creditCode, 'dispute.file', 'a business disputes its own result only');
      const region = (await o.store.business(code))?.region ?? code.slice(2, 8);
      const today = chinaDate(now());
      const rs = ruleBook.inForce(programmeRegionOf(region), parseIsoDate(today));
      const respondBy = formatIsoDate(parseIsoDate(today) + rs.disputes.responseDays);
      // A few open disputes per business and subject: each is answered by a person, and a flood of
      // them must not bury the others (津市场监管政务〔2024〕9号 附件1 三(三) asks each to be answered).
      if ((await o.store.disputes.openCount(code, b.subject)) >= OPEN_DISPUTES_PER_SUBJECT) {
        await audit(req, 'dispute.file', code, 'denied: too many open');
        throw new GetihuError(
          'CONFLICT',
          `the business has ${OPEN_DISPUTES_PER_SUBJECT} disputes over its ${b.subject === 'type' ? 'type' : '名特优新 outcome'} open already: each is answered before another is filed`,
        );
      }
      const id = randomUUID();
      await o.store.disputes.file({
        id,
        creditCode: code,
        filedBy: p.subject,
        claim: b.claim,
        subject: b.subject,
        year: b.year ?? null,
        respondBy,
        region,
      });
      await audit(req, 'dispute.file', code, 'open');
      res.status(201).json({
        id,
        status: 'open',
        subject: b.subject,
        respondBy,
        clause: b.subject === 'type' ? rs.disputes.typeClause : rs.disputes.mtyxClause,
      });
    },
  });
  // The business reads its own disputes and the replies (token subject = its credit code), a page at a time.
  const page = (list: Record<string, unknown>[], limit: number, today: string) => {
    const last = list.at(-1);
    return {
      disputes: list.map((d) => disputeView(d, today)),
      next: list.length === limit && last !== undefined ? { before: Number(last.seq) } : null,
    };
  };
  routes.add({
    method: 'get',
    path: '/v1/disputes',
    operationId: 'listOwnDisputes',
    tag: 'disputes',
    summary: 'A business reads its own disputes and the replies',
    roles: ['public'],
    query: disputesQuery,
    responses: {
      200: ok('its disputes, newest first', disputePage),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
    check: { usage: 'give creditCode (your own), and optionally status, before and limit (1 to 500)' },
    scope: 'own',
    handler: async (req, res, p, { query: q }) => {
      const code = await ownBusiness(req, p, q.creditCode, 'dispute.read', 'a business reads its own disputes only');
      const today = chinaDate(now());
      await audit(req, 'dispute.read', code, 'ok');
      const list = await o.store.disputes.list({
        creditCode: code,
        limit: q.limit,
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.before === undefined ? {} : { before: q.before }),
      });
      res.json(page(list, q.limit, today));
    },
  });
  routes.add({
    method: 'get',
    path: '/v1/regulator/disputes',
    operationId: 'listDisputes',
    tag: 'disputes',
    summary: 'The disputes of the regulator’s region, by status or business, newest first, a page at a time',
    roles: ['regulator'],
    query: disputesQuery,
    responses: {
      200: ok('a page of the disputes', disputePage),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
    check: { usage: 'give status (open, upheld, adjusted), creditCode, before and limit (1 to 500), each optional' },
    scope: 'filtered',
    handler: async (req, res, p, { query: q }) => {
      const code =
        q.creditCode === undefined ? undefined : requireIndividualBusinessCode(q.creditCode, 'creditCode', g.allowCodes).code;
      if (code !== undefined) await requireBusinessInRegion(req, code, 'dispute.list');
      const today = chinaDate(now());
      await audit(req, 'dispute.list', code ?? null, 'ok');
      const list = await o.store.disputes.list({
        region: p.region,
        limit: q.limit,
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(code === undefined ? {} : { creditCode: code }),
        ...(q.before === undefined ? {} : { before: q.before }),
      });
      res.json(page(list, q.limit, today));
    },
  });
  // A regulator resolves a dispute of its region, read by its id: the first to claim it closes it
  // (a second at the same moment gets 409), and an adjustment of the type is sent only once the
  // dispute is claimed. Typing disputes are the province-level regulator's (ACTION_LEVELS).
  routes.add({
    method: 'post',
    path: '/v1/regulator/disputes/:id/resolve',
    operationId: 'resolveDispute',
    tag: 'disputes',
    summary: 'Uphold, or adjust with a reason: an adjustment is a new decision, shared everywhere',
    roles: ['regulator'],
    params: z.object({ id: z.string() }),
    body: resolveBody,
    responses: {
      200: ok('the dispute as resolved', z.record(z.string(), z.unknown()).nullable()),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: notFound,
      409: fail('the dispute was resolved already (by another regulator), or the business has no decision to review'),
      503: unavailable,
    },
    check: { usage: 'the body must be {"outcome": "uphold"|"adjust", "type"? (for adjust), "reason"}' },
    // A dispute is resolved by a regulator whose region covers the one it was filed in.
    scope: {
      kind: 'dispute',
      action: ({ body }) => `dispute.${body.outcome}`,
      targets: async (req) => {
        const d = await disputeOf(req);
        return d === null ? [] : [{ kind: 'area', division: d.region as string }];
      },
    },
    handler: async (req, res, p, { body: b }) => {
      const d = await disputeOf(req);
      if (d === null) throw new GetihuError('NOT_FOUND', 'no dispute with that id');
      const id = String(req.params.id);
      const code = d.credit_code as string;
      const action = `dispute.${b.outcome}`;
      if (d.subject === 'type') await g.requireLevel(req, 'dispute.type', action, code);
      if (d.status !== 'open') {
        await audit(req, action, code, 'conflict');
        throw new GetihuError('CONFLICT', `the dispute was already ${d.status}`);
      }
      const status = b.outcome === 'adjust' ? 'adjusted' : 'upheld';
      const claim = async () => {
        const closed = await o.store.disputes.resolve(id, status, b.reason, p.subject);
        if (closed === null) {
          await audit(req, action, code, 'conflict');
          throw new GetihuError('CONFLICT', 'another regulator resolved the dispute first');
        }
        return closed;
      };
      if (d.subject === 'mtyx') {
        // A 名特优新 outcome is not rewritten here: an accepted claim is reconsidered through the
        // round and its review steps (quota and ranking hold); the reply says what was decided.
        if (b.type !== undefined)
          throw new GetihuError('INVALID_INPUT', 'type: a dispute over a 名特优新 outcome is answered, not re-typed');
        const closed = await claim();
        await audit(req, action, code, 'ok');
        res.json(disputeView(closed, chinaDate(now())));
        return;
      }
      if (b.outcome === 'adjust' && b.type === undefined)
        throw new GetihuError('INVALID_INPUT', 'type: adjusting a dispute over a type needs the type it becomes');
      const current = await o.store.decision(code);
      if (current === null) throw new GetihuError('CONFLICT', 'the business has no decision to review');
      if (b.outcome === 'adjust' && o.pipeline === undefined)
        throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      const closed = await claim();
      if (b.outcome === 'adjust' && o.pipeline !== undefined) {
        const topic = topicName(o.pipeline, 'typing');
        const rs = ruleBook.byRef(current.ruleset);
        const event = adjustedDecision(current, {
          disputeId: id,
          reviewer: p.subject,
          type: b.type as keyof typeof TYPE_LABELS,
          reason: b.reason,
          clause: rs.disputes.typeClause,
        });
        try {
          await o.pipeline.bus.send(topic, [{ key: code, value: o.pipeline.codec.encode(topic, event) }]);
        } catch (err) {
          // Not adjusted: the dispute stays open for the next attempt.
          await o.store.disputes.reopen(id);
          throw err;
        }
      }
      await audit(req, action, code, 'ok');
      res.json(disputeView(closed, chinaDate(now())));
    },
  });
}
