/**
 * What every route module of the gateway shares: the options, the audit, the decision cache, the
 * jurisdiction checks, the body parsers, and `authed(roles)(handler)`, which refuses (and audits)
 * a caller of another role and hands the handler its principal.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import { LRUCache } from 'lru-cache';
import { Batcher } from '../lib/batch.js';
import { type Config, checksumAllowSet, parseConfig } from '../lib/config.js';
import { requireIndividualBusinessCode } from '../lib/creditCode.js';
import { chinaDate } from '../lib/dates.js';
import { GetihuError } from '../lib/errors.js';
import type { Consent, ConsentScope, RecognitionRow, Store } from '../lib/store/index.js';
import { type CatalogueBook, loadCatalogueBook, RuleBook } from '../matchers/index.js';
import type { JobRunner, PipelineContext } from '../pipeline/index.js';
import { recordAudit } from './audit.js';
import { allow, type Principal, type Role, type TokenVerifier } from './auth.js';
import type { DecisionCache, Snapshot, TagsSnapshot } from './cache.js';
import { type Today, todayAt } from './calendar.js';
import { CorrectionStreams } from './correctionFeeds.js';
import { ACTION_LEVELS, actsAtLevel, mayActOn, type Target } from './jurisdiction.js';
import type { KeyRing } from './keys.js';
import { type BankPurpose, bankPurpose } from './requests.js';
import { inSeries } from './series.js';
import type { Origin, SecretBox } from './webhooks.js';

/** What the gateway needs. */
export interface GatewayOptions {
  readonly store: Store;
  /** The pipeline, for agencies' pushes (absent: the push endpoint answers 503). */
  readonly pipeline?: PipelineContext;
  /** Where regulators' jobs run (absent: their routes answer 503). */
  readonly jobs?: JobRunner;
  /** The service's configuration (default: the pipeline's, else the defaults). */
  readonly config?: Config;
  /** The rule sets (default: the pipeline's, else those of `config.rulesDir`). */
  readonly ruleBook?: RuleBook;
  readonly verify: TokenVerifier;
  readonly badgeKeys: KeyRing;
  /** Signs the audit chain's checkpoints (gateway/checkpoints.ts); none: the checkpoint routes answer 503. */
  readonly checkpointKeys?: KeyRing;
  readonly issuer: string;
  readonly requestsPerMinute?: number;
  /** Register searches an address (or a subject) may make per minute (default 30). */
  readonly searchesPerMinute?: number;
  /** Failed authentications an address may make per minute before it is refused outright (default 60). */
  readonly failedAuthPerMinute?: number;
  /** The ingress in front, as express's `trust proxy` takes it (a hop count, addresses or subnets); none: no proxy is trusted. */
  readonly trustProxy?: boolean | number | string;
  readonly now?: () => Date;
  /** Where banks may have corrections delivered (see gateway/webhooks.ts); none: no webhooks. */
  readonly webhookOrigins?: readonly Origin[];
  /** Seals webhook secrets for the store (see gateway/webhooks.ts); none: no webhooks. */
  readonly webhookSecrets?: SecretBox;
  /**
   * The regulator's console signs in at the identity provider (OIDC authorisation code with PKCE)
   * as this public client; none: the console takes a pasted token (development).
   */
  readonly consoleSignIn?: ConsoleSignIn;
}

/** The identity provider the console signs in at, and as which client. */
export interface ConsoleSignIn {
  /** The provider's issuer: its discovery document is `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** The console's client id at the provider (a public client: no secret, PKCE). */
  readonly clientId: string;
  /** The resource indicator (RFC 8707) the console asks a token for, when the provider needs one. */
  readonly resource?: string;
}

