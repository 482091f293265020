/**
 * The gateway service's settings from the environment, checked once at start and frozen: a
 * deployment's security settings — whose tokens, which ingress, which webhook origins, the shared
 * key rings — are read here and nowhere else, and a value that will not do stops the start with
 * INVALID_CONFIG naming its key.
 *
 * | key                                   | what                                                                  |
 * | ------------------------------------- | --------------------------------------------------------------------- |
 * | PORT, HOST                            | where to listen (8080, 127.0.0.1)                                     |
 * | GETIHU_JWKS_URL, GETIHU_ISSUER, GETIHU_AUDIENCE | the identity provider's keys, its tokens' issuer and audience |
 * | GETIHU_CONSOLE_CLIENT_ID, GETIHU_CONSOLE_RESOURCE | the console's public client at the provider (OIDC code + PKCE), and the resource indicator its token is for, if the provider needs one |
 * | GETIHU_DEV_KEYS                       | 1: the development key ring, on purpose                               |
 * | GETIHU_TRUST_PROXY                    | the ingress in front: a hop count, or its addresses and subnets       |
 * | GETIHU_WEBHOOK_ORIGINS                | where banks' webhooks may go                                          |
 * | GETIHU_WEBHOOK_SECRETS_KEY            | the key sealing webhook secrets (32 bytes, base64)                    |
 * | GETIHU_BADGE_KEYS, GETIHU_CHECKPOINT_KEYS | the key rings every replica shares (JSON, `cli badge-keys`)       |
 * | GETIHU_BADGE_ISSUER                   | the name badges and checkpoints are signed in                         |
 * | GETIHU_AUDIT_CHECKPOINT_SECONDS       | how often the audit chain's head is signed (300)                      |
 */
import {
  AUDIENCE,
  CHECKPOINT_SECONDS,
  DEV_ISSUER,
  DEV_WEBHOOK_ORIGINS,
  type GatewaySettings,
  type Identity,
  parseWebhookOrigins,
} from '../gateway/index.js';
import { GetihuError } from '../lib/errors.js';

const invalid = (key: string, message: string) => new GetihuError('INVALID_CONFIG', `${key}: ${message}`, { key });

/** A whole number (`what`) from `env[key]` between `min` and `max`, or `fallback` when unset. */
function wholeNumber(
  env: NodeJS.ProcessEnv,
  key: string,
  fallback: number,
  min: number,
  max: number,
  what = 'a whole number',
): number {
  const text = env[key];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw invalid(key, `${what} from ${min} to ${max}, got '${text}'`);
  return n;
}

/** The port to listen on (PORT; `fallback` when unset). */
export function portOf(env: NodeJS.ProcessEnv, fallback = 8080): number {
  return wholeNumber(env, 'PORT', fallback, 0, 65_535, 'a port number');
}

/**
 * The ingress the gateway trusts to forward the client's address (GETIHU_TRUST_PROXY), as express's
 * `trust proxy` takes it: unset or "false" for none, a hop count, or a comma-separated list of
 * addresses and subnets (e.g. "loopback, 10.0.0.0/8"). "true" is refused: it would trust any
 * client's claim of its address.
 */
export function trustProxyOf(env: NodeJS.ProcessEnv): boolean | number | string {
  const text = env.GETIHU_TRUST_PROXY;
  if (text === undefined || text === '' || text === 'false') return false;
  if (/^\d{1,2}$/.test(text)) return Number(text);
  if (/^[\w.:/, -]{1,500}$/.test(text) && text !== 'true') return text;
  throw invalid(
    'GETIHU_TRUST_PROXY',
    'false, a hop count (e.g. 1), or the ingress addresses and subnets, comma-separated ("true" would trust any client\'s claim of its address)',
  );
}

/** Whose tokens: the identity provider's when named, else the development ring (refused in production unless asked for). */
function identityOf(env: NodeJS.ProcessEnv, o: { production: boolean; devKeys: boolean }): Identity {
  const jwks = env.GETIHU_JWKS_URL ?? '';
  if (jwks === '') {
    if (o.production && !o.devKeys)
      throw invalid(
        'GETIHU_JWKS_URL',
        'a gateway outside development verifies the identity provider’s tokens; name its JWKS (with GETIHU_ISSUER), or set GETIHU_DEV_KEYS=1 to use the development keys on purpose',
      );
    return { kind: 'development' };
  }
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(jwks);
  } catch {
    throw invalid('GETIHU_JWKS_URL', `not an absolute URL: '${jwks}'`);
  }
  if (jwksUrl.protocol !== 'https:' && o.production) throw invalid('GETIHU_JWKS_URL', 'an https URL outside development');
  const issuer = env.GETIHU_ISSUER ?? '';
  if (issuer === '') throw invalid('GETIHU_ISSUER', 'GETIHU_JWKS_URL is set: name the issuer its tokens carry');
  const resource = env.GETIHU_CONSOLE_RESOURCE || null;
  if (resource !== null && !URL.canParse(resource))
    throw invalid('GETIHU_CONSOLE_RESOURCE', `not an absolute URI: '${resource}'`);
  return {
    kind: 'provider',
    jwksUrl,
    issuer,
    audience: env.GETIHU_AUDIENCE || AUDIENCE,
    consoleClientId: env.GETIHU_CONSOLE_CLIENT_ID || null,
    consoleResource: resource,
  };
}

/** A base64 key of 32 bytes, or null when unset. */
function sealingKey(env: NodeJS.ProcessEnv, key: string): string | null {
  const text = env[key];
  if (text === undefined || text === '') return null;
  if (Buffer.from(text, 'base64').length !== 32) throw invalid(key, '32 bytes, base64 (e.g. openssl rand -base64 32)');
  return text;
}

/**
 * The gateway service's settings from `env`. `production` (NODE_ENV=production, or a gateway on
 * Kafka and PostgreSQL) requires an identity provider unless `devKeys` asks for the development
 * ring on purpose (the demo, GETIHU_DEV_KEYS=1).
 * @throws GetihuError `INVALID_CONFIG` naming the key at fault.
 */
export function gatewaySettings(
  env: NodeJS.ProcessEnv,
  o: { readonly production: boolean; readonly devKeys?: boolean; readonly port?: number },
): GatewaySettings {
  const devKeys = o.devKeys ?? env.GETIHU_DEV_KEYS === '1';
  const identity = identityOf(env, { production: o.production, devKeys });
  // Banks' webhook endpoints may only be on the origins the operator lists; with the development
  // keys, loopback too, so a bank can try it on one machine.
  const webhookOrigins = env.GETIHU_WEBHOOK_ORIGINS ?? (identity.kind === 'development' ? DEV_WEBHOOK_ORIGINS : '');
  try {
    parseWebhookOrigins(webhookOrigins);
  } catch (err) {
    throw invalid('GETIHU_WEBHOOK_ORIGINS', (err as Error).message);
  }
  return Object.freeze({
    port: portOf(env, o.port ?? 8080),
    host: env.HOST || '127.0.0.1',
    identity,
    serviceIssuer: env.GETIHU_BADGE_ISSUER || DEV_ISSUER,
    trustProxy: trustProxyOf(env),
    webhookOrigins,
    webhookSecretsKey: sealingKey(env, 'GETIHU_WEBHOOK_SECRETS_KEY'),
    badgeKeys: env.GETIHU_BADGE_KEYS || null,
    checkpointKeys: env.GETIHU_CHECKPOINT_KEYS || null,
    checkpointSeconds: wholeNumber(env, 'GETIHU_AUDIT_CHECKPOINT_SECONDS', CHECKPOINT_SECONDS, 1, 86_400),
  });
}
