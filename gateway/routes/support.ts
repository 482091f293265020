/**
 * 精准帮扶: what a business is owed — the measures of its catalogue its current decision matches,
 * and those its 名特优新 recognition adds — with why each matched (which target, which predicate,
 * from which facts). A regulator reads them within its region; the business reads its own.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { GetihuError } from '../../lib/errors.js';
import {
  businessType,
  codeParams,
  creditCode,
  fail,
  forbidden,
  invalid,
  measure,
  notFound,
  ok,
  supportOwed,
  unauthenticated,
} from '../api.js';
import { creditCodeParam, type GatewayParts } from '../context.js';
import { SUPPORT_READ_ACTION } from '../corrections.js';
import { purposeQuery } from '../requests.js';
import { businessInPath, type RouteTable } from '../route.js';
import { supportViews } from '../support.js';

export function supportRoutes(g: GatewayParts, routes: RouteTable): void {
  const { audit, allowCodes, ownBusiness, authorisedRead, activeRecognition, o } = g;
  const { owedView } = supportViews(g);
  const answer = async (req: Request, code: string, action: string) => {
    const view = await owedView(code);
    await audit(req, action, code, view === null ? 'not-found' : 'ok');
    if (view === null) throw new GetihuError('NOT_FOUND', 'no measures on file for that credit code: it has not been typed');
    return view;
  };

  routes.add({
    method: 'get',
    path: '/v1/regulator/support/:code',
    operationId: 'explainSupport',
    tag: 'support',
    summary: 'The support measures a business of the region is owed, each with the target and the facts it matched on',
    roles: ['regulator'],
    params: codeParams,
    responses: { 200: ok('what it is owed', supportOwed), 400: invalid, 401: unauthenticated, 403: forbidden, 404: notFound },
    scope: businessInPath(allowCodes, 'support.explain'),
    handler: async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      res.json(await answer(req, code, 'support.explain'));
    },
  });
  // The business reads what it is owed with its own token (subject = its credit code), as it files disputes.
  routes.add({
    method: 'get',
    path: '/v1/support',
    operationId: 'readOwnSupport',
    tag: 'support',
    summary: 'A business reads the support measures it is owed, with why each matched (token subject = its credit code)',
    roles: ['public'],
    query: z.object({ creditCode }),
    responses: { 200: ok('what it is owed', supportOwed), 400: invalid, 401: unauthenticated, 403: forbidden, 404: notFound },
    scope: 'own',
    handler: async (req, res, p) => {
      const code = await ownBusiness(req, p, req.query.creditCode, 'support.read', 'a business reads its own measures only');
      res.json(await answer(req, code, 'support.read'));
    },
  });
  // Banks see the finance measures (channel bank) of a business that authorised them (scope support).
  routes.add({
    method: 'get',
    path: '/v1/bank/support/:code',
    operationId: 'bankSupport',
    tag: 'support',
    summary: 'The finance measures (channel bank) a business is owed, for a bank it authorised (scope support)',
    roles: ['bank'],
    params: codeParams,
    query: purposeQuery,
    responses: {
      200: ok(
        'its finance measures',
        z.object({ creditCode: z.string(), type: businessType, mtyx: z.string().nullable(), measures: z.array(measure) }),
      ),
      400: invalid,
      401: unauthenticated,
      403: fail('the business has not authorised this bank for this purpose (scope support)'),
      404: notFound,
    },
    scope: 'consent',
    handler: async (req, res, p) => {
      const code = creditCodeParam(req, allowCodes);
      const { purpose, consent } = await authorisedRead(
        req,
        p,
        code,
        'support',
        SUPPORT_READ_ACTION,
        'the finance measures it is owed',
      );
      const view = await owedView(code);
      await audit(req, SUPPORT_READ_ACTION, code, view === null ? 'not-found' : `ok ${consent.id}`, purpose);
      if (view === null) throw new GetihuError('NOT_FOUND', 'no measures on file for that credit code: it has not been typed');
      res.json({
        creditCode: code,
        type: view.type,
        mtyx: view.mtyx,
        measures: view.measures.filter((m) => m.channel === 'bank'),
      });
    },
  });
  // Platforms see the traffic-support measures (channel platform) of a 名特优新 holder: its badge is public.
  routes.add({
    method: 'get',
    path: '/v1/platform/support/:code',
    operationId: 'platformSupport',
    tag: 'support',
    summary: 'The traffic-support measures (channel platform) of a 名特优新 holder whose support applies today',
    roles: ['platform'],
    params: codeParams,
    responses: {
      200: ok('its platform measures', z.object({ creditCode: z.string(), mtyx: z.string(), measures: z.array(measure) })),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: notFound,
    },
    scope: 'open',
    handler: async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      const held = activeRecognition(await o.store.recognition(code));
      const view = held === null ? null : await owedView(code);
      await audit(req, 'support.platform', code, view === null ? 'none' : 'ok');
      if (view === null || view.mtyx === null)
        throw new GetihuError('NOT_FOUND', 'no 名特优新 recognition whose support applies today for that credit code');
      res.json({ creditCode: code, mtyx: view.mtyx, measures: view.measures.filter((m) => m.channel === 'platform') });
    },
  });
}
