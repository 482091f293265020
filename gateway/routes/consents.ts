/**
 * Authorisations (授权): a business grants a bank the reading of more than is published — the
 * basic-standard flags, the typing history — for one purpose until a day it names, lists what it
 * granted and revokes it, always with its own token (subject = its credit code). A bank lists what
 * it holds. Every grant, revocation and listing is audited.
 */
import { randomUUID } from 'node:crypto';
import type { IRouter } from 'express';
import { chinaDate, formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import type { GatewayParts } from '../context.js';
import { consentBody } from '../requests.js';

/** The longest an authorisation may run: a year and a day from its grant. */
export const MAX_CONSENT_DAYS = 366;

export function consentRoutes(g: GatewayParts, routes: IRouter): void {
  const { o, audit, authed, now, smallJson, consentChanged, ownBusiness } = g;
  routes.post(
    '/v1/consents',
    ...authed(
      ['public'],
      smallJson,
    )(async (req, res, p) => {
      const b = consentBody.safeParse(req.body);
      if (!b.success) {
        const issue = b.error.issues[0];
        throw new GetihuError(
          'INVALID_INPUT',
          `${issue?.path.join('.') || 'body'}: ${issue?.message}; the body is {"creditCode", "bank", "purpose", "scope": ["basic-standard"|"history"], "expiresOn": YYYY-MM-DD}`,
          { field: issue?.path.join('.') },
        );
      }
      const code = await ownBusiness(
        req,
        p,
        b.data.creditCode,
        'consent.grant',
        'a business authorises the reading of its own results only',
      );
      const today = parseIsoDate(chinaDate(now()));
      const until = parseIsoDate(b.data.expiresOn, 'expiresOn');
      if (until < today) throw new GetihuError('INVALID_INPUT', 'expiresOn: a day already past', { field: 'expiresOn' });
      if (until > today + MAX_CONSENT_DAYS)
        throw new GetihuError('INVALID_INPUT', `expiresOn: at most ${formatIsoDate(today + MAX_CONSENT_DAYS)} (a year ahead)`, {
          field: 'expiresOn',
        });
      const consent = await o.store.consents.grant({
        id: `consent_${randomUUID()}`,
        creditCode: code,
        bank: b.data.bank,
        purpose: b.data.purpose,
        scope: b.data.scope,
        expiresOn: b.data.expiresOn,
        grantedBy: p.subject,
      });
      consentChanged(code);
      await audit(req, 'consent.grant', code, `${consent.id} ${consent.bank} ${consent.purpose} ${consent.scope.join(',')}`);
      res.status(201).json(consent);
    }),
  );
  routes.get(
    '/v1/consents',
    ...authed(['public'])(async (req, res, p) => {
      const code = await ownBusiness(
        req,
        p,
        req.query.creditCode,
        'consent.list',
        'a business lists its own authorisations only',
      );
      await audit(req, 'consent.list', code, 'ok');
      res.json({ consents: await o.store.consents.ofBusiness(code) });
    }),
  );
  routes.delete(
    '/v1/consents/:id',
    ...authed(['public'])(async (req, res, p) => {
      const id = String(req.params.id ?? '');
      if (!/^consent_[0-9a-f-]{36}$/.test(id)) throw new GetihuError('NOT_FOUND', 'no authorisation with that id');
      // The token's subject is the business: it revokes its own authorisations, nobody else's.
      const revoked = await o.store.consents.revoke(id, p.subject);
      await audit(req, 'consent.revoke', revoked?.creditCode ?? null, revoked === null ? 'not-found' : revoked.id);
      if (revoked === null) throw new GetihuError('NOT_FOUND', 'no authorisation of this business with that id in force');
      consentChanged(revoked.creditCode);
      res.json(revoked);
    }),
  );
  routes.get(
    '/v1/bank/consents',
    ...authed(['bank'])(async (req, res, p) => {
      const list = await o.store.consents.ofBank(p.subject, 1000);
      await audit(req, 'consent.held', null, `${list.length}`);
      res.json({ consents: list });
    }),
  );
}
