/**
 * Authorisations (授权): a business grants a bank the reading of more than is published — the
 * basic-standard flags, the typing history — for one purpose until a day it names, lists what it
 * granted and revokes it, always with its own token (subject = its credit code). A bank lists what
 * it holds. Every grant, revocation and listing is audited.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { chinaDate, formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { consentBodyOut, creditCode, forbidden, invalid, notFound, ok, unauthenticated } from '../api.js';
import type { GatewayParts } from '../context.js';
import { consentBody } from '../requests.js';
import type { RouteTable } from '../route.js';

/** The longest an authorisation may run: a year and a day from its grant. */
export const MAX_CONSENT_DAYS = 366;

export function consentRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, now, consentChanged, ownBusiness } = g;
  routes.add({
    method: 'post',
    path: '/v1/consents',
    operationId: 'grantConsent',
    tag: 'consents',
    summary: 'A business authorises a bank to read more than is published, for one purpose, until a day',
    roles: ['public'],
    body: consentBody,
    responses: { 201: ok('granted', consentBodyOut), 400: invalid, 401: unauthenticated, 403: forbidden },
    scope: 'own',
    handler: async (req, res, p) => {
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
    },
  });
  routes.add({
    method: 'get',
    path: '/v1/consents',
    operationId: 'listConsents',
    tag: 'consents',
    summary: 'A business lists the authorisations it granted, newest first',
    roles: ['public'],
    query: z.object({ creditCode }),
    responses: {
      200: ok('its authorisations', z.object({ consents: z.array(consentBodyOut) })),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
    scope: 'own',
    handler: async (req, res, p) => {
      const code = await ownBusiness(
        req,
        p,
        req.query.creditCode,
        'consent.list',
        'a business lists its own authorisations only',
      );
      await audit(req, 'consent.list', code, 'ok');
      res.json({ consents: await o.store.consents.ofBusiness(code) });
    },
  });
  routes.add({
    method: 'delete',
    path: '/v1/consents/:id',
    operationId: 'revokeConsent',
    tag: 'consents',
    summary: 'A business revokes one of its authorisations: the bank’s next read is refused',
    roles: ['public'],
    params: z.object({ id: z.string() }),
    responses: { 200: ok('revoked', consentBodyOut), 401: unauthenticated, 403: forbidden, 404: notFound },
    scope: 'own',
    handler: async (req, res, p) => {
      const id = String(req.params.id ?? '');
      if (!/^consent_[0-9a-f-]{36}$/.test(id)) throw new GetihuError('NOT_FOUND', 'no authorisation with that id');
      // The token's subject is the business: it revokes its own authorisations, nobody else's.
      const revoked = await o.store.consents.revoke(id, p.subject);
      await audit(req, 'consent.revoke', revoked?.creditCode ?? null, revoked === null ? 'not-found' : revoked.id);
      if (revoked === null) throw new GetihuError('NOT_FOUND', 'no authorisation of this business with that id in force');
      consentChanged(revoked.creditCode);
      res.json(revoked);
    },
  });
  routes.add({
    method: 'get',
    path: '/v1/bank/consents',
    operationId: 'listHeldConsents',
    tag: 'bank',
    summary: 'The authorisations this bank holds, newest first',
    roles: ['bank'],
    responses: {
      200: ok('its authorisations', z.object({ consents: z.array(consentBodyOut) })),
      401: unauthenticated,
      403: forbidden,
    },
    scope: 'own',
    handler: async (req, res, p) => {
      const list = await o.store.consents.ofBank(p.subject, 1000);
      await audit(req, 'consent.held', null, `${list.length}`);
      res.json({ consents: list });
    },
  });
}
