/**
 * The gateway's request log and HTTP metrics: every request gets an id (the caller's
 * `X-Request-Id` when it is a plain token, else a fresh one), echoed in the response; when the
 * answer is sent, one log line says id, method, route, status, latency and the caller's role and
 * subject, and the latency histogram counts it by route template (never by the concrete path, so
 * credit codes stay out of metrics).
 */
import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import type { Request, RequestHandler, Response } from 'express';
import { Histogram } from 'prom-client';
import { logger, metrics } from '../lib/observe/index.js';

const log = logger('http');

const latency = new Histogram({
  name: 'getihu_http_request_duration_seconds',
  help: 'gateway requests by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metrics],
});

/**
 * The histogram's child for each method, route template and status seen (as many as the
 * histogram's own series, which these bound), so a request does not hash its labels.
 */
const children = new Map<string, ReturnType<typeof latency.labels>>();

function latencyOf(method: string, route: string, status: number): ReturnType<typeof latency.labels> {
  const key = `${method} ${status} ${route}`;
  let c = children.get(key);
  if (c === undefined) {
    c = latency.labels({ method, route, status: String(status) });
    children.set(key, c);
  }
  return c;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

declare global {
  namespace Express {
    interface Request {
      /** This request's id (X-Request-Id). */
      id?: string;
      /** When the request log took it on (performance.now(), ms): marks a request the log owes a line. */
      loggedFrom?: number;
    }
  }
}

/**
 * Writes the line and counts the latency of a finished response, for requests the request log took
 * on. Node publishes every finished response on the `http.server.response.finish` channel; one
 * subscriber per process reads them, where a listener per request cost the server's thread about
 * 5 µs a request to add and call (measured: events' `_addListener` was 181 of 9,350 ms of a
 * profiled bank-lookup lane). Responses of other servers in the process carry no mark and are
 * passed over.
 */
function logFinished(message: unknown): void {
  const { request: req, response: res } = message as { request: Request; response: Response };
  const from = req.loggedFrom;
  if (from === undefined) return;
  const ms = performance.now() - from;
  // The route template (`/v1/public/businesses/:code`), or none for an unmatched path.
  const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
  latencyOf(req.method, route, res.statusCode).observe(ms / 1000);
  const line = {
    reqId: req.id,
    method: req.method,
    route,
    status: res.statusCode,
    ms: Math.round(ms * 10) / 10,
    role: req.principal?.role ?? null,
    subject: req.principal?.subject ?? null,
  };
  if (res.statusCode >= 500) log.warn(line, 'request');
  else log.info(line, 'request');
}

/** Whether `logFinished` is subscribed (once per process, however many gateways it serves). */
let listening = false;

/** The request id, log line and latency of every request. */
export function requestLog(): RequestHandler {
  if (!listening) {
    subscribe('http.server.response.finish', logFinished);
    listening = true;
  }
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    req.id = id;
    req.loggedFrom = performance.now();
    res.setHeader('X-Request-Id', id);
    next();
  };
}

/** `GET /metrics` answers the process's metrics in Prometheus's text format (for the operator's scraper). */
export async function sendMetrics(_req: Request, res: Response): Promise<void> {
  const text = await metrics.metrics();
  res.type(metrics.contentType).send(text);
}