/** The parts every route module uses, built once per gateway by `gatewayParts`. */
export interface GatewayParts {
  readonly o: GatewayOptions;
  readonly now: () => Date;
  /** Today in China by the gateway's clock: what every date a caller gives is bounded by (gateway/calendar.ts). */
  today(): Today;
  readonly ruleBook: RuleBook;
  /** The measure catalogues (精准帮扶) of `config.rulesDir`. */
  readonly catalogues: CatalogueBook;
  /** Genuine credit codes that fail a checksum, admitted by the configuration: accepted on every route. */
  readonly allowCodes: ReadonlySet<string>;
  readonly cache: DecisionCache;
  /** The correction streams open on this gateway, every role's together. */
  readonly streams: CorrectionStreams;
  /** Bodies of up to 16 KB, and an agency's feed batch of up to 5 MB. */
  readonly smallJson: RequestHandler;
  readonly feedJson: RequestHandler;
  /** A business's decision and recognition, through the cache. */
  snapshot(code: string): Promise<Snapshot>;
  /** What a bank's tags read of a business, through the cache. */
  tags(code: string): Promise<TagsSnapshot>;
  /** Writes an audit entry of the caller's request. */
  audit(req: Request, action: string, creditCode: string | null, outcome: string, purpose?: string | null): Promise<void>;
  /**
   * The authorisation `bank` holds from `creditCode` for `purpose` today, if any. Looked up in
   * the store and kept for at most CONSENT_CACHE_MS; a grant or a revocation through this gateway
   * takes effect at once (`consentChanged`), through another replica within that time.
   */
  consentFor(bank: string, creditCode: string, purpose: string): Promise<Consent | null>;
  consentChanged(creditCode: string): void;
  /**
   * A bank's read of what only an authorisation opens (`scope`): the purpose from the query (a 400
   * without one) and the authorisation that holds for it; without one the refusal is audited under
   * `action` and answered 403, saying what (`what`) the business has not authorised.
   */
  authorisedRead(
    req: Request,
    p: Principal,
    creditCode: string,
    scope: ConsentScope,
    action: string,
    what: string,
  ): Promise<{ purpose: BankPurpose; consent: Consent }>;
  /** The recognition, when it is active today (China time). */
  activeRecognition(r: RecognitionRow | null): RecognitionRow | null;
  /**
   * The handlers of a route for `roles`: the role check (a refusal of a valid token is audited,
   * F9), then `middleware` (a body parser, a scope check), then `handler` with the caller's principal.
   */
  authed(roles: readonly Role[], ...middleware: RequestHandler[]): (handler: AuthedHandler) => RequestHandler[];
  /** The handler of a route anyone may call (a token, when sent, must still be valid). */
  open(handler: (req: Request, res: Response) => Promise<void>): RequestHandler;
  /**
   * The business a request is about, when the caller is that business (token subject = its credit
   * code): `text` is checked as `creditCode`; anyone else is refused with `refusal`, audited as `action`.
   */
  ownBusiness(req: Request, p: Principal, text: unknown, action: string, refusal: string): Promise<string>;
  /** Refuses (and audits) a regulator acting outside its region (gateway/jurisdiction.ts). */
  requireJurisdiction(req: Request, target: Target, action: string, creditCode?: string | null): Promise<void>;
  /**
   * Refuses (and audits, as `audited`) a caller below the level the texts give `action`
   * (gateway/jurisdiction.ts ACTION_LEVELS), naming the clause.
   */
  requireLevel(req: Request, action: string, audited: string, creditCode?: string | null): Promise<void>;
  requireBusinessInRegion(req: Request, creditCode: string, action: string): Promise<void>;
}

/** How long a looked-up authorisation is trusted before it is looked up again. */
export const CONSENT_CACHE_MS = 5_000;

/** A route's handler, given the authenticated caller. */
export type AuthedHandler = (req: Request, res: Response, principal: Principal) => Promise<void>;

/** The caller of a request that passed `authed`. */
export function principalOf(req: Request): Principal {
  if (req.principal === undefined) throw new GetihuError('UNAUTHENTICATED', 'a bearer token is required');
  return req.principal;
}

/** The credit code in the path, checked. */
export function creditCodeParam(req: Request, allowCodes: ReadonlySet<string>): string {
  return requireIndividualBusinessCode(req.params.code ?? '', 'code', allowCodes).code;
}

const wrap =
  (fn: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req, res, next) => {
    fn(req, res).catch(next);
  };

