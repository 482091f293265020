/**
 * Signing keys of the gateway: one ring for access tokens (the development issuer; production
 * verifies tokens of the real identity provider through its JWKS URL) and one, separate, for
 * 名特优新 badges, published at /.well-known/jwks.json. Keys are ES256, identified by `kid`;
 * rotation adds a new signing key and keeps the old ones for verification until removed.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';

/** The one algorithm the gateway issues and accepts. */
export const ALG = 'ES256';

interface StoredKey {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  readonly createdAt: string;
}

/** A set of ES256 keys; the newest signs, all verify. */
export class KeyRing {
  readonly #keys: StoredKey[];
  readonly #file: string | undefined;

  private constructor(keys: StoredKey[], file?: string) {
    this.#keys = keys;
    this.#file = file;
  }

  /** A ring kept in `file` (created with one key when missing; 0600). */
  static async load(file: string): Promise<KeyRing> {
    if (existsSync(file)) return new KeyRing(JSON.parse(readFileSync(file, 'utf8')) as StoredKey[], file);
    const ring = new KeyRing([], file);
    await ring.rotate();
    return ring;
  }

  /** A ring in memory only (tests). */
  static async ephemeral(): Promise<KeyRing> {
    const ring = new KeyRing([]);
    await ring.rotate();
    return ring;
  }

  /** Adds a new signing key; older keys keep verifying. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
    this.#keys.push({ kid, privateJwk, publicJwk, createdAt: new Date().toISOString() });
    if (this.#file !== undefined) {
      mkdirSync(dirname(this.#file), { recursive: true });
      writeFileSync(this.#file, JSON.stringify(this.#keys, null, 2), { mode: 0o600 });
    }
    return kid;
  }

  /** Drops a key: tokens it signed stop verifying. */
  retire(kid: string): void {
    const i = this.#keys.findIndex((k) => k.kid === kid);
    if (i >= 0) this.#keys.splice(i, 1);
  }

  /** The public keys, as a JWKS document. */
  jwks(): { keys: JWK[] } {
    return { keys: this.#keys.map((k) => k.publicJwk) };
  }

  /** Signs claims with the newest key. */
  async sign(
    claims: JWTPayload,
    o: { issuer: string; audience?: string; subject?: string; expiresIn: string | number; notBefore?: number },
  ): Promise<string> {
    const key = this.#keys.at(-1);
    if (key === undefined) throw new Error('the key ring is empty');
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
      .setIssuer(o.issuer)
      .setIssuedAt()
      .setExpirationTime(o.expiresIn);
    if (o.audience !== undefined) jwt = jwt.setAudience(o.audience);
    if (o.subject !== undefined) jwt = jwt.setSubject(o.subject);
    if (o.notBefore !== undefined) jwt = jwt.setNotBefore(o.notBefore);
    return jwt.sign(await importJWK(key.privateJwk, ALG));
  }
}
