/**
 * The pages: the public register at `/` and a department's worklist at `/department`, with their
 * scripts and style under `/pages/` (web/assets); the badge widget under `/widget/` (with jose's
 * browser build under `/widget/jose/`); and a demo shop page that embeds the widget
 * (`/demo/shop?token=…`). Each page states its own content policy: its own scripts, styles and
 * API only.
 *
 * The widget runs in shop pages on other origins, so its files, the badge keys, the badge status
 * and the public register's answers are open to other origins (`crossOrigin`); nothing else is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type IRouter } from 'express';
import { JOSE_BROWSER_DIR, WEB_DIR } from '../../web/index.js';
import type { GatewayParts } from '../context.js';
import { crossOrigin, pageHeaders } from '../headers.js';

/** The pages' content policy: scripts, styles and fetches from this gateway only; framed by no one. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** A badge token as a shop page would carry it: a compact JWS, nothing that could leave an attribute. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function pageRoutes(_g: GatewayParts, routes: IRouter): void {
  const register = readFileSync(join(WEB_DIR, 'index.html'), 'utf8');
  const worklist = readFileSync(join(WEB_DIR, 'department.html'), 'utf8');
  const shop = readFileSync(join(WEB_DIR, 'shop.html'), 'utf8');
  const page =
    (html: string): express.RequestHandler =>
    (_req, res) => {
      res.setHeader('Content-Security-Policy', PAGE_CSP);
      res.type('html').send(html);
    };
  const files = { index: false, maxAge: '1h', extensions: [] as string[] };
  const documentHeaders = pageHeaders();
  routes.use(['/pages', '/demo'], documentHeaders);
  routes.use('/pages', express.static(join(WEB_DIR, 'assets'), files));
  routes.use('/widget', crossOrigin, express.static(join(WEB_DIR, 'widget'), files));
  routes.use('/widget/jose', crossOrigin, express.static(JOSE_BROWSER_DIR, files));
  routes.get('/', documentHeaders, page(register));
  // A department's worklist: the page is open, what it shows comes from the API on the token pasted in.
  routes.get('/department', documentHeaders, page(worklist));
  // A shop page as a platform renders it: the badge token it fetched goes into the element. It
  // holds nothing of its own: it shows how a shop embeds the widget, with the token it is given.
  routes.get('/demo/shop', (req, res, next) => {
    const token = typeof req.query.token === 'string' && COMPACT_JWS.test(req.query.token) ? req.query.token : '';
    page(shop.replace('{{token}}', token))(req, res, next);
  });
}
