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
import { GetihuError } from '../lib/errors.js';

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

  /**
   * A ring given as the JSON `serialize` writes (GETIHU_BADGE_KEYS: the same ring for every
   * replica, from the operator's secret store). Kept in memory: rotating means giving a new one.
   */
  static fromJson(text: string, name: string): KeyRing {
    let keys: unknown;
    try {
      keys = JSON.parse(text);
    } catch {
      throw new GetihuError('INVALID_CONFIG', `${name}: not JSON (expected the output of \`cli keys new\`)`);
    }
    const valid = (k: unknown): k is StoredKey => {
      const x = k as Partial<StoredKey> | null;
      return typeof x?.kid === 'string' && typeof x.privateJwk?.d === 'string' && typeof x.publicJwk?.x === 'string';
    };
    if (!Array.isArray(keys) || keys.length === 0 || !keys.every(valid))
      throw new GetihuError(
        'INVALID_CONFIG',
        `${name}: expected a non-empty list of keys, each with kid, privateJwk and publicJwk`,
      );
    return new KeyRing(keys);
  }

  /** The ring as JSON, private keys included (for the operator's secret store). */
  serialize(): string {
    return JSON.stringify(this.#keys);
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
    o: {
      issuer: string;
      audience?: string | string[];
      subject?: string;
      expiresIn: string | number;
      notBefore?: number;
      /** When it was issued (seconds since the epoch); now by default. */
      issuedAt?: number;
      /** The header's `typ` (default `JWT`). */
      typ?: string;
      /** A unique id for the token (`jti`). */
      jti?: string;
    },
  ): Promise<string> {
    const key = this.#keys.at(-1);
    if (key === undefined) throw new Error('the key ring is empty');
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ: o.typ ?? 'JWT' })
      .setIssuer(o.issuer)
      .setIssuedAt(o.issuedAt)
      .setExpirationTime(o.expiresIn);
    if (o.audience !== undefined) jwt = jwt.setAudience(o.audience);
    if (o.subject !== undefined) jwt = jwt.setSubject(o.subject);
    if (o.notBefore !== undefined) jwt = jwt.setNotBefore(o.notBefore);
    if (o.jti !== undefined) jwt = jwt.setJti(o.jti);
    return lowS(await jwt.sign(await importJWK(key.privateJwk, ALG)));
  }
}

/** The order of P-256: ECDSA's s and n − s both verify; the gateway issues and accepts the lower. */
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** A signed JWT with its ES256 signature in low-s form (the same signature, the one canonical string). */
export function lowS(jwt: string): string {
  const [h, p, seg] = jwt.split('.') as [string, string, string];
  const sig = Buffer.from(seg, 'base64url');
  const sValue = BigInt(`0x${sig.subarray(32).toString('hex')}`);
  if (sValue <= P256_N >> 1n) return jwt;
  const low = Buffer.from((P256_N - sValue).toString(16).padStart(64, '0'), 'hex');
  return `${h}.${p}.${Buffer.concat([sig.subarray(0, 32), low]).toString('base64url')}`;
}
