/** What anyone may read: health and readiness, metrics, the API description, the badge keys, and the public register (by code or by name). */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { z } from 'zod';
import { sharedWhileRunning } from '../../lib/batch.js';
import { GetihuError } from '../../lib/errors.js';
import { topicName } from '../../pipeline/index.js';
import {
  checkpoint,
  checkpointCheck,
  codeParams,
  fail,
  invalid,
  limited,
  notFound,
  ok,
  publicBusinessBody,
  searchBody,
  unauthenticated,
  unavailable,
} from '../api.js';
import { checkCheckpoint } from '../auditVerify.js';
import { creditCodeParam, type GatewayParts } from '../context.js';
import { crossOrigin, pageHeaders } from '../headers.js';
import { addressKey, rateLimited } from '../limits.js';
import { sendMetrics } from '../observe.js';
import { DOCS_CSP, docsPage, openApiDocument } from '../openapi.js';
import { checkpointsQuery, checkpointVerifyBody, searchQuery } from '../requests.js';
import type { RouteTable } from '../route.js';

/** Swagger UI's files, as the swagger-ui-dist package ships them. */
const SWAGGER_UI_DIR = dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json')));

export function publicRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, snapshot, allowCodes, activeRecognition } = g;
  routes.add({
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    tag: 'public',
    summary: 'The process answers',
    roles: 'anyone',
    responses: { 429: limited, 200: ok('alive', z.object({ ok: z.literal(true) })) },
    scope: 'open',
    handler: async (_req, res) => {
      res.json({ ok: true });
    },
  });
  // Ready: the store answers, and the bus when there is one. A load balancer takes a replica whose
  // store or broker is down out of rotation (503 UNAVAILABLE) and back once they answer again.
  routes.add({
    method: 'get',
    path: '/readyz',
    operationId: 'ready',
    tag: 'public',
    summary: 'The store answers, and the bus when there is one',
    roles: 'anyone',
    responses: {
      429: limited,
      200: ok('ready', z.object({ ok: z.literal(true), store: z.literal('up'), bus: z.enum(['up', 'none']) })),
      503: unavailable,
    },
    scope: 'open',
    handler: async (_req, res) => {
      await o.store.ping();
      if (o.pipeline !== undefined) await o.pipeline.bus.partitions(topicName(o.pipeline, 'typing'));
      res.json({ ok: true, store: 'up', bus: o.pipeline === undefined ? 'none' : 'up' });
    },
  });
  routes.add({
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    tag: 'public',
    summary: 'Prometheus metrics',
    roles: 'anyone',
    responses: {
      429: limited,
      200: { description: 'the text exposition format', contentType: 'text/plain', schema: z.string() },
    },
    scope: 'open',
    handler: sendMetrics,
  });
  // The description of every route this gateway declared, built on the first ask (all are declared by then).
  let document: ReturnType<typeof openApiDocument> | undefined;
  routes.add({
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApi',
    tag: 'public',
    summary: 'This description, as OpenAPI 3.1',
    roles: 'anyone',
    responses: { 429: limited, 200: ok('the document', z.record(z.string(), z.unknown())) },
    scope: 'open',
    handler: async (_req, res) => {
      document ??= openApiDocument(routes.routes);
      res.json(document);
    },
  });
  // Swagger UI from its npm package (no CDN), on this gateway's document.
  // The readable page and its assets are documents: the page headers go on top of the API's.
  routes.use('/docs', pageHeaders());
  routes.use('/docs/assets', express.static(SWAGGER_UI_DIR, { index: false, maxAge: '1h' }));
  routes.add({
    method: 'get',
    path: '/docs',
    operationId: 'docs',
    tag: 'public',
    summary: 'This description, readable (Swagger UI)',
    roles: 'anyone',
    responses: { 429: limited, 200: { description: 'the page', contentType: 'text/html', schema: z.string() } },
    scope: 'open',
    handler: async (_req, res) => {
      res.setHeader('Content-Security-Policy', DOCS_CSP);
      res.type('html').send(docsPage());
    },
  });
  // Shop pages' badge widgets (other origins) read the badge keys and the public register.
  routes.use(['/.well-known/jwks.json', '/v1/public'], crossOrigin);
  routes.add({
    method: 'get',
    path: '/.well-known/jwks.json',
    operationId: 'badgeKeys',
    tag: 'public',
    summary: 'Public keys of badge tokens',
    roles: 'anyone',
    responses: { 429: limited, 200: ok('a JSON Web Key Set', z.object({ keys: z.array(z.record(z.string(), z.unknown())) })) },
    scope: 'open',
    handler: async (_req, res) => {
      // Shop pages verify badges offline against these keys: let them be cached for a while.
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.json(o.badgeKeys.jwks());
    },
  });

  // The audit chain's signed checkpoints, for anyone to keep and to check later (gateway/checkpoints.ts).
  const checkpointKeys = () => {
    if (o.checkpointKeys === undefined) throw new GetihuError('UNAVAILABLE', 'this gateway signs no checkpoints');
    return o.checkpointKeys;
  };
  routes.add({
    method: 'get',
    path: '/.well-known/audit-keys.json',
    operationId: 'auditKeys',
    tag: 'public',
    summary: 'Public keys of the audit checkpoints',
    roles: 'anyone',
    responses: { 200: ok('a JSON Web Key Set', z.object({ keys: z.array(z.record(z.string(), z.unknown())) })), 429: limited },
    scope: 'open',
    handler: async (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.json(o.checkpointKeys?.jwks() ?? { keys: [] });
    },
  });
  routes.add({
    method: 'get',
    path: '/v1/audit/checkpoints',
    operationId: 'listCheckpoints',
    tag: 'public',
    summary: 'Signed checkpoints of the audit chain’s head, oldest first: keep them',
    description:
      'At a fixed cadence the gateway signs the sequence number and hash of the audit chain’s last entry. Rewriting the log and re-hashing the chain, even with database access, is found by anyone who kept a checkpoint (POST /v1/audit/checkpoints/verify). Also published on the topic getihu.audit.checkpoint.',
    roles: 'anyone',
    query: checkpointsQuery,
    responses: {
      200: ok(
        'a page of checkpoints',
        z.object({ checkpoints: z.array(checkpoint), next: z.object({ after: z.number().int() }).nullable() }),
      ),
      400: invalid,
      429: limited,
      503: fail('this gateway signs no checkpoints'),
    },
    check: { usage: 'the query is ?after=<seq>&limit=<1 to 500>, each at most once' },
    scope: 'open',
    handler: async (_req, res, _p, { query: q }) => {
      checkpointKeys();
      const limit = q.limit ?? 100;
      const checkpoints = await o.store.checkpoints.after(q.after ?? 0, limit);
      const last = checkpoints.at(-1);
      res.json({ checkpoints, next: checkpoints.length === limit && last !== undefined ? { after: last.seq } : null });
    },
  });
  routes.add({
    method: 'get',
    path: '/v1/audit/checkpoints/latest',
    operationId: 'latestCheckpoint',
    tag: 'public',
    summary: 'The newest signed checkpoint of the audit chain',
    roles: 'anyone',
    responses: {
      200: ok('the checkpoint', checkpoint),
      404: notFound,
      429: limited,
      503: fail('this gateway signs no checkpoints'),
    },
    scope: 'open',
    handler: async (_req, res) => {
      checkpointKeys();
      const c = await o.store.checkpoints.latest();
      if (c === null) throw new GetihuError('NOT_FOUND', 'no checkpoint signed yet');
      res.json(c);
    },
  });
  // A check recomputes the chain up to the checkpoint: the same token asked while its check is
  // under way shares that walk.
  const check = sharedWhileRunning((token: string) => checkCheckpoint(o.store, checkpointKeys(), o.issuer, token));
  routes.add({
    method: 'post',
    path: '/v1/audit/checkpoints/verify',
    operationId: 'verifyCheckpoint',
    tag: 'public',
    summary: 'Does the chain still hold a checkpoint someone kept?',
    roles: 'anyone',
    body: checkpointVerifyBody,
    responses: {
      200: ok('what the checkpoint says of the chain today', checkpointCheck),
      400: fail('not a checkpoint this service signed'),
      429: limited,
      503: fail('this gateway signs no checkpoints'),
    },
    scope: 'open',
    handler: async (req, res) => {
      checkpointKeys(); // a gateway that signs none says so first
      const b = checkpointVerifyBody.safeParse(req.body);
      if (!b.success)
        throw new GetihuError('INVALID_INPUT', 'token: the body is {"token": "<a checkpoint as it was published>"}', {
          field: 'token',
        });
      res.json(await check(b.data.token));
    },
  });
  // Public register: what the national register shows, by code or by (partial) name.
  // The public register is public (F13): like the national register, anyone may look a business
  // up, with or without an account; a token, when sent, must still be valid. Searching by name is
  // bounded per address (or subject) so the register cannot be harvested through it.
  const searchLimit = rateLimited({
    limit: o.searchesPerMinute ?? 30,
    key: (req) => (req.principal === undefined ? `search:ip:${addressKey(req)}` : `search:sub:${req.principal.subject}`),
    message: 'too many searches; the register is searched, not listed',
  });
  routes.add({
    method: 'get',
    path: '/v1/public/businesses/:code',
    operationId: 'getPublicBusiness',
    tag: 'public',
    summary: 'A business as the national register shows it: type and recognition',
    roles: 'anyone',
    params: codeParams,
    responses: { 200: ok('the business', publicBusinessBody), 400: invalid, 401: unauthenticated, 404: notFound, 429: limited },
    scope: 'open',
    handler: async (req, res) => {
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
    },
  });
  routes.add({
    method: 'get',
    path: '/v1/public/search',
    operationId: 'searchBusinesses',
    tag: 'public',
    summary: 'Search businesses by (partial) name: at most 20, 30 searches a minute',
    roles: 'anyone',
    query: searchQuery,
    responses: { 200: ok('the businesses found', searchBody), 400: invalid, 401: unauthenticated, 429: limited },
    check: { usage: 'give name=… (2 to 50 characters) and nothing else', code: 'INVALID_ARGUMENT' },
    scope: 'open',
    middleware: [searchLimit],
    handler: async (_req, res, _p, { query: q }) => {
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
    },
  });
}
