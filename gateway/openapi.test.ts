/**
 * The OpenAPI document is generated from the route declarations the app registers: every route
 * served is declared, and every declaration is served; the document passes
 * `redocly lint` with no warning; and real answers of the running gateway — on an embedded
 * pipeline with typed businesses — match the response schemas it documents for their status.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { typeAndStore } from '../pipeline/testing.js';
import { createGateway, declaredRoutes, servedRoutes } from './app.js';
import { publishCheckpoint } from './checkpoints.js';
import { openApiDocument } from './openapi.js';
import { startTestGateway, type TestGateway } from './testing.js';

let p: Pipeline;
let g: TestGateway;
const businesses = [...generateBusinesses({ region: 'tianjin', businesses: 300, seed: 4242 })];
const code = businesses[0]?.creditCode as string;

beforeAll(async () => {
  p = await openPipeline({ mode: 'embedded', partitions: 3 });
  await ingestBusinesses(p.ctx, businesses, 2024);
  g = await startTestGateway(p.store, p.ctx);
  await typeAndStore(p, '120000', '2025-08-15');
}, 180_000);
afterAll(async () => {
  await g?.close();
  await p?.close();
});

/** A gateway's routes as declared (one without a pipeline declares the same routes). */
function declared() {
  const app = createGateway({
    store: p.store,
    verify: async () => {
      throw new Error('unused');
    },
    badgeKeys: undefined as never,
    issuer: 'test',
  });
  return { app, routes: declaredRoutes(app) };
}

/** Fails unless the answer is one the operation documents, with a body of its documented schema. */
function expectDocumented(operationId: string, r: { status: number; body: unknown }): void {
  const op = declared().routes.find((o) => o.operationId === operationId);
  expect(op, operationId).toBeDefined();
  const answer = op?.responses[r.status];
  expect(answer, `${operationId} answered ${r.status}, which it does not document: ${JSON.stringify(r.body)}`).toBeDefined();
  if (answer?.schema !== undefined && (answer.contentType ?? 'application/json') === 'application/json') {
    const parsed = answer.schema.safeParse(r.body);
    expect(parsed.success, `${operationId} ${r.status}: ${parsed.error?.message}`).toBe(true);
  }
}

describe('the OpenAPI document', () => {
  it('describes every route the gateway serves, and only those', () => {
    const { app, routes } = declared();
    const served = servedRoutes(app).sort();
    const described = routes.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
    expect(served.length).toBeGreaterThan(25);
    expect(described).toEqual(served);
    expect(new Set(routes.map((o) => o.operationId)).size).toBe(routes.length);
  });

  it('passes redocly lint with no error and no warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'getihu-openapi-'));
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(openApiDocument(declared().routes)));
    const r = spawnSync(process.execPath, ['node_modules/@redocly/cli/bin/cli.js', 'lint', file], {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      timeout: 120_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).toContain('Your API description is valid');
    expect(out).not.toMatch(/warning/i);
  });

  it('takes its parameters and bodies from the schemas the routes check requests with', () => {
    const doc = openApiDocument(declared().routes) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const tags = doc.paths['/v1/credit-tags/{code}']?.get as {
      parameters: { name: string; in: string; schema: { enum?: string[] } }[];
    };
    expect(tags.parameters.map((x) => `${x.in}:${x.name}`)).toEqual(['path:code', 'query:purpose']);
    expect(tags.parameters[1]?.schema.enum).toEqual(['credit-assessment', 'product-matching', 'pre-approval']);
    const run = doc.paths['/v1/regulator/runs']?.post as {
      requestBody: { content: { 'application/json': { schema: { required: string[]; additionalProperties: boolean } } } };
      responses: Record<string, unknown>;
    };
    expect(run.requestBody.content['application/json'].schema.required).toEqual(['area', 'asOf']);
    // A strict body: an unknown field is refused, and the document says so.
    expect(run.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(Object.keys(run.responses)).toEqual(expect.arrayContaining(['201', '202', '400', '403']));
  });
});

