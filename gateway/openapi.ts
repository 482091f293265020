/**
 * The OpenAPI 3.1 document of the gateway, generated from its route declarations (gateway/route.ts): paths,
 * parameters, request bodies and answers come from the zod schemas the routes check requests with,
 * through zod's own JSON Schema conversion. `/docs` shows it with Swagger UI (swagger-ui-dist,
 * served from the package, no CDN).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type Answer, errorBody, TAGS } from './api.js';
import type { Operation } from './route.js';

type Json = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (the dialect of OpenAPI 3.1), without its `$schema`. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return rest;
}

/** The properties of an object schema as parameters in `where`. */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (schema === undefined) return [];
  const s = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, p]) => {
    const { description, ...rest } = p as { description?: string };
    return {
      name,
      in: where,
      required: where === 'path' || (s.required ?? []).includes(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

function answer(a: Answer): Json {
  const headers =
    a.headers === undefined
      ? {}
      : {
          headers: Object.fromEntries(
            Object.entries(a.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]),
          ),
        };
  if (a.schema === undefined) return { description: a.description, ...headers };
  const schema = a.schema === errorBody ? { $ref: '#/components/schemas/Error' } : jsonSchema(a.schema, 'output');
  return { description: a.description, ...headers, content: { [a.contentType ?? 'application/json']: { schema } } };
}

function operation(op: Operation): Json {
  const security = op.roles === 'anyone' ? [{}, { bearer: [] }] : [{ bearer: [] }];
  const who = op.roles === 'anyone' ? 'anyone (a token, when sent, must be valid)' : op.roles.join(', ');
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    description: `${op.description === undefined ? '' : `${op.description}\n\n`}Roles: ${who}.`,
    'x-roles': op.roles,
    security,
    parameters: [...parameters(op.params, 'path'), ...parameters(op.query, 'query')],
    ...(op.body === undefined
      ? {}
      : { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } }),
    responses: Object.fromEntries(Object.entries(op.responses).map(([status, a]) => [status, answer(a)])),
  };
}

/** An express path (`/v1/badges/:code`) as an OpenAPI one (`/v1/badges/{code}`). */
export const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');

/** The document. */
export function openApiDocument(operations: readonly Operation[]): Json {
  const paths: Record<string, Json> = {};
  for (const op of operations) {
    const p = openApiPath(op.path);
    paths[p] = { ...(paths[p] ?? {}), [op.method]: operation(op) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'getihu gateway',
      version: '1',
      description:
        'Typing (分型) and 名特优新 results of individual businesses (个体工商户), shared by role. Every non-public read is audited; every error has the one shape `{"error": {"code", "message"}}`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'this gateway' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256)' } },
      schemas: { Error: jsonSchema(errorBody, 'output') },
    },
    paths,
  };
}

/** The script that starts Swagger UI on the page (allowed by its hash, no inline script otherwise). */
const DOCS_SCRIPT = `window.onload = function () { window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true }); };`;
const DOCS_SCRIPT_HASH = createHash('sha256').update(DOCS_SCRIPT).digest('base64');

/** The content security policy of the /docs page: the page's own assets and its one script. */
export const DOCS_CSP = `default-src 'self'; script-src 'self' 'sha256-${DOCS_SCRIPT_HASH}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'`;

/** The /docs page: Swagger UI from /docs/assets (the swagger-ui-dist package) on /openapi.json. */
export function docsPage(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>getihu gateway API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>${DOCS_SCRIPT}</script>
</body>
</html>
`;
}
