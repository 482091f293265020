/**
 * The gateway's one error shape `{"error": {"code", "message"}}` and the one table from the
 * system's error codes (one family, `GetihuError`) to HTTP statuses. Nothing internal (stacks, SQL, paths) ever reaches a response.
 */
import type { ErrorRequestHandler, Response } from 'express';
import { type ErrorCode, GetihuError, isGetihuError } from '../lib/errors.js';
import { logger } from '../lib/observe/index.js';

const log = logger('gateway');

/** The codes the gateway answers with: the system's one family (lib/errors.ts). */
export type HttpErrorCode = ErrorCode;

/** Code → HTTP status, for every code (the compiler refuses a code left out). */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  INVALID_JSON: 400,
  INVALID_INPUT: 400,
  INVALID_CSV: 400,
  INVALID_ENCODING: 400,
  INVALID_CREDIT_CODE: 400,
  INVALID_DATE: 400,
  INVALID_REGION_CODE: 400,
  INVALID_ARGUMENT: 400,
  NOT_INDIVIDUAL_BUSINESS: 400,
  ESTABLISHED_AFTER_AS_OF: 400,
  EMPTY_LINE: 400,
  UNKNOWN_RULESET: 400,
  NO_RULESET_IN_FORCE: 400,
  NO_CATALOGUE_IN_FORCE: 400,
  NO_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INVALID_CONFIG: 500,
  INVALID_RULESET: 500,
  INVALID_CATALOGUE: 500,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  TIMEOUT: 503,
});

/** Writes the one error shape. */
export function sendError(res: Response, code: HttpErrorCode, message: string): void {
  res.status(HTTP_STATUS[code]).json({ error: { code, message } });
}

/** The last middleware: maps anything thrown to the error shape without leaking internals. */
export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (isGetihuError(err) && (err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT')) {
    // An outage of the store, broker or registry: the caller learns to retry, not where or what
    // (addresses and driver messages stay in the log).
    log.warn({ code: err.code, err: err.message }, 'a dependency is unavailable; answered 503');
    res.setHeader('Retry-After', '5');
    return sendError(res, err.code, 'a service the gateway depends on is unavailable; try again shortly');
  }
  if (isGetihuError(err) && HTTP_STATUS[err.code] >= 500) {
    // Our own fault (configuration, a bug): the caller gets the code, the log gets the detail.
    log.error({ code: err.code, err: err.stack ?? err.message }, 'internal error');
    return sendError(res, err.code, 'internal error');
  }
  if (isGetihuError(err, 'RATE_LIMITED')) {
    // Every 429 says when to come back.
    const wait = err.details?.retryAfterSeconds;
    res.setHeader('Retry-After', String(typeof wait === 'number' ? wait : 60));
  }
  if (isGetihuError(err)) return sendError(res, err.code, err.message);
  const e = err as { type?: string; status?: number };
  if (e.type === 'entity.too.large') return sendError(res, 'PAYLOAD_TOO_LARGE', 'the request body is larger than allowed');
  if (e.type === 'entity.parse.failed') return sendError(res, 'INVALID_JSON', 'the request body is not valid JSON');
  if (e.status === 415 || e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
    return sendError(res, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported content type or encoding');
  }
  // What express and its parsers refuse with a 4xx (a malformed percent-encoding, say) is the
  // caller's mistake, not ours.
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
    return sendError(res, 'INVALID_ARGUMENT', 'the request is malformed (its path, query or body cannot be read)');
  log.error({ err: (err as Error)?.stack ?? String(err) }, 'internal error');
  return sendError(res, 'INTERNAL', 'internal error');
};

export { GetihuError };
