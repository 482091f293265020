/**
 * The gateway's one error shape `{"error": {"code", "message"}}` and the one table from error
 * codes to HTTP statuses. Nothing internal (stacks, SQL, paths) ever reaches a response.
 */
import type { ErrorRequestHandler, Response } from 'express';
import { type ErrorCode, GetihuError, isGetihuError } from '../lib/errors.js';
import { logger } from '../lib/observe/index.js';

const log = logger('gateway');

/** Gateway-only error codes, beside the system's. */
export type HttpErrorCode =
  | ErrorCode
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'CONFLICT';

/** Code → HTTP status. Anything not listed is a 500. */
export const HTTP_STATUS: Readonly<Partial<Record<HttpErrorCode, number>>> = Object.freeze({
  INVALID_JSON: 400,
  INVALID_INPUT: 400,
  INVALID_CSV: 400,
  INVALID_CREDIT_CODE: 400,
  INVALID_DATE: 400,
  INVALID_REGION_CODE: 400,
  INVALID_ARGUMENT: 400,
  NOT_INDIVIDUAL_BUSINESS: 400,
  ESTABLISHED_AFTER_AS_OF: 400,
  EMPTY_LINE: 400,
  UNKNOWN_RULESET: 400,
  NO_RULESET_IN_FORCE: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  TIMEOUT: 503,
});

/** An error with an HTTP-facing code. */
export class HttpError extends Error {
  readonly code: HttpErrorCode;
  constructor(code: HttpErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Writes the one error shape. */
export function sendError(res: Response, code: HttpErrorCode, message: string): void {
  res.status(HTTP_STATUS[code] ?? 500).json({ error: { code, message } });
}

/** The last middleware: maps anything thrown to the error shape without leaking internals. */
export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof HttpError) return sendError(res, err.code, err.message);
  if (isGetihuError(err) && (err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT')) {
    // An outage of the store, broker or registry: the caller learns to retry, not where or what
    // (addresses and driver messages stay in the log).
    log.warn({ code: err.code, err: err.message }, 'a dependency is unavailable; answered 503');
    res.setHeader('Retry-After', '5');
    return sendError(res, err.code, 'a service the gateway depends on is unavailable; try again shortly');
  }
  if (isGetihuError(err)) return sendError(res, err.code, err.message);
  const e = err as { type?: string; status?: number };
  if (e.type === 'entity.too.large') return sendError(res, 'PAYLOAD_TOO_LARGE', 'the request body is larger than allowed');
  if (e.type === 'entity.parse.failed') return sendError(res, 'INVALID_JSON', 'the request body is not valid JSON');
  if (e.status === 415 || e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
    return sendError(res, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported content type or encoding');
  }
  process.stderr.write(`gateway: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return sendError(res, 'INTERNAL', 'internal error');
};

export { GetihuError };
