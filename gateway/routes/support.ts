/**
 * 精准帮扶: what a business is owed — the measures of its catalogue its current decision matches,
 * and those its 名特优新 recognition adds — with why each matched (which target, which predicate,
 * from which facts). A regulator reads them within its region; the business reads its own.
 */
import type { IRouter, Request } from 'express';
import { GetihuError } from '../../lib/errors.js';
import { creditCodeParam, type GatewayParts } from '../context.js';
import { SUPPORT_READ_ACTION } from '../corrections.js';
import { supportViews } from '../support.js';

export function supportRoutes(g: GatewayParts, routes: IRouter): void {
  const { audit, authed, allowCodes, ownBusiness, requireBusinessInRegion, authorisedRead, activeRecognition, o } = g;
  const { owedView } = supportViews(g);
  const answer = async (req: Request, code: string, action: string) => {
    const view = await owedView(code);
    await audit(req, action, code, view === null ? 'not-found' : 'ok');
    if (view === null) throw new GetihuError('NOT_FOUND', 'no measures on file for that credit code: it has not been typed');
    return view;
  };

  routes.get(
    '/v1/regulator/support/:code',
    ...authed(['regulator'])(async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      await requireBusinessInRegion(req, code, 'support.explain');
      res.json(await answer(req, code, 'support.explain'));
    }),
  );
  // The business reads what it is owed with its own token (subject = its credit code), as it files disputes.
  routes.get(
    '/v1/support',
    ...authed(['public'])(async (req, res, p) => {
      const code = await ownBusiness(req, p, req.query.creditCode, 'support.read', 'a business reads its own measures only');
      res.json(await answer(req, code, 'support.read'));
    }),
  );
  // Banks see the finance measures (channel bank) of a business that authorised them (scope support).
  routes.get(
    '/v1/bank/support/:code',
    ...authed(['bank'])(async (req, res, p) => {
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
    }),
  );
  // Platforms see the traffic-support measures (channel platform) of a 名特优新 holder: its badge is public.
  routes.get(
    '/v1/platform/support/:code',
    ...authed(['platform'])(async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      const held = activeRecognition(await o.store.recognition(code));
      const view = held === null ? null : await owedView(code);
      await audit(req, 'support.platform', code, view === null ? 'none' : 'ok');
      if (view === null || view.mtyx === null)
        throw new GetihuError('NOT_FOUND', 'no 名特优新 recognition whose support applies today for that credit code');
      res.json({ creditCode: code, mtyx: view.mtyx, measures: view.measures.filter((m) => m.channel === 'platform') });
    }),
  );
}
