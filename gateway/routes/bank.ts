/** Banks: credit-assessment tags with a purpose (never raw amounts or headcounts), and the corrections to tags they fetched — a feed, an event stream, or a webhook. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GetihuError } from '../../lib/errors.js';
import {
  codeParams,
  correctionPageAnswers,
  correctionStreamAnswers,
  creditTagsBody,
  fail,
  forbidden,
  historyBody,
  invalid,
  limited,
  notFound,
  ok,
  unauthenticated,
  unavailable,
  webhookView,
} from '../api.js';
import { creditCodeParam, type GatewayParts } from '../context.js';
import { correctionPage, correctionStream } from '../correctionFeeds.js';
import { BANK_READS, startingPosition, TAG_READ_ACTION } from '../corrections.js';
import { BANK_PURPOSES, bankPurpose, correctionsQuery, historyQuery, purposeQuery, webhookBody } from '../requests.js';
import type { RouteTable } from '../route.js';
import { checkWebhookUrl, newWebhookSecret, publicWebhook, resolveTarget } from '../webhooks.js';

export { BANK_PURPOSES };

export function bankRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, tags, allowCodes, activeRecognition, consentFor, authorisedRead } = g;
  // Banks: credit-assessment tags, with a purpose; never raw amounts or headcounts.
  routes.add({
    method: 'get',
    path: '/v1/credit-tags/:code',
    operationId: 'getCreditTags',
    tag: 'bank',
    summary: 'Credit-assessment tags of a business',
    description:
      'Type, label and 名特优新 category and validity (what is published), rule set and as-of date — never amounts or headcounts; with pre-approval that is all. The basic-standard flags come only with the business’s authorisation for this bank and purpose (POST /v1/consents), which credit-assessment and product-matching need: without one they are refused (403, with the reason). The purpose and the authorisation are audited with the read.',
    roles: ['bank'],
    params: codeParams,
    query: purposeQuery,
    responses: {
      200: ok('the tags', creditTagsBody),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: notFound,
      429: limited,
      503: unavailable,
    },
    scope: 'consent',
    handler: async (req, res, p) => {
      const code = creditCodeParam(req, allowCodes);
      const purpose = bankPurpose(req.query);
      const s = await tags(code);
      const d = s.tags;
      if (d === null) {
        await audit(req, TAG_READ_ACTION, code, 'not-found', purpose);
        throw new GetihuError('NOT_FOUND', 'no decision for that credit code');
      }
      // What is published (type, label, 名特优新) serves pre-approval screening; the basic-standard
      // flags need the business's authorisation for this bank and purpose, and credit assessment
      // and product matching cannot be done without them.
      const consent = await consentFor(p.subject, code, purpose);
      const granted = consent?.scope.includes('basic-standard') ? consent : null;
      if (granted === null && purpose !== 'pre-approval') {
        await audit(req, TAG_READ_ACTION, code, 'denied: no authorisation', purpose);
        throw new GetihuError(
          'FORBIDDEN',
          `the business has not authorised this bank to read its basic-standard flags for ${purpose}: it grants that with POST /v1/consents; pre-approval reads what is published`,
        );
      }
      const rec = activeRecognition(s.recognition);
      await audit(req, TAG_READ_ACTION, code, granted !== null ? `ok ${granted.id}` : 'ok published', purpose);
      res.json({
        creditCode: code,
        type: d.type,
        label: d.label,
        mtyx: rec === null ? null : { category: rec.category, validFrom: rec.validFrom, validUntil: rec.validUntil },
        basicStandard:
          granted !== null
            ? {
                typing: d.basicStandardMet,
                mtyx: d.mtyxBasicEligible,
                noExcludingPenalty: d.noExcludingPenalty,
                operatorNotOnCourtList: d.operatorNotOnCourtList,
              }
            : null,
        authorisation: granted === null ? null : { id: granted.id, scope: granted.scope, expiresOn: granted.expiresOn },
        ruleset: d.ruleset,
        asOf: d.asOf,
      });
    },
  });
  // A business's typing history, for a bank it authorised to read it (scope history).
  routes.add({
    method: 'get',
    path: '/v1/credit-tags/:code/history',
    operationId: 'getTypingHistory',
    tag: 'bank',
    summary: 'The typing history of a business, for a bank it authorised (scope history)',
    roles: ['bank'],
    params: codeParams,
    query: historyQuery,
    responses: {
      200: ok('every decision, oldest first', historyBody),
      400: invalid,
      401: unauthenticated,
      403: fail('no authorisation of this bank for this purpose with scope history'),
      429: limited,
    },
    scope: 'consent',
    handler: async (req, res, p) => {
      const code = creditCodeParam(req, allowCodes);
      const { purpose, consent } = await authorisedRead(req, p, code, 'history', 'credit-tags.history', 'its typing history');
      const history = (await o.store.history(code)).map((d) => ({
        asOf: d.asOf,
        type: d.type,
        label: d.label,
        ruleset: d.ruleset,
        by: d.runId?.startsWith('dispute:') ? 'dispute' : 'run',
      }));
      await audit(req, 'credit-tags.history', code, `ok ${consent.id}`, purpose);
      res.json({
        creditCode: code,
        history,
        authorisation: { id: consent.id, scope: consent.scope, expiresOn: consent.expiresOn },
      });
    },
  });
  // Banks are told of corrections to tags they fetched: a feed read from where the bank left off
  // (`cursor` of the previous answer) or from a point in time (`since`), or pushed as they happen
  // over a server-sent event stream.
  const feed = { reads: BANK_READS, audited: 'credit-tags.corrections' };
  routes.add({
    method: 'get',
    path: '/v1/credit-tags-corrections',
    operationId: 'listCorrections',
    tag: 'bank',
    summary: 'Changes to tags this bank fetched, from where it left off',
    description:
      'New typing decisions (runs, dispute adjustments) and badge status changes (expired, cancelled, revoked); give the cursor of the previous answer, or since, or neither to start from the beginning.',
    roles: ['bank'],
    query: correctionsQuery,
    responses: correctionPageAnswers,
    scope: 'own',
    handler: correctionPage(g, feed),
  });
  routes.add({
    method: 'get',
    path: '/v1/credit-tags-corrections/stream',
    operationId: 'streamCorrections',
    tag: 'bank',
    summary: 'The same changes pushed as they happen',
    description: `A text/event-stream of \`correction\` events whose id is the cursor (reconnect with Last-Event-ID); at most 4 open streams per bank.`,
    roles: ['bank'],
    query: correctionsQuery,
    responses: correctionStreamAnswers('bank'),
    scope: 'own',
    handler: correctionStream(g, feed, g.streams),
  });
  // Or delivered to the bank's own endpoint, signed, until it acknowledges (gateway/webhooks.ts).
  routes.add({
    method: 'put',
    path: '/v1/credit-tags-corrections/webhook',
    operationId: 'putWebhook',
    tag: 'bank',
    summary: "Register (or replace) this bank's endpoint for the same changes",
    description:
      'The url’s origin must be on the gateway’s list; answers the signing secret, once. Each delivery is {corrections, cursor}, signed in Getihu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>; any 2xx acknowledges, anything else is retried with doubling pauses (5 s up to 1 h).',
    roles: ['bank'],
    body: webhookBody,
    responses: {
      200: ok('replaced: the endpoint and its new secret', webhookView.extend({ secret: z.string() })),
      201: ok('registered: the endpoint and its secret', webhookView.extend({ secret: z.string() })),
      400: invalid,
      401: unauthenticated,
      403: fail('the url is not on the list, or resolves to an address that is not public'),
      503: fail('this gateway delivers no webhooks'),
    },
    check: { usage: 'expected {"url": "https://…", "cursor"?: "…"} or {"url", "since"?: ISO timestamp}' },
    scope: 'own',
    handler: async (req, res, p, { body: b }) => {
      const sealer = o.webhookSecrets;
      if (sealer === undefined) throw new GetihuError('UNAVAILABLE', 'this gateway does not deliver webhooks');
      const url = checkWebhookUrl(b.url, o.webhookOrigins ?? []);
      // A listed name that resolves to a loopback or private address is refused here too (F6).
      if ((await resolveTarget(url, o.webhookOrigins ?? [])) === 'the endpoint resolves to an address that is not public')
        throw new GetihuError('FORBIDDEN', 'url: that host resolves to an address that is not public');
      // By default, from now on: what changed before, the bank can read from the feed.
      const from = startingPosition(b.cursor, b.since);
      if (from === null) throw new GetihuError('INVALID_ARGUMENT', 'cursor: not one this gateway gave');
      const had = (await o.store.webhooks.of(p.subject)) !== null;
      const secret = newWebhookSecret();
      const w = await o.store.webhooks.put({
        subject: p.subject,
        id: randomUUID(),
        url: url.href,
        secret: sealer.seal(secret, p.subject),
        ...(from ? { from } : {}),
      });
      await audit(req, 'credit-tags.corrections.webhook.register', null, url.origin);
      // The secret is shown this once; registering again makes a new one.
      res.status(had ? 200 : 201).json({ ...publicWebhook(w), secret });
    },
  });
  routes.add({
    method: 'get',
    path: '/v1/credit-tags-corrections/webhook',
    operationId: 'getWebhook',
    tag: 'bank',
    summary: "This bank's endpoint and where its deliveries stand (never the secret)",
    roles: ['bank'],
    responses: { 200: ok('the endpoint', webhookView), 401: unauthenticated, 403: forbidden, 404: notFound },
    scope: 'own',
    handler: async (req, res, p) => {
      const w = await o.store.webhooks.of(p.subject);
      await audit(req, 'credit-tags.corrections.webhook.read', null, w === null ? 'none' : 'ok');
      if (w === null) throw new GetihuError('NOT_FOUND', 'no webhook is registered');
      res.json(publicWebhook(w));
    },
  });
  routes.add({
    method: 'delete',
    path: '/v1/credit-tags-corrections/webhook',
    operationId: 'deleteWebhook',
    tag: 'bank',
    summary: "Remove this bank's endpoint",
    roles: ['bank'],
    responses: { 204: { description: 'removed' }, 401: unauthenticated, 403: forbidden, 404: notFound },
    scope: 'own',
    handler: async (req, res, p) => {
      if (!(await o.store.webhooks.delete(p.subject))) throw new GetihuError('NOT_FOUND', 'no webhook is registered');
      await audit(req, 'credit-tags.corrections.webhook.remove', null, 'ok');
      res.status(204).end();
    },
  });
}
