/**
 * Test helpers: the real gateway over real HTTP on loopback, for an open pipeline, with
 * ephemeral keys and a way to mint tokens of any role and to call it as one.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Store } from '../lib/store/index.js';
import { JobRunner, type PipelineContext } from '../pipeline/index.js';
import { createGateway, DecisionCache } from './app.js';
import { NATIONAL, REGIONAL_ROLES, tokenVerifier } from './auth.js';
import { AUDIENCE, DEV_ISSUER, keepCacheInStep } from './index.js';
import { KeyRing } from './keys.js';
import { parseWebhookOrigins, SecretBox } from './webhooks.js';

/** A gateway under test. */
export interface TestGateway {
  readonly base: string;
  /**
   * A token of `role` for subject `sub`, with extra claims (e.g. `region`). A regional role's
   * token names the country (`region` 000000) unless `extra` says otherwise; `{ region: undefined }`
   * leaves the claim out.
   */
  token(role: string, sub?: string, extra?: Record<string, unknown>): Promise<string>;
  /**
   * Calls the gateway; the body is sent as JSON when given. A regulator's job is waited for
   * (`Prefer: wait=120`) unless `headers` says otherwise.
   */
  call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    token?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** The key ring that signs the audit chain's checkpoints. */
  readonly checkpointKeys: KeyRing;
  /** The gateway's job runner (to wait for its jobs). */
  readonly jobs: JobRunner;
  close(): Promise<void>;
}

/** The claims of a test token: a regional role names the country unless `extra` names its region (or leaves it out). */
export function withRegion(role: string, extra: Record<string, unknown>): Record<string, unknown> {
  const regional = (REGIONAL_ROLES as readonly string[]).includes(role) && !('region' in extra);
  return { role, ...(regional ? { region: NATIONAL } : {}), ...extra };
}

/** Starts the gateway for `store` and `pipeline` on an ephemeral loopback port (with `now` as its clock). */
export async function startTestGateway(store: Store, pipeline: PipelineContext, now?: () => Date): Promise<TestGateway> {
  const access = await KeyRing.ephemeral();
  const checkpointKeys = await KeyRing.ephemeral();
  const cache = new DecisionCache();
  const inStep = await keepCacheInStep(pipeline, cache);
  const jobs = await JobRunner.start(store, 1);
  const app = createGateway(
    {
      store,
      pipeline,
      verify: tokenVerifier({ issuer: DEV_ISSUER, audience: AUDIENCE, jwks: () => access.jwks() }),
      badgeKeys: await KeyRing.ephemeral(),
      checkpointKeys,
      issuer: DEV_ISSUER,
      webhookOrigins: parseWebhookOrigins('http://127.0.0.1:*'),
      jobs,
      webhookSecrets: new SecretBox(randomBytes(32)),
      ...(now === undefined ? {} : { now }),
    },
    cache,
  );
  const server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    base,
    token: (role, sub = `${role}-1`, extra = {}) =>
      access.sign(withRegion(role, extra), { issuer: DEV_ISSUER, audience: AUDIENCE, subject: sub, expiresIn: '10m' }),
    jobs,
    checkpointKeys,
    call: async (method, path, token, body, extra = {}) => {
      const headers: Record<string, string> = { prefer: 'wait=120', ...extra };
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const r = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      return { status: r.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
    },
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await inStep.stop();
      await jobs.close();
    },
  };
}