describe('real answers match the documented schemas', () => {
  it('for anyone, banks, platforms, agencies, businesses, regions and regulators', async () => {
    const bank = await g.token('bank', 'bank-1');
    const reg = await g.token('regulator', 'reg-tj', { region: '120000' });
    const tax = await g.token('agency', 'tax-bureau', { scope: 'feeds:tax' });
    const business = await g.token('public', code);
    const region = await g.token('region', 'hb-samr', { region: '130000' });

    expectDocumented('health', await g.call('GET', '/healthz'));
    expectDocumented('ready', await g.call('GET', '/readyz'));
    expectDocumented('openApi', await g.call('GET', '/openapi.json'));
    expectDocumented('badgeKeys', await g.call('GET', '/.well-known/jwks.json'));
    expectDocumented('getPublicBusiness', await g.call('GET', `/v1/public/businesses/${code}`));
    expectDocumented('getPublicBusiness', await g.call('GET', '/v1/public/businesses/92120101MA0000000X'));
    const name = (await p.store.business(code))?.name?.slice(0, 2) as string;
    const found = await g.call('GET', `/v1/public/search?name=${encodeURIComponent(name)}`);
    expect((found.body.results as unknown[]).length).toBeGreaterThan(0);
    expectDocumented('searchBusinesses', found);
    expectDocumented('searchBusinesses', await g.call('GET', '/v1/public/search?name=x'));

    expectDocumented('getCreditTags', await g.call('GET', `/v1/credit-tags/${code}?purpose=credit-assessment`, bank));
    expectDocumented('getCreditTags', await g.call('GET', `/v1/credit-tags/${code}`, bank));
    expectDocumented('getCreditTags', await g.call('GET', `/v1/credit-tags/${code}?purpose=credit-assessment`, reg));
    expectDocumented('getCreditTags', await g.call('GET', `/v1/credit-tags/${code}?purpose=credit-assessment`));
    const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const granted = await g.call('POST', '/v1/consents', business, {
      creditCode: code,
      bank: 'bank-1',
      purpose: 'credit-assessment',
      scope: ['basic-standard', 'history'],
      expiresOn: inAMonth,
    });
    expect(granted.status).toBe(201);
    expectDocumented('grantConsent', granted);
    expectDocumented('grantConsent', await g.call('POST', '/v1/consents', business, { creditCode: code }));
    expectDocumented('getCreditTags', await g.call('GET', `/v1/credit-tags/${code}?purpose=credit-assessment`, bank));
    expectDocumented('getTypingHistory', await g.call('GET', `/v1/credit-tags/${code}/history?purpose=credit-assessment`, bank));
    expectDocumented('getTypingHistory', await g.call('GET', `/v1/credit-tags/${code}/history?purpose=pre-approval`, bank));
    expectDocumented('listConsents', await g.call('GET', `/v1/consents?creditCode=${code}`, business));
    expectDocumented('listHeldConsents', await g.call('GET', '/v1/bank/consents', bank));
    expectDocumented('revokeConsent', await g.call('DELETE', `/v1/consents/${granted.body.id as string}`, business));
    expectDocumented('revokeConsent', await g.call('DELETE', `/v1/consents/${granted.body.id as string}`, business));
    expectDocumented('listCorrections', await g.call('GET', '/v1/credit-tags-corrections', bank));
    expectDocumented('getWebhook', await g.call('GET', '/v1/credit-tags-corrections/webhook', bank));
    expectDocumented('getBadgeStatus', await g.call('GET', `/v1/badges/${code}/status`, business));
    expectDocumented('getBadge', await g.call('GET', `/v1/badges/${code}`, await g.token('platform', 'shop-1')));

    const push = await g.call('POST', '/v1/feeds/tax/tax', tax, {
      batchId: 'openapi-1',
      records: [{ creditCode: 'not a code', year: 2024 }],
    });
    expect(push.status).toBe(207);
    expectDocumented('pushFeed', push);
    expectDocumented('pushFeed', await g.call('POST', '/v1/feeds/tax/nothing', tax, { batchId: 'x', records: [{}] }));

    const filed = await g.call('POST', '/v1/disputes', business, { creditCode: code, claim: '经营状况已改善' });
    expect(filed.status).toBe(201);
    expectDocumented('fileDispute', filed);
    expectDocumented('listOwnDisputes', await g.call('GET', `/v1/disputes?creditCode=${code}`, business));
    expectDocumented('listDisputes', await g.call('GET', '/v1/regulator/disputes?status=open', reg));
    expectDocumented(
      'resolveDispute',
      await g.call('POST', `/v1/regulator/disputes/${filed.body.id as string}/resolve`, reg, {
        outcome: 'uphold',
        reason: '维持',
      }),
    );

    expectDocumented(
      'checkTransfer',
      await g.call('POST', '/v1/transfers/check', region, { creditCode: code, toRegion: '130102' }),
    );
    expectDocumented('explainDecision', await g.call('GET', `/v1/regulator/decisions/${code}`, reg));
    expectDocumented('readAudit', await g.call('GET', '/v1/regulator/audit?limit=5', reg));
    expectDocumented('latestCheckpoint', await g.call('GET', '/v1/audit/checkpoints/latest'));
    await publishCheckpoint({ store: p.store, keys: g.checkpointKeys, issuer: 'getihu-dev' });
    const latest = await g.call('GET', '/v1/audit/checkpoints/latest');
    expectDocumented('latestCheckpoint', latest);
    expectDocumented('listCheckpoints', await g.call('GET', '/v1/audit/checkpoints?limit=10'));
    expectDocumented(
      'verifyCheckpoint',
      await g.call('POST', '/v1/audit/checkpoints/verify', undefined, { token: latest.body.token }),
    );
    expectDocumented('verifyCheckpoint', await g.call('POST', '/v1/audit/checkpoints/verify', undefined, { token: 'x.y.z' }));
    expectDocumented('auditKeys', await g.call('GET', '/.well-known/audit-keys.json'));
    expectDocumented('verifyAudit', await g.call('GET', '/v1/regulator/audit/verify', reg));
    const accepted = await g.call('POST', '/v1/regulator/runs', reg, { area: '120000', asOf: '2025-08-15' }, { prefer: '' });
    expect(accepted.status).toBe(202);
    expectDocumented('startRun', accepted);
    await g.jobs.idle();
    expectDocumented('getJob', await g.call('GET', accepted.body.href as string, reg));
    expectDocumented('startRun', await g.call('POST', '/v1/regulator/runs', reg, { area: '12', asOf: '2025-08-15' }));
    expectDocumented('listFilings', await g.call('GET', '/v1/regulator/filings?area=120101&year=2025', reg));
    const candidates = await g.call('GET', '/v1/regulator/candidates?area=120000&year=2025', reg);
    expect((candidates.body.candidates as unknown[]).length).toBeGreaterThan(0);
    expectDocumented('listCandidates', candidates);
    expectDocumented('listRuns', await g.call('GET', '/v1/regulator/runs?area=120000', reg));
    expectDocumented('listRounds', await g.call('GET', '/v1/regulator/rounds?area=120000', reg));
    expectDocumented('listDeadLetters', await g.call('GET', '/v1/regulator/dead-letters', reg));
    expectDocumented('listRecognitions', await g.call('GET', '/v1/regulator/recognitions?area=120000', reg));
  }, 120_000);

  it('serves the readable page with Swagger UI from the package, under a policy that allows its one script', async () => {
    const page = await fetch(`${g.base}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    const html = await page.text();
    const script = /<script>([^<]*)<\/script>/.exec(html)?.[1] as string;
    const { createHash } = await import('node:crypto');
    expect(csp).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(csp).not.toContain('unsafe-eval');
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
      expect(html).toContain(`/docs/assets/${asset}`);
      const r = await fetch(`${g.base}/docs/assets/${asset}`);
      expect(r.status, asset).toBe(200);
      expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    }
  });
});
