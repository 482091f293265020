/**
 * Platforms: the 名特优新 badge as a signed, offline-verifiable token, its status, and the changes to
 * the badges (and types) of the businesses it was given a badge or traffic measures of — a page
 * from a cursor or an event stream, as banks are told of their tags.
 */
import { randomUUID } from 'node:crypto';
import { chinaDate, formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { benefitsFrom } from '../../matchers/index.js';
import {
  badgeBody,
  badgeStatusBody,
  codeParams,
  correctionPageAnswers,
  correctionStreamAnswers,
  forbidden,
  invalid,
  limited,
  notFound,
  ok,
  unauthenticated,
} from '../api.js';
import { creditCodeParam, type GatewayParts } from '../context.js';
import { correctionPage, correctionStream } from '../correctionFeeds.js';
import { PLATFORM_READS } from '../corrections.js';
import { crossOrigin } from '../headers.js';
import { correctionsQuery } from '../requests.js';
import type { RouteTable } from '../route.js';

/** How long a badge token verifies: a day (F8). */
export const BADGE_TOKEN_SECONDS = 86_400;
/** The audience and header type of badge tokens: not access tokens, and not to be taken for them. */
export const BADGE_AUDIENCE = 'getihu-badge';
export const BADGE_TYP = 'badge+jwt';

export function platformRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, snapshot, allowCodes, activeRecognition, now } = g;
  // Platforms: the badge as a signed, offline-verifiable token, and its status.
  routes.add({
    method: 'get',
    path: '/v1/badges/:code',
    operationId: 'getBadge',
    tag: 'platform',
    summary: 'The 名特优新 badge as a signed token (verify offline with /.well-known/jwks.json)',
    roles: ['platform'],
    params: codeParams,
    responses: { 200: ok('the badge', badgeBody), 400: invalid, 401: unauthenticated, 403: forbidden, 404: notFound },
    scope: 'open',
    handler: async (req, res, p) => {
      const code = creditCodeParam(req, allowCodes);
      const rec = activeRecognition((await snapshot(code)).recognition);
      if (rec === null) {
        await audit(req, 'badge.read', code, 'none');
        throw new GetihuError('NOT_FOUND', 'no active 名特优新 recognition for that credit code');
      }
      // Short-lived (F8): a badge token lives a day at most (never past the recognition's last
      // day), so a revoked badge stops verifying within a day of its revocation; platforms fetch
      // it again daily, or check its status reference. Typed, with its audience and its own id.
      const end = Math.floor(Date.parse(`${rec.validUntil}T23:59:59+08:00`) / 1000);
      const exp = Math.min(end, Math.floor(now().getTime() / 1000) + BADGE_TOKEN_SECONDS);
      const benefits = formatIsoDate(benefitsFrom(parseIsoDate(rec.validFrom)));
      const token = await o.badgeKeys.sign(
        {
          category: rec.category,
          validFrom: rec.validFrom,
          validUntil: rec.validUntil,
          benefitsFrom: benefits,
          badge: 'mtyx',
          status: `/v1/badges/${code}/status`,
        },
        {
          issuer: o.issuer,
          // Every badge is a badge (BADGE_AUDIENCE), and names the platform it was issued to, so
          // one platform's badge cannot pass as another's (T17).
          audience: [BADGE_AUDIENCE, p.subject],
          subject: code,
          expiresIn: exp,
          issuedAt: Math.floor(now().getTime() / 1000),
          typ: BADGE_TYP,
          jti: randomUUID(),
        },
      );
      await audit(req, 'badge.read', code, 'ok');
      res.json({
        creditCode: code,
        category: rec.category,
        validFrom: rec.validFrom,
        validUntil: rec.validUntil,
        benefitsFrom: benefits,
        token,
        jwks: '/.well-known/jwks.json',
      });
    },
  });
  // The status of a badge, for anyone holding one to check: a shop page's widget asks it from the
  // reader's browser, with no token and from another origin. It says only what the badge itself
  // shows (a recognition and its last day). A platform's check is audited as before.
  routes.add({
    method: 'get',
    path: '/v1/badges/:code/status',
    operationId: 'getBadgeStatus',
    tag: 'platform',
    summary: 'Badge status: active, revoked, cancelled, expired or none (no token needed; open to other origins)',
    roles: 'anyone',
    params: codeParams,
    responses: { 429: limited, 200: ok('the status', badgeStatusBody), 400: invalid },
    scope: 'open',
    middleware: [crossOrigin],
    handler: async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      const r = (await snapshot(code)).recognition;
      const status = r === null ? 'none' : r.status === 'active' && r.validUntil < chinaDate(now()) ? 'expired' : r.status;
      if (req.principal?.role === 'platform') await audit(req, 'badge.status', code, status);
      res.json({ creditCode: code, status, validUntil: r?.validUntil ?? null });
    },
  });
  const feed = { reads: PLATFORM_READS, audited: 'platform.corrections' };
  routes.add({
    method: 'get',
    path: '/v1/platform/corrections',
    operationId: 'listPlatformCorrections',
    tag: 'platform',
    summary: 'Changes to the badges this platform was given, from where it left off',
    description:
      'Badge status changes (expired, cancelled, revoked) and new typing decisions of the businesses whose badge or traffic measures this platform read; give the cursor of the previous answer, or since, or neither to start from the beginning.',
    roles: ['platform'],
    query: correctionsQuery,
    responses: correctionPageAnswers,
    scope: 'own',
    handler: correctionPage(g, feed),
  });
  routes.add({
    method: 'get',
    path: '/v1/platform/corrections/stream',
    operationId: 'streamPlatformCorrections',
    tag: 'platform',
    summary: 'The same changes pushed as they happen',
    description: `A text/event-stream of \`correction\` events whose id is the cursor (reconnect with Last-Event-ID); at most 4 open streams per platform.`,
    roles: ['platform'],
    query: correctionsQuery,
    responses: correctionStreamAnswers('platform'),
    scope: 'own',
    handler: correctionStream(g, feed, g.streams),
  });
}
