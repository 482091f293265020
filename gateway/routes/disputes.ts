/** Disputes (异议): a business files and reads its own; a regulator lists and resolves those of its region. */
import { randomUUID } from 'node:crypto';
import type { IRouter } from 'express';
import { chinaDate, formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { programmeRegionOf } from '../../lib/regions.js';
import type { TYPE_LABELS } from '../../matchers/index.js';
import { adjustedDecision, topicName } from '../../matchers/reconciler/index.js';
import { programmeYear } from '../calendar.js';
import type { GatewayParts } from '../context.js';
import { disputeBody, parseRequest, resolveBody } from '../requests.js';

export function disputeRoutes(g: GatewayParts, routes: IRouter): void {
  const { o, audit, authed, now, ruleBook, smallJson, requireRegulatorsArea, ownBusiness } = g;
  // Disputes (异议): the business files — over its type, or over a 名特优新 outcome of a year — and
  // gets its reply by the date the rule set gives; it reads its disputes and the replies with its
  // own token. A regulator sees and resolves those of its region; adjusting a type is a new
  // decision event, so the result changes everywhere it is shared (store, cache, banks).
  const disputeView = (d: Record<string, unknown>, today: string) => ({
    id: d.id,
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
  routes.post(
    '/v1/disputes',
    ...authed(
      ['public'],
      smallJson,
    )(async (req, res, p) => {
      const b = parseRequest(
        disputeBody,
        req.body,
        'the body must be {"creditCode", "claim", "subject"?: "type"|"mtyx", "year"? (for mtyx)}',
      );
      if (b.year !== undefined) programmeYear(b.year, 'year', g.today());
      const code = await ownBusiness(req, p, b.creditCode, 'dispute.file', 'a business disputes its own result only');
      const region = (await o.store.business(code))?.region ?? code.slice(2, 8);
      const today = chinaDate(now());
      const rs = ruleBook.inForce(programmeRegionOf(region), parseIsoDate(today));
      const respondBy = formatIsoDate(parseIsoDate(today) + rs.disputes.responseDays);
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
    }),
  );
  // The business reads its own disputes and the replies (token subject = its credit code).
  routes.get(
    '/v1/disputes',
    ...authed(['public'])(async (req, res, p) => {
      const code = await ownBusiness(req, p, req.query.creditCode, 'dispute.read', 'a business reads its own disputes only');
      const today = chinaDate(now());
      await audit(req, 'dispute.read', code, 'ok');
      res.json({ disputes: (await o.store.disputes.list({ creditCode: code })).map((d) => disputeView(d, today)) });
    }),
  );
  routes.get(
    '/v1/regulator/disputes',
    ...authed(['regulator'])(async (req, res, p) => {
      const status =
        typeof req.query.status === 'string' && /^(open|upheld|adjusted)$/.test(req.query.status) ? req.query.status : undefined;
      const today = chinaDate(now());
      await audit(req, 'dispute.list', null, 'ok');
      const list = await o.store.disputes.list({
        ...(status === undefined ? {} : { status }),
        region: p.region,
      });
      res.json({ disputes: list.map((d) => disputeView(d, today)) });
    }),
  );
  routes.post(
    '/v1/regulator/disputes/:id/resolve',
    ...authed(
      ['regulator'],
      smallJson,
    )(async (req, res, p) => {
      const b = parseRequest(
        resolveBody,
        req.body,
        'the body must be {"outcome": "uphold"|"adjust", "type"? (for adjust), "reason"}',
      );
      const id = String(req.params.id);
      const open = (await o.store.disputes.list({ status: 'open' })).find((d) => d.id === id);
      if (open === undefined) throw new GetihuError('NOT_FOUND', 'no open dispute with that id');
      const code = open.credit_code as string;
      await requireRegulatorsArea(req, open.region as string, `dispute.${b.outcome}`, code);
      if (open.subject === 'mtyx') {
        // A 名特优新 outcome is not rewritten here: an accepted claim is reconsidered through the
        // round and its review steps (quota and ranking hold); the reply says what was decided.
        if (b.type !== undefined)
          throw new GetihuError('INVALID_INPUT', 'type: a dispute over a 名特优新 outcome is answered, not re-typed');
        const closed = await o.store.disputes.resolve(id, b.outcome === 'adjust' ? 'adjusted' : 'upheld', b.reason);
        await audit(req, `dispute.${b.outcome}`, code, closed === null ? 'conflict' : 'ok');
        res.json(closed);
        return;
      }
      if (b.outcome === 'adjust' && b.type === undefined)
        throw new GetihuError('INVALID_INPUT', 'type: adjusting a dispute over a type needs the type it becomes');
      const current = await o.store.decision(code);
      if (current === null) throw new GetihuError('CONFLICT', 'the business has no decision to review');
      if (b.outcome === 'adjust') {
        if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
        const topic = topicName(o.pipeline, 'typing');
        const rs = ruleBook.byRef(current.ruleset);
        const event = adjustedDecision(current, {
          disputeId: id,
          reviewer: p.subject,
          type: b.type as keyof typeof TYPE_LABELS,
          reason: b.reason,
          clause: rs.disputes.typeClause,
        });
        await o.pipeline.bus.send(topic, [{ key: code, value: o.pipeline.codec.encode(topic, event) }]);
      }
      const closed = await o.store.disputes.resolve(id, b.outcome === 'adjust' ? 'adjusted' : 'upheld', b.reason);
      await audit(req, `dispute.${b.outcome}`, code, closed === null ? 'conflict' : 'ok');
      res.json(closed);
    }),
  );
}
