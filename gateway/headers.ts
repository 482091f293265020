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
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** The headers of every answer: OWASP's set for a REST API. */
export function apiHeaders(): RequestHandler {
  return helmet({
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
