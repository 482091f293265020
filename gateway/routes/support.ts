/**
 * 精准帮扶: what a business is owed — the measures of its catalogue its current decision matches,
 * and those its 名特优新 recognition adds — with why each matched (which target, which predicate,
 * from which facts). A regulator reads them within its region; the business reads its own.
 */
import { type Request, Router } from 'express';
import { GetihuError } from '../../lib/errors.js';
import { creditCodeParam, type GatewayParts } from '../context.js';
import { supportViews } from '../support.js';

export function supportRoutes(g: GatewayParts): Router {
  const { audit, authed, allowCodes, ownBusiness, requireBusinessInRegion } = g;
  const routes = Router();
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
  return routes;
}