/** Builds the parts of one gateway. */
export function gatewayParts(o: GatewayOptions, cache: DecisionCache): GatewayParts {
  const now = o.now ?? (() => new Date());
  // The rule sets of the service's configuration, loaded once (the pipeline's, when there is one).
  const ruleBook = o.ruleBook ?? o.pipeline?.ruleBook ?? RuleBook.load(o.config?.rulesDir);
  const allowCodes = checksumAllowSet(o.config ?? o.pipeline?.config ?? parseConfig({}));
  const audit = async (
    req: Request,
    action: string,
    creditCode: string | null,
    outcome: string,
    purpose: string | null = null,
  ) => {
    await recordAudit(o.store, {
      subject: req.principal?.subject ?? 'anonymous',
      role: req.principal?.role ?? 'none',
      action,
      purpose,
      creditCode,
      outcome,
    });
  };
  const requireJurisdiction = async (req: Request, target: Target, action: string, creditCode: string | null = null) => {
    if (await mayActOn(o.store, principalOf(req), target)) return;
    await audit(req, action, creditCode, 'denied');
    throw new GetihuError('FORBIDDEN', `this ${principalOf(req).role} may not act outside its region`);
  };
  // What the store is asked on a cache miss goes in one statement with the other requests' misses
  // of the moment: the embedded store's cost is mostly per statement (measured: 2,500 single
  // lookups/s, 11,000/s in batches of 25).
  const batched = { maxBatch: 200, maxInFlight: 2, flushAt: 25 };
  const tagsLoader = new Batcher((codes: readonly string[]) => o.store.creditTagsOf(codes), batched);
  const snapshotLoader = new Batcher((codes: readonly string[]) => o.store.decisionsAndRecognitionsOf(codes), batched);
  const consentLoader = new Batcher(
    (asked: readonly { bank: string; creditCode: string; purpose: string }[]) =>
      o.store.consents.activeOf(asked, chinaDate(now())),
    batched,
  );
  // Authorisations by bank, business and purpose (null: none), dropped per business on a change here.
  const consents = new LRUCache<string, { c: Consent | null }>({ max: 100_000, ttl: CONSENT_CACHE_MS });
  const parts: GatewayParts = {
    o,
    now,
    today: () => todayAt(now()),
    consentFor: async (bank, creditCode, purpose) => {
      const key = `${bank}\u0000${creditCode}\u0000${purpose}`;
      const hit = consents.get(key);
      if (hit !== undefined && (hit.c === null || hit.c.expiresOn >= chinaDate(now()))) return hit.c;
      const c = await consentLoader.add({ bank, creditCode, purpose });
      consents.set(key, { c });
      return c;
    },
    authorisedRead: async (req, p, creditCode, scope, action, what) => {
      const purpose = bankPurpose(req.query);
      const consent = await parts.consentFor(p.subject, creditCode, purpose);
      if (consent === null || !consent.scope.includes(scope)) {
        await audit(req, action, creditCode, 'denied: no authorisation', purpose);
        throw new GetihuError(
          'FORBIDDEN',
          `the business has not authorised this bank to read ${what} for ${purpose}: it grants that with POST /v1/consents (scope ${scope})`,
        );
      }
      return { purpose, consent };
    },
    // Grants and revocations are rare: going over the cached keys for the business is cheap enough.
    consentChanged: (creditCode) => {
      const part = `\u0000${creditCode}\u0000`;
      for (const k of [...consents.keys()]) if (k.includes(part)) consents.delete(k);
    },
    ruleBook,
    catalogues: loadCatalogueBook(o.config?.rulesDir ?? undefined),
    allowCodes,
    cache,
    streams: new CorrectionStreams(),
    smallJson: express.json({ limit: '16kb', strict: true }),
    feedJson: express.json({ limit: '5mb', strict: true }),
    snapshot: async (code) => {
      let s = cache.get(code);
      if (s === undefined) {
        s = await snapshotLoader.add(code);
        cache.set(code, s);
      }
      return s;
    },
    tags: async (code) => {
      let s = cache.getTags(code);
      if (s === undefined) {
        s = await tagsLoader.add(code);
        cache.setTags(code, s);
      }
      return s;
    },
    audit,
    activeRecognition: (r) => (r !== null && r.status === 'active' && r.validUntil >= chinaDate(now()) ? r : null),
    authed:
      (roles, ...middleware) =>
      (handler) => [
        // One handler of the route (gateway/series.ts): the router steps through a route's
        // handlers one dispatch each, and every authenticated request passes all of these.
        inSeries([
          allow(roles, [], (req, reason) =>
            audit(
              req,
              'access.denied',
              null,
              `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? '?'}: ${reason}`,
            ),
          ),
          ...middleware,
          wrap((req, res) => handler(req, res, principalOf(req))),
        ]),
      ],
    open: wrap,
    ownBusiness: async (req, p, text, action, refusal) => {
      const code = requireIndividualBusinessCode(typeof text === 'string' ? text : '', 'creditCode', allowCodes).code;
      if (p.subject === code) return code;
      await audit(req, action, code, 'denied');
      throw new GetihuError('FORBIDDEN', `${refusal} (token subject = its credit code)`);
    },
    requireJurisdiction,
    requireLevel: async (req, action, audited, creditCode = null) => {
      if (actsAtLevel(principalOf(req), action)) return;
      await audit(req, audited, creditCode, 'denied: level');
      const need = ACTION_LEVELS[action];
      throw new GetihuError(
        'FORBIDDEN',
        `this is done by a ${need?.level ?? 'higher'}-level regulator, not a district's (${need?.clause ?? ''})`,
      );
    },
    requireBusinessInRegion: (req, creditCode, action) =>
      requireJurisdiction(req, { kind: 'business', creditCode }, action, creditCode),
  };
  return parts;
}
