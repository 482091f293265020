/**
 * Key rings given as JSON (GETIHU_BADGE_KEYS): every gateway replica loads the same ring, so a badge
 * one replica signs verifies offline against the keys any other publishes; a malformed ring is
 * refused at start, saying what is wrong and never echoing key material.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ALG, KeyRing } from './keys.js';

describe('a key ring shared by replicas', () => {
  it('signs on one replica and verifies against the keys another publishes', async () => {
    const json = (await KeyRing.ephemeral()).serialize();
    const [a, b] = [KeyRing.fromJson(json, 'GETIHU_BADGE_KEYS'), KeyRing.fromJson(json, 'GETIHU_BADGE_KEYS')];
    const token = await a.sign({ category: '知名' }, { issuer: 'getihu', subject: '92110105MA00000000', expiresIn: '1h' });
    const { payload } = await jwtVerify(token, createLocalJWKSet(b.jwks()), { issuer: 'getihu', algorithms: [ALG] });
    expect(payload.category).toBe('知名');
    // Only public keys are published.
    expect(JSON.stringify(b.jwks())).not.toContain('"d"');
    expect(b.jwks()).toEqual(a.jwks());
  });

  it('refuses what is not a ring', () => {
    for (const bad of ['', 'not json', '[]', '{}', '[{"kid":"k"}]', '[{"kid":"k","privateJwk":{},"publicJwk":{"x":"1"}}]'])
      expect(() => KeyRing.fromJson(bad, 'GETIHU_BADGE_KEYS')).toThrow(/^GETIHU_BADGE_KEYS: /);
    const leaked = '[{"kid":"k","privateJwk":{"d":"SECRET-D"},"publicJwk":{}}]';
    expect(() => KeyRing.fromJson(leaked, 'GETIHU_BADGE_KEYS')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('SECRET-D') }),
    );
  });
});
