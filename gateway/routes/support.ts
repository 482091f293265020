/**
 * 精准帮扶: what a business is owed — the measures of its catalogue its current decision matches,
 * and those its 名特优新 recognition adds — with why each matched (which target, which predicate,
 * from which facts). A regulator reads them within its region; the business reads its own.
 */
import { type Request, Router } from 'express';
import { chinaDate, parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import type { SupportOwedRow } from '../../lib/store/support.js';
import { type MatchedMeasure, Support, type SupportRecognition } from '../../matchers/support/index.js';
import type { BusinessType } from '../../matchers/typing.js';
import { creditCodeParam, type GatewayParts } from '../context.js';

export function supportRoutes(g: GatewayParts): Router {
  const { o, audit, authed, allowCodes, now, catalogues, activeRecognition, ownBusiness, requireBusinessInRegion } = g;
  const routes = Router();
  // One matcher a day (China time): a recognition counts from the day its support applies.
  let day = '';
  let support: Support | undefined;
  const supportToday = () => {
    const today = chinaDate(now());
    if (support === undefined || today !== day) {
      support = new Support(catalogues, parseIsoDate(today));
      day = today;
    }
    return support;
  };

  /** What `code` is owed today, or null when no decision of it carried its measures. */
  const owedView = async (code: string) => {
    const owed: SupportOwedRow | null = await o.store.support.of(code);
    if (owed === null) return null;
    const held = activeRecognition(await o.store.recognition(code));
    const recognition: SupportRecognition | null =
      held === null
        ? null
        : {
            category: held.category as SupportRecognition['category'],
            recognisedOn: parseIsoDate(held.validFrom),
            validUntil: parseIsoDate(held.validUntil),
            revokedOn: null,
          };
    const { mtyx, measures } = supportToday().withRecognition(
      {
        region: owed.region,
        type: owed.type as BusinessType,
        measures: owed.measures as unknown as MatchedMeasure[],
        ifRecognised: owed.ifRecognised as unknown as MatchedMeasure[],
      },
      recognition,
    );
    return {
      creditCode: owed.creditCode,
      type: owed.type,
      asOf: owed.asOf,
      decisionId: owed.decisionId,
      catalogue: owed.catalogue,
      mtyx,
      measures,
    };
  };
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
