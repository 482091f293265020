/**
 * The security headers of the gateway's answers (helmet), in two sets.
 *
 * Answers of the API (JSON, and the error shape) carry the set OWASP's REST Security Cheat Sheet
 * ("Security Headers") names for an API: a policy that lets the answer load nothing and be framed
 * by nothing (`Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`),
 * `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`, `Strict-Transport-Security`, with
 * `Referrer-Policy: no-referrer` and `Cross-Origin-Resource-Policy: same-origin`; `Cache-Control:
 * no-store` is the gateway's own (app.ts). The headers that only govern a document a browser renders
 * (opener isolation, origin-keyed agent clusters, DNS prefetching, IE's download prompt, Adobe's
 * cross-domain policies, the retired XSS auditor) are left to the pages: on a JSON answer they say
 * nothing, and they were two thirds of every answer's header bytes (about 700 of helmet's defaults).
 *
 * The pages (`/docs` and its assets) add helmet's set for documents on top; each page states its own
 * content policy (the docs page: gateway/openapi.ts `DOCS_CSP`).
 */
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/** OWASP's set for a REST API, as helmet's options. */
const API_HELMET = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-origin' },
  originAgentCluster: false,
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  xContentTypeOptions: true,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: { action: 'deny' },
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});

/** The headers of every answer: OWASP's set for a REST API. */
export function apiHeaders(): RequestHandler {
  return constantHeaders(API_HELMET);
}

/**
 * The headers a helmet middleware sets, read off it once and then set on each answer in one loop.
 * For options without functions (as here: no nonces, nothing per request) each of helmet's parts
 * sets or removes one header to a value fixed when it was made, so every answer gets the same
 * set; helmet runs them as a chain, one call and one step of its own per header, which is work on
 * every request for an answer known at start. A middleware that does not finish at once on a
 * request of nothing is used as it is.
 */
export function constantHeaders(mw: RequestHandler): RequestHandler {
  const set: [string, string][] = [];
  const removed: string[] = [];
  let finished = false;
  const recorder = {
    setHeader(name: string, value: unknown) {
      set.push([name, String(value)]);
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  try {
    mw({} as Request, recorder as unknown as Response, (err?: unknown) => {
      finished = err === undefined;
    });
  } catch {
    finished = false;
  }
  if (!finished) return mw;
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}

/**
 * The headers a document adds to the API's: helmet's for pages a browser renders. The content
 * policy is the page's own (set by its route), so it is not set here.
 */
export function pageHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
}

/**
 * Opens an answer to pages on other origins: a shop page's badge widget fetches the badge keys,
 * the badge's status, the public register and the widget's own files from the gateway. Only these
 * are opened, to any origin and without credentials (`Access-Control-Allow-Origin: *` is never
 * sent with cookies or tokens), and their resource policy lets another origin load them.
 */
export const crossOrigin: RequestHandler = (_req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  next();
};
