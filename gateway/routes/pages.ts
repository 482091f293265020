/**
 * The pages: the public register at `/`, a department's worklist at `/department` and the
 * regulator's console at `/console`, with their scripts and style under `/pages/` (web/assets) and
 * the console's charts (Chart.js's browser build) under `/pages/chart/`; the badge widget under `/widget/` (with jose's
 * browser build under `/widget/jose/`); and a demo shop page that embeds the widget
 * (`/demo/shop?token=…`). Each page states its own content policy: its own scripts, styles and
 * API only.
 *
 * The widget runs in shop pages on other origins, so its files, the badge keys, the badge status
 * and the public register's answers are open to other origins (`crossOrigin`); nothing else is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { z } from 'zod';
import { CHART_DIR, JOSE_BROWSER_DIR, WEB_DIR } from '../../web/index.js';
import { limited, ok } from '../api.js';
import type { GatewayParts } from '../context.js';
import { crossOrigin, pageHeaders } from '../headers.js';
import type { RouteTable } from '../route.js';

/** The pages' content policy: scripts, styles and fetches from this gateway only; framed by no one. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** A badge token as a shop page would carry it: a compact JWS, nothing that could leave an attribute. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function pageRoutes(g: GatewayParts, routes: RouteTable): void {
  const register = readFileSync(join(WEB_DIR, 'index.html'), 'utf8');
  const worklist = readFileSync(join(WEB_DIR, 'department.html'), 'utf8');
  const shop = readFileSync(join(WEB_DIR, 'shop.html'), 'utf8');
  const consolePage = readFileSync(join(WEB_DIR, 'console.html'), 'utf8');
  const send = (res: express.Response, html: string) => {
    res.setHeader('Content-Security-Policy', PAGE_CSP);
    res.type('html').send(html);
  };
  const files = { index: false, maxAge: '1h', extensions: [] as string[] };
  const documentHeaders = pageHeaders();
  routes.use(['/pages', '/demo'], documentHeaders);
  routes.use('/pages', express.static(join(WEB_DIR, 'assets'), files));
  routes.use('/pages/chart', express.static(CHART_DIR, files));
  routes.use('/widget', crossOrigin, express.static(join(WEB_DIR, 'widget'), files));
  routes.use('/widget/jose', crossOrigin, express.static(JOSE_BROWSER_DIR, files));
  routes.add({
    method: 'get',
    path: '/',
    operationId: 'registerPage',
    tag: 'public',
    summary: 'The public register, as a page: search by name or credit code, a business’s type and recognition',
    roles: 'anyone',
    responses: { 429: limited, 200: { description: 'the page', contentType: 'text/html', schema: z.string() } },
    scope: 'open',
    middleware: [documentHeaders],
    handler: async (_req, res) => send(res, register),
  });
  // A department's worklist: the page is open, what it shows comes from the API on the token pasted in.
  routes.add({
    method: 'get',
    path: '/department',
    operationId: 'departmentWorklistPage',
    tag: 'department',
    summary: 'A department’s worklist, as a page: the measures it owes, and recording what was done (signed in with its token)',
    roles: 'anyone',
    responses: { 429: limited, 200: { description: 'the page', contentType: 'text/html', schema: z.string() } },
    scope: 'open',
    middleware: [documentHeaders],
    handler: async (_req, res) => send(res, worklist),
  });
  // The regulator's console: the page is open, what it shows comes from the API on the token it
  // signed in with (at the identity provider, or pasted), within that token's jurisdiction.
  routes.add({
    method: 'get',
    path: '/console',
    operationId: 'consolePage',
    tag: 'regulator',
    summary:
      'The regulator’s console, as a page: types by district, 名特优新 candidates and quota, a business explained, disputes, support, jobs, records set aside and the audit log (signed in at the identity provider, or with a pasted token)',
    roles: 'anyone',
    responses: { 429: limited, 200: { description: 'the page', contentType: 'text/html', schema: z.string() } },
    scope: 'open',
    middleware: [documentHeaders],
    handler: async (_req, res) => {
      // Signing in at the identity provider, the console reads its discovery document and asks
      // its token endpoint for the token: the provider's origin is the one other it may fetch.
      const provider = g.o.consoleSignIn === undefined ? '' : ` ${new URL(g.o.consoleSignIn.issuer).origin}`;
      res.setHeader('Content-Security-Policy', PAGE_CSP.replace("connect-src 'self'", `connect-src 'self'${provider}`));
      res.type('html').send(consolePage);
    },
  });
  routes.add({
    method: 'get',
    path: '/console/sign-in',
    operationId: 'consoleSignIn',
    tag: 'regulator',
    summary: 'How the console signs in: the identity provider and the console’s client id there, or none (a pasted token)',
    roles: 'anyone',
    responses: {
      429: limited,
      200: ok(
        'the provider, or null on the development default',
        z.object({
          provider: z.object({ issuer: z.string(), clientId: z.string(), resource: z.string().optional() }).nullable(),
        }),
      ),
    },
    scope: 'open',
    handler: async (_req, res) => {
      res.json({ provider: g.o.consoleSignIn ?? null });
    },
  });
  // A shop page as a platform renders it: the badge token it fetched goes into the element. It
  // holds nothing of its own: it shows how a shop embeds the widget, with the token it is given.
  routes.add({
    method: 'get',
    path: '/demo/shop',
    operationId: 'demoShopPage',
    tag: 'public',
    summary: 'A demo shop page embedding the badge widget, with the badge token it is given',
    roles: 'anyone',
    query: z.object({ token: z.string().optional() }),
    responses: { 429: limited, 200: { description: 'the page', contentType: 'text/html', schema: z.string() } },
    scope: 'open',
    handler: async (req, res) => {
      const token = typeof req.query.token === 'string' && COMPACT_JWS.test(req.query.token) ? req.query.token : '';
      send(res, shop.replace('{{token}}', token));
    },
  });
}
