/**
 * The gateway: createGateway builds the app; startGateway serves it on a port with the cache
 * kept in step with decision events. Keys for development live under .data/keys.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { GetihuError } from '../lib/errors.js';
import type { Store } from '../lib/store/index.js';
import { JobRunner, type PipelineContext, prefixedGroup, topicName, waitCaughtUp } from '../matchers/reconciler/index.js';
import { createGateway, DecisionCache } from './app.js';
import { tokenVerifier } from './auth.js';
import { CHECKPOINT_SECONDS, startCheckpoints } from './checkpoints.js';
import { KeyRing } from './keys.js';
import { parseWebhookOrigins, SecretBox, WebhookDeliverer } from './webhooks.js';

export { BANK_PURPOSES, createGateway, DecisionCache } from './app.js';
export { recordAudit } from './audit.js';
export { verifyAudit } from './auditVerify.js';
export { NATIONAL, type Principal, REGIONAL_ROLES, ROLES, type Role, type TokenVerifier, tokenVerifier } from './auth.js';
export { KeyRing } from './keys.js';
export { SecretBox, verifyWebhookSignature, WebhookDeliverer } from './webhooks.js';

/** The development issuer and audience (production: the identity provider's). */
export const DEV_ISSUER = 'getihu-dev';
export const AUDIENCE = 'getihu-gateway';
/** Where banks may receive webhooks when the development keys are in use. */
export const DEV_WEBHOOK_ORIGINS = 'http://127.0.0.1:*,http://localhost:*,http://[::1]:*';
export const KEYS_DIR = join(import.meta.dirname, '..', '.data', 'keys');

/**
 * The key rings: access tokens (development) and badges (separate keys), kept under `dir`. The
 * badge ring is GETIHU_BADGE_KEYS and the checkpoint ring GETIHU_CHECKPOINT_KEYS when given, so that
 * every replica signs and publishes the same keys.
 */
export async function devKeyRings(dir = KEYS_DIR): Promise<{ access: KeyRing; badge: KeyRing; checkpoint: KeyRing }> {
  const ring = async (env: string, file: string) => {
    const given = process.env[env];
    return given === undefined || given === '' ? await KeyRing.load(join(dir, file)) : KeyRing.fromJson(given, env);
  };
  return {
    access: await KeyRing.load(join(dir, 'access.json')),
    badge: await ring('GETIHU_BADGE_KEYS', 'badge.json'),
    // The audit checkpoints' keys (GETIHU_CHECKPOINT_KEYS): with the gateways, never in the database.
    checkpoint: await ring('GETIHU_CHECKPOINT_KEYS', 'checkpoint.json'),
  };
}

/** Invalidates cached answers whenever a decision or recognition about a business is emitted. */
export async function keepCacheInStep(
  ctx: PipelineContext,
  cache: DecisionCache,
): Promise<{ stop: () => Promise<void>; caughtUp: (timeoutMs?: number) => Promise<void> }> {
  // The deployment's own group (its prefix in front), one per gateway replica.
  const group = prefixedGroup(ctx, `gateway-cache-${randomUUID()}`);
  const topics = [topicName(ctx, 'typing'), topicName(ctx, 'mtyx'), topicName(ctx, 'badge')];
  const typing = topicName(ctx, 'typing');
  const sub = await ctx.bus.subscribe(group, topics, async (records) => {
    for (const r of records) {
      if (r.key === null) continue;
      if (r.topic !== typing || r.value === null) {
        cache.invalidate(r.key, { hold: true });
        continue;
      }
      // The decision the event announces: until the store shows it, a read is not kept.
      let decisionId: string | undefined;
      try {
        const v = ctx.codec.decodeKnown(r.topic, r.value) ?? (await ctx.codec.decode(r.topic, r.value));
        decisionId = typeof v.decisionId === 'string' ? v.decisionId : undefined;
      } catch {
        // Not a decision this gateway can read (the sink sets it aside): drop what is kept, and hold it.
        cache.invalidate(r.key, { hold: true });
        continue;
      }
      cache.invalidate(r.key, decisionId === undefined ? { hold: true } : { decisionId });
    }
  });
  return {
    stop: () => sub.stop(),
    /** Resolves once every event written so far has invalidated what it concerns. */
    caughtUp: (timeoutMs = 60_000) => waitCaughtUp(ctx.bus, [{ group, topics }], 'the gateway cache', timeoutMs),
  };
}

