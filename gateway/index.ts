/**
 * The gateway: createGateway builds the app; startGateway serves it on a port with the cache
 * kept in step with decision events. Keys for development live under .data/keys.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { GetihuError } from '../lib/errors.js';
import type { Store } from '../lib/store/index.js';
import { JobRunner, type PipelineContext, prefixedGroup, topicName, waitCaughtUp } from '../pipeline/index.js';
import { createGateway, DecisionCache } from './app.js';
import { tokenVerifier } from './auth.js';
import { startCheckpoints } from './checkpoints.js';
import { KeyRing } from './keys.js';
import type { GatewaySettings } from './settings.js';
import { parseWebhookOrigins, SecretBox, WebhookDeliverer } from './webhooks.js';

export { BANK_PURPOSES, createGateway, DecisionCache } from './app.js';
export { recordAudit } from './audit.js';
export { verifyAudit } from './auditVerify.js';
export { NATIONAL, type Principal, REGIONAL_ROLES, ROLES, type Role, type TokenVerifier, tokenVerifier } from './auth.js';
export { CHECKPOINT_SECONDS } from './checkpoints.js';
export { KeyRing } from './keys.js';
export type { GatewaySettings, Identity } from './settings.js';
export { parseWebhookOrigins, SecretBox, verifyWebhookSignature, WebhookDeliverer } from './webhooks.js';

/** The development issuer and audience (production: the identity provider's). */
export const DEV_ISSUER = 'getihu-dev';
export const AUDIENCE = 'getihu-gateway';
/** Where banks may receive webhooks when the development keys are in use. */
export const DEV_WEBHOOK_ORIGINS = 'http://127.0.0.1:*,http://localhost:*,http://[::1]:*';
export const KEYS_DIR = join(import.meta.dirname, '..', '.data', 'keys');

/**
 * The key rings: access tokens (development) and badges (separate keys), kept under `dir`. The
 * badge ring and the checkpoint ring are the shared ones the settings give (GETIHU_BADGE_KEYS,
 * GETIHU_CHECKPOINT_KEYS) when given, so that every replica signs and publishes the same keys.
 */
export async function devKeyRings(
  dir = KEYS_DIR,
  shared: { readonly badgeKeys?: string | null; readonly checkpointKeys?: string | null } = {},
): Promise<{ access: KeyRing; badge: KeyRing; checkpoint: KeyRing }> {
  const ring = async (given: string | null | undefined, key: string, file: string) =>
    given === undefined || given === null || given === '' ? await KeyRing.load(join(dir, file)) : KeyRing.fromJson(given, key);
  return {
    access: await KeyRing.load(join(dir, 'access.json')),
    badge: await ring(shared.badgeKeys, 'GETIHU_BADGE_KEYS', 'badge.json'),
    // The audit checkpoints' keys: with the gateways, never in the database.
    checkpoint: await ring(shared.checkpointKeys, 'GETIHU_CHECKPOINT_KEYS', 'checkpoint.json'),
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
 * Serves the gateway as its settings say (built and checked by the composition root: app/settings.ts).
 * @throws GetihuError `INVALID_CONFIG` when the port is in use.
 */
export async function startGateway(o: {
  store: Store;
  pipeline: PipelineContext;
  settings: GatewaySettings;
  /** Key rings of the caller's (tests); else the development rings, with the shared ones the settings give. */
  keys?: { access: KeyRing; badge: KeyRing; checkpoint?: KeyRing };
}): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const settings = o.settings;
  const keys = o.keys ?? (await devKeyRings(KEYS_DIR, settings));
  // Regulators' runs, rounds and sweeps run here, on a decision pool of their own, off the requests.
  const jobs = await JobRunner.start(o.store, 1);
  const cache = new DecisionCache();
  const inStep = await keepCacheInStep(o.pipeline, cache);
  // Production verifies the identity provider's tokens; development, the development key ring.
  const identity = settings.identity;
  const verify =
    identity.kind === 'development'
      ? tokenVerifier({ issuer: DEV_ISSUER, audience: AUDIENCE, jwks: () => keys.access.jwks() })
      : tokenVerifier({ issuer: identity.issuer, audience: identity.audience, jwks: identity.jwksUrl });
  const webhookOrigins = parseWebhookOrigins(settings.webhookOrigins);
  // The store keeps banks' webhook secrets sealed with a key that stays with the gateways.
  const webhookSecrets = SecretBox.load(settings.webhookSecretsKey ?? undefined, join(KEYS_DIR, 'webhook-secrets.key'));
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
      // Badges are signed in the name the operator gives the service, which platforms pin.
      issuer: settings.serviceIssuer,
      webhookOrigins,
      webhookSecrets,
      trustProxy: settings.trustProxy,
      ...(keys.checkpoint === undefined ? {} : { checkpointKeys: keys.checkpoint }),
      // The console signs in at the provider, as the client the operator registered there.
      ...(identity.kind === 'provider' && identity.consoleClientId !== null
        ? {
            consoleSignIn: {
              issuer: identity.issuer,
              clientId: identity.consoleClientId,
              ...(identity.consoleResource === null ? {} : { resource: identity.consoleResource }),
            },
          }
        : {}),
    },
    cache,
  );
  // The audit chain's head, signed at the settings' cadence.
  const checkpoints =
    keys.checkpoint === undefined
      ? undefined
      : startCheckpoints(
          {
            store: o.store,
            keys: keys.checkpoint,
            issuer: settings.serviceIssuer,
            pipeline: o.pipeline,
          },
          settings.checkpointSeconds,
        );
  const host = settings.host;
  const server = await new Promise<Server>((resolve, reject) => {
    // Express 5 hands a listening error to the callback (and emits it on the server too).
    const s = app.listen(settings.port, host, (err?: Error) => (err === undefined ? resolve(s) : undefined));
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new GetihuError(
          'INVALID_CONFIG',
          err.code === 'EADDRINUSE'
            ? `PORT: ${host}:${settings.port} is in use by another process`
            : `cannot listen on ${host}:${settings.port}: ${err.message}`,
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
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
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
