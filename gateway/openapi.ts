/** The OpenAPI 3.1 document of the gateway, and a readable page rendered from it. */

const bearer = [{ bearer: [] }];
const code = {
  name: 'code',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^92[0-9A-HJ-NPQRTUWXY]{16}$' },
  description: 'unified social credit code of an individual business',
};
const error = { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };

/** The document. */
export function openApiDocument(): Record<string, unknown> {
  const op = (summary: string, roles: string, extra: Record<string, unknown> = {}) => ({
    summary,
    description: `Roles: ${roles}.`,
    security: bearer,
    responses: { 200: { description: 'ok' }, 400: error, 401: error, 403: error, 404: error, 429: error },
    ...extra,
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'getihu gateway',
      version: '1',
      description:
        'Typing (分型) and 名特优新 results of individual businesses, shared by role. Every non-public read is audited.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256)' } },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: { code: { type: 'string' }, message: { type: 'string' } },
              required: ['code', 'message'],
            },
          },
        },
      },
    },
    paths: {
      '/v1/public/businesses/{code}': {
        get: op('A business as the national register shows it: type and recognition', 'any', { parameters: [code] }),
      },
      '/v1/public/search': {
        get: op('Search businesses by (partial) name', 'any', {
          parameters: [{ name: 'name', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 50 } }],
        }),
      },
      '/v1/credit-tags/{code}': {
        get: op(
          'Credit-assessment tags: type, 名特优新 category and validity, basic-standard flags, rule set and as-of date — no amounts',
          'bank',
          {
            parameters: [
              code,
              {
                name: 'purpose',
                in: 'query',
                required: true,
                schema: { enum: ['credit-assessment', 'product-matching', 'pre-approval'] },
              },
            ],
          },
        ),
      },
      '/v1/credit-tags-corrections': {
        get: op(
          'Changes to tags this bank fetched — new typing decisions (runs, dispute adjustments) and badge status changes (expired, cancelled, revoked) — from where it left off',
          'bank',
          {
            parameters: [
              { name: 'cursor', in: 'query', description: 'the cursor of the previous answer', schema: { type: 'string' } },
              {
                name: 'since',
                in: 'query',
                description: 'or: changes recorded after this time',
                schema: { type: 'string', format: 'date-time' },
              },
            ],
          },
        ),
      },
      '/v1/credit-tags-corrections/stream': {
        get: op(
          'The same changes pushed as they happen: a text/event-stream of `correction` events whose id is the cursor (reconnect with Last-Event-ID); at most 4 open streams per bank',
          'bank',
          {
            parameters: [
              { name: 'cursor', in: 'query', description: 'start after this cursor', schema: { type: 'string' } },
              { name: 'since', in: 'query', description: 'or: after this time', schema: { type: 'string', format: 'date-time' } },
            ],
          },
        ),
      },
      '/v1/credit-tags-corrections/webhook': {
        put: op(
          "Register (or replace) this bank's endpoint for the same changes, POSTed as they happen: body {url, cursor?|since?}; the url's origin must be on the gateway's list (GETIHU_WEBHOOK_ORIGINS). Answers the signing secret, once. Each delivery is {corrections, cursor}, signed in the header Getihu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>; any 2xx acknowledges, anything else is retried with doubling pauses (5 s up to 1 h), and the cursor moves only past what was acknowledged",
          'bank',
        ),
        get: op(
          "This bank's endpoint and where its deliveries stand (failures, last error, next attempt); never the secret",
          'bank',
        ),
        delete: op("Remove this bank's endpoint", 'bank'),
      },
      '/v1/regulator/runs': {
        post: op('Start a typing run for an area as of a date (a complete, versioned result set)', 'regulator'),
      },
      '/v1/regulator/rounds': {
        post: op(
          "Run a year's 名特优新 round for an area; answers quota use, counts and each candidate's outcome; body {area, asOf, decidedOn?}",
          'regulator',
        ),
      },
      '/v1/regulator/review-steps': {
        post: op(
          '名特优新 review steps (走访核实 verification, 征求意见 consultation, 信息公示 notice, objection) with dates; the actor is the token subject; body {batchId, steps}',
          'regulator',
        ),
      },
      '/v1/regulator/badges/sweep': {
        post: op(
          'Yearly badge sweep for an area as of a date: expire recognitions past their validity, cancel (取消认定) those failing the re-check; each change is emitted on getihu.decision.badge',
          'regulator',
        ),
      },
      '/v1/regulator/recognitions/{code}/revoke': {
        post: op('Revoke (撤销) a recognition for fraud or bribery; a new application is barred for 5 years', 'regulator', {
          parameters: [code],
        }),
      },
      '/v1/badges/{code}': {
        get: op('The 名特优新 badge as a signed token (verify offline with /.well-known/jwks.json)', 'platform', {
          parameters: [code],
        }),
      },
      '/v1/badges/{code}/status': {
        get: op('Badge status: active, revoked, expired or none', 'platform, public', { parameters: [code] }),
      },
      '/v1/feeds/{agency}/{feed}': {
        post: op(
          "Push a batch of the agency's own feed; answers accepted/rejected per record with reasons; a replayed batch is harmless",
          'agency with scope feeds:<agency>',
          {
            parameters: [
              { name: 'agency', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'feed', in: 'path', required: true, schema: { type: 'string' } },
            ],
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['batchId', 'records'],
                    properties: { batchId: { type: 'string' }, records: { type: 'array', maxItems: 5000 } },
                  },
                },
              },
            },
          },
        ),
      },
      '/v1/regulator/decisions/{code}': {
        get: op('A decision explained criterion by criterion, its history and source records', 'regulator', {
          parameters: [code],
        }),
      },
      '/v1/disputes': {
        post: op('A business disputes its own result (异议)', 'public, with the business credit code as token subject'),
      },
      '/v1/regulator/disputes': { get: op('Disputes, by status', 'regulator') },
      '/v1/regulator/disputes/{id}/resolve': {
        post: op('Uphold, or adjust with a reason: an adjustment is a new decision, shared everywhere', 'regulator'),
      },
      '/v1/transfers/check': {
        post: op(
          '京津冀 transfer: is the recognition carried, until when, do the exclusions hold, which programme applies',
          'region (into its own province), regulator',
          {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['creditCode', 'toRegion'],
                    properties: {
                      creditCode: { type: 'string' },
                      newCreditCode: { type: 'string' },
                      toRegion: { type: 'string' },
                    },
                  },
                },
              },
            },
          },
        ),
      },
      '/v1/regulator/audit': { get: op('The audit log (optionally for one credit code)', 'regulator') },
      '/v1/regulator/audit/verify': { get: op('Verify the audit hash chain', 'regulator') },
      '/.well-known/jwks.json': { get: { summary: 'Public keys of badge tokens', responses: { 200: { description: 'JWKS' } } } },
    },
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain HTML page listing every operation. */
export function renderDocs(doc: Record<string, unknown>): string {
  const paths = doc.paths as Record<string, Record<string, { summary: string; description?: string }>>;
  const rows = Object.entries(paths)
    .flatMap(([p, ops]) =>
      Object.entries(ops).map(
        ([m, o]) =>
          `<tr><td><code>${m.toUpperCase()}</code></td><td><code>${esc(p)}</code></td><td>${esc(o.summary)}</td><td>${esc(o.description ?? '')}</td></tr>`,
      ),
    )
    .join('\n');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>getihu API</title>
<style>body{font-family:sans-serif;margin:2rem;max-width:70rem}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}</style></head>
<body><h1>getihu gateway</h1><p>${esc(String((doc.info as { description: string }).description))}</p>
<p>Authenticate with <code>Authorization: Bearer &lt;JWT&gt;</code>. Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
<table><tr><th>method</th><th>path</th><th>what</th><th>who</th></tr>${rows}</table></body></html>`;
}
