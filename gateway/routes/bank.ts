/** Banks: credit-assessment tags with a purpose (never raw amounts or headcounts), and the corrections to tags they fetched — a feed, an event stream, or a webhook. */
import { randomUUID } from 'node:crypto';
import type { IRouter } from 'express';
import { BANK_PURPOSES, bankPurpose, parseRequest, webhookBody } from '../requests.js';

export { BANK_PURPOSES };

import { GetihuError } from '../../lib/errors.js';
import { creditCodeParam, type GatewayParts } from '../context.js';
import { correctionPage, correctionStream } from '../correctionFeeds.js';
import { BANK_READS, startingPosition, TAG_READ_ACTION } from '../corrections.js';
import { checkWebhookUrl, newWebhookSecret, publicWebhook, resolveTarget } from '../webhooks.js';

export function bankRoutes(g: GatewayParts, routes: IRouter): void {
  const { o, audit, authed, tags, allowCodes, activeRecognition, smallJson, consentFor, authorisedRead } = g;
  // Banks: credit-assessment tags, with a purpose; never raw amounts or headcounts.
  routes.get(
    '/v1/credit-tags/:code',
    ...authed(['bank'])(async (req, res, p) => {
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
    }),
  );
  // A business's typing history, for a bank it authorised to read it (scope history).
  routes.get(
    '/v1/credit-tags/:code/history',
    ...authed(['bank'])(async (req, res, p) => {
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
    }),
  );
  // Banks are told of corrections to tags they fetched: a feed read from where the bank left off
  // (`cursor` of the previous answer) or from a point in time (`since`), or pushed as they happen
  // over a server-sent event stream.
  const feed = { reads: BANK_READS, audited: 'credit-tags.corrections' };
  routes.get('/v1/credit-tags-corrections', ...authed(['bank'])(correctionPage(g, feed)));
  routes.get('/v1/credit-tags-corrections/stream', ...authed(['bank'])(correctionStream(g, feed, g.streams)));
  // Or delivered to the bank's own endpoint, signed, until it acknowledges (gateway/webhooks.ts).
  routes.put(
    '/v1/credit-tags-corrections/webhook',
    ...authed(
      ['bank'],
      smallJson,
    )(async (req, res, p) => {
      const b = parseRequest(
        webhookBody,
        req.body,
        'expected {"url": "https://…", "cursor"?: "…"} or {"url", "since"?: ISO timestamp}',
      );
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
    }),
  );
  routes.get(
    '/v1/credit-tags-corrections/webhook',
    ...authed(['bank'])(async (req, res, p) => {
      const w = await o.store.webhooks.of(p.subject);
      await audit(req, 'credit-tags.corrections.webhook.read', null, w === null ? 'none' : 'ok');
      if (w === null) throw new GetihuError('NOT_FOUND', 'no webhook is registered');
      res.json(publicWebhook(w));
    }),
  );
  routes.delete(
    '/v1/credit-tags-corrections/webhook',
    ...authed(['bank'])(async (req, res, p) => {
      if (!(await o.store.webhooks.delete(p.subject))) throw new GetihuError('NOT_FOUND', 'no webhook is registered');
      await audit(req, 'credit-tags.corrections.webhook.remove', null, 'ok');
      res.status(204).end();
    }),
  );
}