/**
 * The checkpoint cadence in seconds from its text (GETIHU_AUDIT_CHECKPOINT_SECONDS).
 * @throws GetihuError `INVALID_CONFIG` naming the key.
 */
export function checkpointSeconds(text: string | undefined): number {
  if (text === undefined || text === '') return CHECKPOINT_SECONDS;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 86_400)
    throw new GetihuError('INVALID_CONFIG', `GETIHU_AUDIT_CHECKPOINT_SECONDS: whole seconds from 1 to 86400, got '${text}'`, {
      key: 'GETIHU_AUDIT_CHECKPOINT_SECONDS',
    });
  return n;
}

/**
 * The port to listen on from its text (PORT).
 * @throws GetihuError `INVALID_CONFIG` naming PORT.
 */
export function portOf(text: string | undefined, fallback = 8080): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65_535)
    throw new GetihuError('INVALID_CONFIG', `PORT: a port number from 0 to 65535, got '${text}'`, { key: 'PORT' });
  return n;
}

/**
 * The ingress the gateway trusts to forward the client's address (GETIHU_TRUST_PROXY), as express's
 * `trust proxy` takes it: unset or "false" for none, a hop count, or a comma-separated list of
 * addresses and subnets (e.g. "loopback, 10.0.0.0/8").
 * @throws GetihuError `INVALID_CONFIG` naming the key when it is none of these.
 */
export function trustProxyOf(text: string | undefined): boolean | number | string {
  if (text === undefined || text === '' || text === 'false') return false;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  if (/^[\w.:/, -]{1,500}$/.test(text) && text !== 'true') return text;
  throw new GetihuError(
    'INVALID_CONFIG',
    'GETIHU_TRUST_PROXY: false, a hop count (e.g. 1), or the ingress addresses and subnets, comma-separated ("true" would trust any client\'s claim of its address)',
    { key: 'GETIHU_TRUST_PROXY' },
  );
}

/**
 * Serves the gateway on `port`. Outside development (NODE_ENV=production, or on Kafka and
 * PostgreSQL) it refuses to start on the development key ring unless `devKeys` says so: tokens
 * must come from the identity provider (GETIHU_JWKS_URL).
 * @throws GetihuError `INVALID_CONFIG` when the port is in use or no identity provider is named.
 */
