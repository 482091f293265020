/**
 * The gateway's JSON answers. Every answer of the API is JSON in UTF-8, with no replacer, spacing
 * or escaping configured, and no ETag (app.ts). Express's `res.json` nonetheless looks up those
 * three settings, sets the content type through mime-types and then sets its charset again through
 * content-type, on every answer: about 9 µs of the server's thread on the bank lookup (json, send,
 * stringify and their helpers: 378 of ~9,300 ms of a profiled lane). For the gateway's app,
 * `res.json` writes the same answer directly — `Content-Type: application/json; charset=utf-8`, the
 * text, its length (Node sets Content-Length for an answer ended in one piece) — and leaves what it
 * does not cover to express: a HEAD request, 204 and 304, a content type set before, no body.
 */
import type { Express, Response } from 'express';

/** Gives `app` the lean `res.json` (its own response prototype: other apps keep express's). */
export function leanJson(app: Express): void {
  const expressJson = app.response.json;
  app.response.json = function json(this: Response, body?: unknown): Response {
    const status = this.statusCode;
    if (
      body === undefined ||
      status === 204 ||
      status === 304 ||
      this.req.method === 'HEAD' ||
      this.getHeader('Content-Type') !== undefined
    )
      return expressJson.call(this, body);
    const text = JSON.stringify(body);
    this.setHeader('Content-Type', 'application/json; charset=utf-8');
    this.end(text);
    return this;
  };
}
