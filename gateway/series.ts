/**
 * Middleware run one after another inside one router layer. Express's router costs a few
 * microseconds per layer (path match, prefix trim, parameter pass) even for middleware that
 * matches every path; the gateway's preamble (request log, security headers, no caching,
 * authentication, rate limit) runs on every request, so it is one layer rather than five.
 *
 * Same contract as the router for each handler: `next()` goes on to the following one, `next(err)`
 * leaves the series with the error, a thrown error or a rejected promise is passed on as `next(err)`.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export function inSeries(handlers: readonly RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    let i = 0;
    const step = (err?: unknown): void => {
      if (err !== undefined && err !== null) {
        next(err);
        return;
      }
      const h = handlers[i++];
      if (h === undefined) {
        next();
        return;
      }
      try {
        const r = h(req, res, step) as unknown;
        if (r instanceof Promise) r.then(undefined, (e: unknown) => next(e ?? new Error('a middleware rejected')));
      } catch (e) {
        next(e);
      }
    };
    step();
  };
}