export async function startGateway(o: {
  store: Store;
  pipeline: PipelineContext;
  port: number;
  host?: string;
  keys?: { access: KeyRing; badge: KeyRing; checkpoint?: KeyRing };
  /** Development keys are chosen deliberately (the demo, GETIHU_DEV_KEYS=1). */
  devKeys?: boolean;
}): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const production = process.env.NODE_ENV === 'production' || o.pipeline.bus.mode === 'kafka';
  const hasIdp = (process.env.GETIHU_JWKS_URL ?? '') !== '';
  if (production && !hasIdp && o.keys === undefined && o.devKeys !== true)
    throw new GetihuError(
      'INVALID_CONFIG',
      'GETIHU_JWKS_URL: a gateway outside development verifies the identity provider’s tokens; name its JWKS (with GETIHU_ISSUER), or set GETIHU_DEV_KEYS=1 to use the development keys on purpose',
      { key: 'GETIHU_JWKS_URL' },
    );
  const trustProxy = trustProxyOf(process.env.GETIHU_TRUST_PROXY);
  const keys = o.keys ?? (await devKeyRings());
  // Regulators' runs, rounds and sweeps run here, on a decision pool of their own, off the requests.
  const jobs = await JobRunner.start(o.store, 1);
  const cache = new DecisionCache();
  const inStep = await keepCacheInStep(o.pipeline, cache);
  // Production verifies the identity provider's tokens (GETIHU_JWKS_URL, GETIHU_ISSUER,
  // GETIHU_AUDIENCE); without them, the development key ring under .data/keys.
  const jwksUrl = process.env.GETIHU_JWKS_URL;
  const verify =
    jwksUrl === undefined || jwksUrl === ''
      ? tokenVerifier({ issuer: DEV_ISSUER, audience: AUDIENCE, jwks: () => keys.access.jwks() })
      : tokenVerifier({
          issuer: process.env.GETIHU_ISSUER ?? '',
          audience: process.env.GETIHU_AUDIENCE ?? AUDIENCE,
          jwks: new URL(jwksUrl),
        });
  if (jwksUrl !== undefined && jwksUrl !== '' && (process.env.GETIHU_ISSUER ?? '') === '') {
    throw new GetihuError('INVALID_CONFIG', 'GETIHU_JWKS_URL is set: GETIHU_ISSUER must name the issuer its tokens carry');
  }
  // Banks' webhook endpoints may only be on the origins the operator lists; with the development
  // keys, loopback too, so a bank can try it on one machine.
  const webhookOrigins = parseWebhookOrigins(
    process.env.GETIHU_WEBHOOK_ORIGINS ?? (jwksUrl === undefined || jwksUrl === '' ? DEV_WEBHOOK_ORIGINS : ''),
  );
  // The store keeps banks' webhook secrets sealed with a key that stays with the gateways.
  const webhookSecrets = SecretBox.load(process.env.GETIHU_WEBHOOK_SECRETS_KEY, join(KEYS_DIR, 'webhook-secrets.key'));
  const webhooks = new WebhookDeliverer({
    store: o.store,
    secrets: webhookSecrets,
    onChange: (fn) => cache.onChange(fn),
    origins: webhookOrigins,
  });
  const app = createGateway(
    {
      store: o.store,
      pipeline: o.pipeline,
      verify,
      badgeKeys: keys.badge,
      jobs,
      // Badges are signed in the name the operator gives the service (GETIHU_BADGE_ISSUER), which
      // platforms pin; the development name otherwise.
      issuer: process.env.GETIHU_BADGE_ISSUER || DEV_ISSUER,
      webhookOrigins,
      webhookSecrets,
      trustProxy,
      ...(keys.checkpoint === undefined ? {} : { checkpointKeys: keys.checkpoint }),
    },
    cache,
  );
  // The audit chain's head, signed at a fixed cadence (GETIHU_AUDIT_CHECKPOINT_SECONDS, default 300).
  const checkpoints =
    keys.checkpoint === undefined
      ? undefined
      : startCheckpoints(
          {
            store: o.store,
            keys: keys.checkpoint,
            issuer: process.env.GETIHU_BADGE_ISSUER || DEV_ISSUER,
            pipeline: o.pipeline,
          },
          checkpointSeconds(process.env.GETIHU_AUDIT_CHECKPOINT_SECONDS),
        );
  const host = o.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    // Express 5 hands a listening error to the callback (and emits it on the server too).
    const s = app.listen(o.port, host, (err?: Error) => (err === undefined ? resolve(s) : undefined));
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new GetihuError(
          'INVALID_CONFIG',
          err.code === 'EADDRINUSE'
            ? `PORT: ${host}:${o.port} is in use by another process`
            : `cannot listen on ${host}:${o.port}: ${err.message}`,
          { key: 'PORT' },
          { cause: err },
        ),
      ),
    );
  }).catch(async (err: unknown) => {
    await checkpoints?.stop();
    await webhooks.stop();
    await inStep.stop();
    await jobs.close();
    throw err;
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : o.port;
  return {
    server,
    url: `http://${host}:${port}`,
    close: async () => {
      await checkpoints?.stop();
      await webhooks.stop();
      await inStep.stop();
      await jobs.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      // Event streams stay open until their clients leave: end them.
      server.closeAllConnections();
      await closed;
    },
  };
}
