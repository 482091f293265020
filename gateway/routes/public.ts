/** What anyone may read: health and readiness, metrics, the API description, the badge keys, and the public register (by code or by name). */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type IRouter } from 'express';
import { sharedWhileRunning } from '../../lib/batch.js';
import { GetihuError } from '../../lib/errors.js';
import { topicName } from '../../pipeline/index.js';
import { checkCheckpoint } from '../auditVerify.js';
import { creditCodeParam, type GatewayParts } from '../context.js';
import { crossOrigin, pageHeaders } from '../headers.js';
import { addressKey, rateLimited } from '../limits.js';
import { metricsHandler } from '../observe.js';
import { DOCS_CSP, docsPage, openApiDocument } from '../openapi.js';
import { checkpointsQuery, checkpointVerifyBody, parseRequest, searchQuery } from '../requests.js';

/** Swagger UI's files, as the swagger-ui-dist package ships them. */
const SWAGGER_UI_DIR = dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json')));

export function publicRoutes(g: GatewayParts, routes: IRouter): void {
  const { o, open, snapshot, allowCodes, activeRecognition } = g;
  routes.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  // Ready: the store answers, and the bus when there is one. A load balancer takes a replica whose
  // store or broker is down out of rotation (503 UNAVAILABLE) and back once they answer again.
  routes.get(
    '/readyz',
    open(async (_req, res) => {
      await o.store.ping();
      if (o.pipeline !== undefined) await o.pipeline.bus.partitions(topicName(o.pipeline, 'typing'));
      res.json({ ok: true, store: 'up', bus: o.pipeline === undefined ? 'none' : 'up' });
    }),
  );
  routes.get('/metrics', metricsHandler());
  const document = openApiDocument();
  routes.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  // Swagger UI from its npm package (no CDN), on this gateway's document.
  // The readable page and its assets are documents: the page headers go on top of the API's.
  routes.use('/docs', pageHeaders());
  routes.use('/docs/assets', express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1h' }));
  routes.get('/docs', (_req, res) => {
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    res.type('html').send(docsPage());
  });
  // Shop pages' badge widgets (other origins) read the badge keys and the public register.
  routes.use(['/.well-known/jwks.json', '/v1/public'], crossOrigin);
  routes.get('/.well-known/jwks.json', (_req, res) => {
    // Shop pages verify badges offline against these keys: let them be cached for a while.
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(o.badgeKeys.jwks());
  });

  // The audit chain's signed checkpoints, for anyone to keep and to check later (gateway/checkpoints.ts).
  const checkpointKeys = () => {
    if (o.checkpointKeys === undefined) throw new GetihuError('UNAVAILABLE', 'this gateway signs no checkpoints');
    return o.checkpointKeys;
  };
  routes.get('/.well-known/audit-keys.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(o.checkpointKeys?.jwks() ?? { keys: [] });
  });
  routes.get(
    '/v1/audit/checkpoints',
    open(async (req, res) => {
      checkpointKeys();
      const q = parseRequest(checkpointsQuery, req.query, 'the query is ?after=<seq>&limit=<1 to 500>, each at most once');
      const limit = q.limit ?? 100;
      const checkpoints = await o.store.checkpoints.after(q.after ?? 0, limit);
      const last = checkpoints.at(-1);
      res.json({ checkpoints, next: checkpoints.length === limit && last !== undefined ? { after: last.seq } : null });
    }),
  );
  routes.get(
    '/v1/audit/checkpoints/latest',
    open(async (_req, res) => {
      checkpointKeys();
      const c = await o.store.checkpoints.latest();
      if (c === null) throw new GetihuError('NOT_FOUND', 'no checkpoint signed yet');
      res.json(c);
    }),
  );
  // A check recomputes the chain up to the checkpoint: the same token asked while its check is
  // under way shares that walk.
  const check = sharedWhileRunning((token: string) => checkCheckpoint(o.store, checkpointKeys(), o.issuer, token));
  routes.post(
    '/v1/audit/checkpoints/verify',
    g.smallJson,
    open(async (req, res) => {
      checkpointKeys(); // a gateway that signs none says so first
      const b = checkpointVerifyBody.safeParse(req.body);
      if (!b.success)
        throw new GetihuError('INVALID_INPUT', 'token: the body is {"token": "<a checkpoint as it was published>"}', {
          field: 'token',
        });
      res.json(await check(b.data.token));
    }),
  );
  // Public register: what the national register shows, by code or by (partial) name.
  // The public register is public (F13): like the national register, anyone may look a business
  // up, with or without an account; a token, when sent, must still be valid. Searching by name is
  // bounded per address (or subject) so the register cannot be harvested through it.
  const searchLimit = rateLimited({
    limit: o.searchesPerMinute ?? 30,
    key: (req) => (req.principal === undefined ? `search:ip:${addressKey(req)}` : `search:sub:${req.principal.subject}`),
    message: 'too many searches; the register is searched, not listed',
  });
  routes.get(
    '/v1/public/businesses/:code',
    open(async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      const [b, s] = [await o.store.business(code), await snapshot(code)];
      if (b === null && s.decision === null) throw new GetihuError('NOT_FOUND', 'no business with that credit code');
      const rec = activeRecognition(s.recognition);
      res.json({
        creditCode: code,
        name: b?.name ?? null,
        region: b?.region ?? s.decision?.region ?? null,
        type: s.decision?.type ?? null,
        label: s.decision?.label ?? null,
        asOf: s.decision?.asOf ?? null,
        recognition: rec === null ? null : { category: rec.category, validUntil: rec.validUntil },
      });
    }),
  );
  routes.get(
    '/v1/public/search',
    searchLimit,
    open(async (req, res) => {
      const q = parseRequest(searchQuery, req.query, 'give name=… (2 to 50 characters) and nothing else', 'INVALID_ARGUMENT');
      const found = await o.store.searchBusinesses(q.name, 20);
      const results = [];
      for (const b of found) {
        const s = await snapshot(b.creditCode);
        results.push({
          creditCode: b.creditCode,
          name: b.name,
          region: b.region,
          type: s.decision?.type ?? null,
          label: s.decision?.label ?? null,
        });
      }
      res.json({ results });
    }),
  );
}
