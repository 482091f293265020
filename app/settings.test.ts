/**
 * The gateway's settings, built once from the environment: each value that will not do stops the
 * start with INVALID_CONFIG naming its key, and what comes out is frozen.
 */
import { describe, expect, it } from 'vitest';
import { isGetihuError } from '../lib/errors.js';
import { gatewaySettings } from './settings.js';

const keyOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (err) {
    return isGetihuError(err, 'INVALID_CONFIG') ? err.details?.key : err;
  }
  return 'no error';
};

const provider = { GETIHU_JWKS_URL: 'https://idp.example/jwks.json', GETIHU_ISSUER: 'https://idp.example' };

describe('gateway settings', () => {
  it.each([
    ['no identity provider in production', {}, 'GETIHU_JWKS_URL'],
    ['a provider without its issuer', { GETIHU_JWKS_URL: 'https://idp.example/jwks.json' }, 'GETIHU_ISSUER'],
    [
      'a provider not on https in production',
      { ...provider, GETIHU_JWKS_URL: 'http://idp.example/jwks.json' },
      'GETIHU_JWKS_URL',
    ],
    ['an ingress that would trust anyone', { ...provider, GETIHU_TRUST_PROXY: 'true' }, 'GETIHU_TRUST_PROXY'],
    ['a checkpoint cadence of 0', { ...provider, GETIHU_AUDIT_CHECKPOINT_SECONDS: '0' }, 'GETIHU_AUDIT_CHECKPOINT_SECONDS'],
    ['a port past 65535', { ...provider, PORT: '70000' }, 'PORT'],
    ['a sealing key not of 32 bytes', { ...provider, GETIHU_WEBHOOK_SECRETS_KEY: 'c2hvcnQ=' }, 'GETIHU_WEBHOOK_SECRETS_KEY'],
    [
      'a webhook origin with a path',
      { ...provider, GETIHU_WEBHOOK_ORIGINS: 'https://bank.example/hooks' },
      'GETIHU_WEBHOOK_ORIGINS',
    ],
  ] as [string, Record<string, string>, string][])('refuses %s, naming the key', (_what, env, key) => {
    expect(keyOf(() => gatewaySettings(env, { production: true }))).toBe(key);
  });

  it('reads a production deployment in one place, frozen', () => {
    const s = gatewaySettings(
      { ...provider, GETIHU_TRUST_PROXY: '1', GETIHU_WEBHOOK_ORIGINS: 'https://hooks.bank.example', PORT: '9090' },
      { production: true },
    );
    expect(s).toMatchObject({
      port: 9090,
      host: '127.0.0.1',
      identity: { kind: 'provider', issuer: 'https://idp.example', audience: 'getihu-gateway' },
      trustProxy: 1,
      webhookOrigins: 'https://hooks.bank.example',
      checkpointSeconds: 300,
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it("names the console's client at the provider, and refuses a resource indicator that is not an absolute URI", () => {
    expect(gatewaySettings(provider, { production: true }).identity).toMatchObject({
      consoleClientId: null,
      consoleResource: null,
    });
    expect(
      gatewaySettings(
        { ...provider, GETIHU_CONSOLE_CLIENT_ID: 'getihu-console', GETIHU_CONSOLE_RESOURCE: 'https://gateway.example/' },
        { production: true },
      ).identity,
    ).toMatchObject({ consoleClientId: 'getihu-console', consoleResource: 'https://gateway.example/' });
    expect(() => gatewaySettings({ ...provider, GETIHU_CONSOLE_RESOURCE: 'getihu-gateway' }, { production: true })).toThrow(
      /GETIHU_CONSOLE_RESOURCE: not an absolute URI/,
    );
  });

  it('uses the development keys, with loopback webhooks, in development or when asked for on purpose', () => {
    expect(gatewaySettings({}, { production: false }).identity).toEqual({ kind: 'development' });
    expect(gatewaySettings({ GETIHU_DEV_KEYS: '1' }, { production: true })).toMatchObject({
      identity: { kind: 'development' },
      webhookOrigins: expect.stringContaining('http://127.0.0.1:*'),
      trustProxy: false,
    });
  });
});
