/**
 * The HTTP API (express + helmet + jose). Each role sees only what it needs; every non-public
 * read or write is audited; one error shape; versioned paths.
 */

import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { FEEDS } from '../connectors/index.js';
import { ingestRecords } from '../connectors/ingest.js';
import { type Config, checksumAllowSet, parseConfig } from '../lib/config.js';
import { requireIndividualBusinessCode } from '../lib/creditCode.js';
import { chinaDate, formatIsoDate, parseIsoDate, tryParseIsoDate } from '../lib/dates.js';
import { type ErrorCode, GetihuError } from '../lib/errors.js';
import { programmeRegionOf } from '../lib/regions.js';
import type { CorrectionPosition, JobRow, RecognitionRow, Store, StoredDecision } from '../lib/store/store.js';
import { benefitsFrom } from '../matchers/mtyx/calendar.js';
import { refuseRecognition, revokeRecognition, sweepBadges } from '../matchers/reconciler/badges.js';
import { decisionIdOf } from '../matchers/reconciler/decide.js';
import type { JobRunner, JobSpec } from '../matchers/reconciler/jobs.js';
import type { PipelineContext } from '../matchers/reconciler/reconciler.js';
import { runTyping, topicName } from '../matchers/reconciler/reconciler.js';
import { runRecognition } from '../matchers/reconciler/round.js';
import { RuleBook } from '../matchers/ruleSet.js';
import { basicStandardMet, TYPE_LABELS as LABELS, type TypingDecision } from '../matchers/typing.js';
import { recordAudit, verifyAudit } from './audit.js';
import { allow, authenticate, FailedAuthLimiter, type Principal, type Role } from './auth.js';
import { correctionsAfter, encodeCorrectionCursor, positionOf, startingPosition, TAG_READ_ACTION } from './corrections.js';
import { errorHandler, HTTP_STATUS, sendError } from './errors.js';
import { covers, mayActOn, regionOfBusiness, type Target } from './jurisdiction.js';
import type { KeyRing } from './keys.js';
import { metricsHandler, requestLog } from './observe.js';
import { openApiDocument, renderDocs } from './openapi.js';
import { checkTransfer, transferRequest } from './transfer.js';
import { checkWebhookUrl, newWebhookSecret, type Origin, publicWebhook, resolveTarget, type SecretBox } from './webhooks.js';

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
  readonly verify: (token: string) => Promise<Principal>;
  readonly badgeKeys: KeyRing;
  readonly issuer: string;
  readonly requestsPerMinute?: number;
  /** Register searches an address (or a subject) may make per minute (default 30). */
  readonly searchesPerMinute?: number;
  /** Failed authentications an address may make per minute before it is refused outright (default 60). */
  readonly failedAuthPerMinute?: number;
  readonly now?: () => Date;
  /** Where banks may have corrections delivered (see gateway/webhooks.ts); none: no webhooks. */
  readonly webhookOrigins?: readonly Origin[];
  /** Seals webhook secrets for the store (see gateway/webhooks.ts); none: no webhooks. */
  readonly webhookSecrets?: SecretBox;
}

/** Purposes a bank may give for reading credit tags (授信评价, 产品匹配, 预授信; 002 附件 二(七)). */
/** How long a badge token verifies: a day (F8). */
export const BADGE_TOKEN_SECONDS = 86_400;
/** The audience and header type of badge tokens: not access tokens, and not to be taken for them. */
export const BADGE_AUDIENCE = 'getihu-badge';
export const BADGE_TYP = 'badge+jwt';

export const BANK_PURPOSES = ['credit-assessment', 'product-matching', 'pre-approval'] as const;

interface Snapshot {
  readonly decision: StoredDecision | null;
  readonly recognition: RecognitionRow | null;
}

/** The decision cache: invalidate a code whenever a decision or recognition event about it arrives. */
export class DecisionCache {
  readonly #lru = new LRUCache<string, Snapshot>({ max: 100_000, ttl: 60_000 });
  readonly #listeners = new Set<() => void>();
  invalidate(code: string): void {
    this.#lru.delete(code);
    for (const l of this.#listeners) l();
  }
  /** Calls `fn` on every invalidation (something changed); returns how to stop. */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => {
      this.#listeners.delete(fn);
    };
  }
  get(code: string): Snapshot | undefined {
    return this.#lru.get(code);
  }
  set(code: string, s: Snapshot): void {
    this.#lru.set(code, s);
  }
}

/** Open correction streams a bank may hold at once. */
export const MAX_STREAMS_PER_SUBJECT = 4;
/** Correction streams one gateway holds open at most, all banks together (F4). */
export const MAX_STREAMS = 64;
/** Corrections per answer (the store's page). */
const CORRECTIONS_PAGE = 500;

const wrap =
  (fn: (req: Request, res: Response) => Promise<void>) =>
  (req: Request, res: Response, next: NextFunction): void => {
    fn(req, res).catch(next);
  };

function creditCodeParam(req: Request, allow: ReadonlySet<string>): string {
  return requireIndividualBusinessCode(req.params.code ?? '', 'code', allow).code;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Whether a JSON value nests objects or arrays deeper than `limit` (checked without recursion). */
function nestedDeeperThan(v: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length > 0) {
    const [x, d] = stack.pop() as [unknown, number];
    if (x === null || typeof x !== 'object') continue;
    if (d > limit) return true;
    for (const y of Object.values(x)) stack.push([y, d + 1]);
  }
  return false;
}

/** Builds the express app. */
export function createGateway(o: GatewayOptions, cache = new DecisionCache()): express.Express {
  const app = express();
  const now = o.now ?? (() => new Date());
  // The rule sets of the service's configuration, loaded once (the pipeline's, when there is one).
  const ruleBook = o.ruleBook ?? o.pipeline?.ruleBook ?? RuleBook.load(o.config?.rulesDir);
  // Genuine credit codes that fail a checksum, admitted by the configuration: accepted on every route.
  const allowCodes = checksumAllowSet(o.config ?? o.pipeline?.config ?? parseConfig({}));
  app.disable('x-powered-by');
  // Answers are per caller and audited: no ETag (it would hash every body) and no caching on the
  // way (a shared cache must not hand one bank's answer to another, nor keep a corrected one).
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(requestLog());
  app.use(helmet());
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // Failed authentications count per address (F5), before any signature is checked.
  app.use(authenticate(o.verify, new FailedAuthLimiter(o.failedAuthPerMinute ?? 60)));
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: o.requestsPerMinute ?? 600,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      keyGenerator: (req) =>
        req.principal === undefined ? `ip:${ipKeyGenerator(req.ip ?? '')}` : `sub:${req.principal.role}:${req.principal.subject}`,
      handler: (_req, res) => sendError(res, 'RATE_LIMITED', 'too many requests; slow down'),
    }),
  );
  const smallJson = express.json({ limit: '16kb', strict: true });
  const feedJson = express.json({ limit: '5mb', strict: true });

  const snapshot = async (code: string): Promise<Snapshot> => {
    let s = cache.get(code);
    if (s === undefined) {
      s = await o.store.decisionAndRecognition(code);
      cache.set(code, s);
    }
    return s;
  };
  const audit = (req: Request, action: string, creditCode: string | null, outcome: string, purpose: string | null = null) =>
    recordAudit(o.store, {
      subject: req.principal?.subject ?? 'anonymous',
      role: req.principal?.role ?? 'none',
      action,
      purpose,
      creditCode,
      outcome,
    });
  // Every refusal of a caller with a valid token is audited (F9), with the route it asked for.
  const allowed = (roles: readonly Role[], scopes: readonly string[] = []) =>
    allow(roles, scopes, (req, reason) =>
      audit(req, 'access.denied', null, `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? '?'}: ${reason}`),
    );
  const activeRecognition = (r: RecognitionRow | null) =>
    r !== null && r.status === 'active' && r.validUntil >= chinaDate(now()) ? r : null;

  // The router tries routes in the order they are added: the lookup banks make at volume comes first.
  // Banks: credit-assessment tags, with a purpose; never raw amounts or headcounts.
  const purposeQuery = z.object({ purpose: z.enum(BANK_PURPOSES) }).strict();
  app.get(
    '/v1/credit-tags/:code',
    allowed(['bank']),
    wrap(async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      const q = purposeQuery.safeParse(req.query);
      if (!q.success) throw new GetihuError('INVALID_ARGUMENT', `purpose is required: one of ${BANK_PURPOSES.join(', ')}`);
      const s = await snapshot(code);
      if (s.decision === null) {
        await audit(req, TAG_READ_ACTION, code, 'not-found', q.data.purpose);
        throw new GetihuError('NOT_FOUND', 'no decision for that credit code');
      }
      const reasons = s.decision.reasons as { criterion: string; met: boolean }[];
      const met = (id: string) => reasons.find((r) => r.criterion === id)?.met ?? false;
      const rec = activeRecognition(s.recognition);
      await audit(req, TAG_READ_ACTION, code, 'ok', q.data.purpose);
      res.json({
        creditCode: code,
        type: s.decision.type,
        label: s.decision.label,
        mtyx: rec === null ? null : { category: rec.category, validFrom: rec.validFrom, validUntil: rec.validUntil },
        basicStandard: {
          typing: basicStandardMet(reasons),
          mtyx: s.decision.mtyxBasicEligible,
          noExcludingPenalty: met('mtyx.penalty'),
          operatorNotOnCourtList: met('mtyx.court'),
        },
        ruleset: s.decision.ruleset,
        asOf: s.decision.asOf,
      });
    }),
  );

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  // Ready: the store answers, and the bus when there is one. A load balancer takes a replica whose
  // store or broker is down out of rotation (503 UNAVAILABLE) and back once they answer again.
  app.get(
    '/readyz',
    wrap(async (_req, res) => {
      await o.store.ping();
      if (o.pipeline !== undefined) await o.pipeline.bus.partitions(topicName(o.pipeline, 'typing'));
      res.json({ ok: true, store: 'up', bus: o.pipeline === undefined ? 'none' : 'up' });
    }),
  );
  app.get('/metrics', metricsHandler());
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(renderDocs(openApiDocument()));
  });
  app.get('/.well-known/jwks.json', (_req, res) => {
    // Shop pages verify badges offline against these keys: let them be cached for a while.
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(o.badgeKeys.jwks());
  });

  // Public register: what the national register shows, by code or by (partial) name.
  // The public register is public (F13): like the national register, anyone may look a business
  // up, with or without an account; a token, when sent, must still be valid. Searching by name is
  // bounded per address (or subject) so the register cannot be harvested through it.
  const openToAll = (_req: Request, _res: Response, next: NextFunction): void => next();
  const searchLimit = rateLimit({
    windowMs: 60_000,
    limit: o.searchesPerMinute ?? 30,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) =>
      req.principal === undefined ? `search:ip:${ipKeyGenerator(req.ip ?? '')}` : `search:sub:${req.principal.subject}`,
    handler: (_req, res) => sendError(res, 'RATE_LIMITED', 'too many searches; the register is searched, not listed'),
  });
  app.get(
    '/v1/public/businesses/:code',
    openToAll,
    wrap(async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      const [b, s] = [await o.store.business(code), await snapshot(code)];
      if (b === null && s.decision === null) throw new GetihuError('NOT_FOUND', 'no business with that credit code');
      const rec = activeRecognition(s.recognition);
      res.json({
        creditCode: code,
        name: b?.name ?? null,
        region: b?.region ?? s.decision?.region ?? null,
        type: s.decision?.type ?? null,
        label: s.decision?.label ?? null,
        asOf: s.decision?.asOf ?? null,
        recognition: rec === null ? null : { category: rec.category, validUntil: rec.validUntil },
      });
    }),
  );
  const searchQuery = z
    .object({
      name: z
        .string()
        .trim()
        .min(2)
        .max(50)
        .refine((n) => !CONTROL_CHARACTERS.test(n), 'no control characters'),
    })
    .strict();
  app.get(
    '/v1/public/search',
    openToAll,
    searchLimit,
    wrap(async (req, res) => {
      const q = searchQuery.safeParse(req.query);
      if (!q.success) throw new GetihuError('INVALID_ARGUMENT', 'give name=… (2 to 50 characters) and nothing else');
      const found = await o.store.searchBusinesses(q.data.name, 20);
      const results = [];
      for (const b of found) {
        const s = await snapshot(b.creditCode);
        results.push({
          creditCode: b.creditCode,
          name: b.name,
          region: b.region,
          type: s.decision?.type ?? null,
          label: s.decision?.label ?? null,
        });
      }
      res.json({ results });
    }),
  );

  // Banks are told of corrections to tags they fetched: a feed read from where the bank left off
  // (`cursor` of the previous answer) or from a point in time (`since`), or pushed as they happen
  // over a server-sent event stream.
  const correctionsQuery = z
    .object({ since: z.iso.datetime().optional(), cursor: z.string().max(200).optional() })
    .strict()
    .refine((q) => q.since === undefined || q.cursor === undefined);
  const correctionsFrom = (req: Request): CorrectionPosition => {
    const q = correctionsQuery.safeParse(req.query);
    // A reconnecting event stream says where it stood in Last-Event-ID.
    const resume = req.get('last-event-id');
    const asked = q.success ? startingPosition(resume ?? q.data.cursor, q.data.since) : null;
    // Neither a cursor nor a time: from the beginning.
    const after = asked === undefined ? { recordedAt: '1970-01-01T00:00:00.000Z', creditCode: '', kind: 0 as const } : asked;
    if (after === null)
      throw new GetihuError(
        'INVALID_ARGUMENT',
        'give either cursor (from the previous answer) or since (an ISO timestamp), or neither to start from the beginning',
      );
    return after;
  };
  app.get(
    '/v1/credit-tags-corrections',
    allowed(['bank']),
    wrap(async (req, res) => {
      const after = correctionsFrom(req);
      const p = req.principal as Principal;
      const corrections = await correctionsAfter(o.store, p.subject, after, CORRECTIONS_PAGE);
      await audit(req, 'credit-tags.corrections', null, `${corrections.length}`);
      const last = corrections.at(-1);
      res.json({ corrections, cursor: encodeCorrectionCursor(last === undefined ? after : positionOf(last)) });
    }),
  );
  const streams = new Map<string, number>();
  /** Correction streams open on this gateway, all subjects together. */
  let openStreams = 0;
  app.get(
    '/v1/credit-tags-corrections/stream',
    allowed(['bank']),
    wrap(async (req, res) => {
      let after = correctionsFrom(req);
      const p = req.principal as Principal;
      const open = streams.get(p.subject) ?? 0;
      if (open >= MAX_STREAMS_PER_SUBJECT)
        throw new GetihuError('RATE_LIMITED', `at most ${MAX_STREAMS_PER_SUBJECT} open correction streams per subject`);
      if (openStreams >= MAX_STREAMS)
        throw new GetihuError('RATE_LIMITED', 'the gateway holds as many correction streams as it serves; try again shortly');
      // The slot is taken and its release armed in the same turn (F4): a client that leaves while
      // the audit is written gives its slot back, never keeps it.
      streams.set(p.subject, open + 1);
      openStreams++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        openStreams--;
        const n = (streams.get(p.subject) ?? 1) - 1;
        if (n <= 0) streams.delete(p.subject);
        else streams.set(p.subject, n);
      };
      req.on('close', release);
      try {
        await audit(req, 'credit-tags.corrections.stream', null, 'open');
      } catch (err) {
        release();
        throw err;
      }
      if (req.destroyed) return release();
      res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
      res.flushHeaders();
      let closed = false;
      let checking = false;
      let again = false;
      // Sends what changed since `after`; a change signalled while a check runs starts another.
      const check = async (): Promise<void> => {
        if (closed) return;
        if (checking) {
          again = true;
          return;
        }
        checking = true;
        try {
          do {
            again = false;
            const list = await correctionsAfter(o.store, p.subject, after, CORRECTIONS_PAGE);
            if (list.length === 0 || closed) break;
            await audit(req, 'credit-tags.corrections', null, `${list.length} pushed`);
            for (const c of list) {
              after = positionOf(c);
              res.write(`id: ${encodeCorrectionCursor(after)}\nevent: correction\ndata: ${JSON.stringify(c)}\n\n`);
            }
            again ||= list.length === CORRECTIONS_PAGE;
          } while (again && !closed);
        } catch {
          if (!closed) res.write('event: unavailable\ndata: {"code":"UNAVAILABLE"}\n\n');
        } finally {
          checking = false;
        }
      };
      // A decision or badge event reaches the gateway's cache about when the sink records it:
      // look shortly after, and again a little later in case the sink was behind.
      const timers = new Set<NodeJS.Timeout>();
      const checkIn = (ms: number) => {
        const t = setTimeout(() => {
          timers.delete(t);
          void check();
        }, ms);
        timers.add(t);
      };
      let signalled = false;
      const stopListening = cache.onChange(() => {
        if (signalled) return;
        signalled = true;
        setTimeout(() => {
          signalled = false;
        }, 250);
        checkIn(300);
        checkIn(2000);
      });
      const heartbeat = setInterval(() => {
        res.write(': keep-alive\n\n');
        void check();
      }, 15_000);
      req.on('close', () => {
        closed = true;
        stopListening();
        clearInterval(heartbeat);
        for (const t of timers) clearTimeout(t);
      });
      await check();
    }),
  );

  // Or delivered to the bank's own endpoint, signed, until it acknowledges (gateway/webhooks.ts).
  const webhookBody = z
    .object({ url: z.string().max(2000), cursor: z.string().max(200).optional(), since: z.iso.datetime().optional() })
    .strict()
    .refine((b) => b.since === undefined || b.cursor === undefined, 'give cursor or since, not both');
  app.put(
    '/v1/credit-tags-corrections/webhook',
    allowed(['bank']),
    smallJson,
    wrap(async (req, res) => {
      const b = webhookBody.safeParse(req.body);
      if (!b.success)
        throw new GetihuError(
          'INVALID_INPUT',
          'expected {"url": "https://…", "cursor"?: "…"} or {"url", "since"?: ISO timestamp}',
        );
      const sealer = o.webhookSecrets;
      if (sealer === undefined) throw new GetihuError('UNAVAILABLE', 'this gateway does not deliver webhooks');
      const url = checkWebhookUrl(b.data.url, o.webhookOrigins ?? []);
      // A listed name that resolves to a loopback or private address is refused here too (F6).
      if ((await resolveTarget(url, o.webhookOrigins ?? [])) === 'the endpoint resolves to an address that is not public')
        throw new GetihuError('FORBIDDEN', 'url: that host resolves to an address that is not public');
      // By default, from now on: what changed before, the bank can read from the feed.
      const from = startingPosition(b.data.cursor, b.data.since);
      if (from === null) throw new GetihuError('INVALID_ARGUMENT', 'cursor: not one this gateway gave');
      const p = req.principal as Principal;
      const had = (await o.store.webhook(p.subject)) !== null;
      const secret = newWebhookSecret();
      const w = await o.store.putWebhook({
        subject: p.subject,
        id: randomUUID(),
        url: url.href,
        secret: sealer.seal(secret, p.subject),
        ...(from ? { from } : {}),
      });
      await audit(req, 'credit-tags.corrections.webhook.register', null, url.origin);
      // The secret is shown this once; registering again makes a new one.
      res.status(had ? 200 : 201).json({ ...publicWebhook(w), secret });
    }),
  );
  app.get(
    '/v1/credit-tags-corrections/webhook',
    allowed(['bank']),
    wrap(async (req, res) => {
      const w = await o.store.webhook((req.principal as Principal).subject);
      await audit(req, 'credit-tags.corrections.webhook.read', null, w === null ? 'none' : 'ok');
      if (w === null) throw new GetihuError('NOT_FOUND', 'no webhook is registered');
      res.json(publicWebhook(w));
    }),
  );
  app.delete(
    '/v1/credit-tags-corrections/webhook',
    allowed(['bank']),
    wrap(async (req, res) => {
      if (!(await o.store.deleteWebhook((req.principal as Principal).subject)))
        throw new GetihuError('NOT_FOUND', 'no webhook is registered');
      await audit(req, 'credit-tags.corrections.webhook.remove', null, 'ok');
      res.status(204).end();
    }),
  );

  // Platforms: the badge as a signed, offline-verifiable token, and its status.
  app.get(
    '/v1/badges/:code',
    allowed(['platform']),
    wrap(async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      const rec = activeRecognition((await snapshot(code)).recognition);
      if (rec === null) {
        await audit(req, 'badge.read', code, 'none');
        throw new GetihuError('NOT_FOUND', 'no active 名特优新 recognition for that credit code');
      }
      // Short-lived (F8): a badge token lives a day at most (never past the recognition's last
      // day), so a revoked badge stops verifying within a day of its revocation; platforms fetch
      // it again daily, or check its status reference. Typed, with its audience and its own id.
      const end = Math.floor(Date.parse(`${rec.validUntil}T23:59:59+08:00`) / 1000);
      const exp = Math.min(end, Math.floor(now().getTime() / 1000) + BADGE_TOKEN_SECONDS);
      const benefits = formatIsoDate(benefitsFrom(parseIsoDate(rec.validFrom)));
      const token = await o.badgeKeys.sign(
        {
          category: rec.category,
          validFrom: rec.validFrom,
          validUntil: rec.validUntil,
          benefitsFrom: benefits,
          badge: 'mtyx',
          status: `/v1/badges/${code}/status`,
        },
        {
          issuer: o.issuer,
          audience: BADGE_AUDIENCE,
          subject: code,
          expiresIn: exp,
          issuedAt: Math.floor(now().getTime() / 1000),
          typ: BADGE_TYP,
          jti: randomUUID(),
        },
      );
      await audit(req, 'badge.read', code, 'ok');
      res.json({
        creditCode: code,
        category: rec.category,
        validFrom: rec.validFrom,
        validUntil: rec.validUntil,
        benefitsFrom: benefits,
        token,
        jwks: '/.well-known/jwks.json',
      });
    }),
  );
  app.get(
    '/v1/badges/:code/status',
    allowed(['platform', 'public']),
    wrap(async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      const r = (await snapshot(code)).recognition;
      const status = r === null ? 'none' : r.status === 'active' && r.validUntil < chinaDate(now()) ? 'expired' : r.status;
      if (req.principal?.role === 'platform') await audit(req, 'badge.status', code, status);
      res.json({ creditCode: code, status, validUntil: r?.validUntil ?? null });
    }),
  );

  // Agencies: push a batch of their own feed; replaying a batch is harmless.
  const feedScope = async (req: Request): Promise<void> => {
    const key = `${req.params.agency}/${req.params.feed}`;
    const feed = FEEDS.get(key);
    if (feed === undefined) throw new GetihuError('NOT_FOUND', 'no such feed');
    if (!(req.principal as Principal).scopes.has(`feeds:${feed.agency}`)) {
      await audit(req, `feed.push:${key}`, null, 'denied');
      throw new GetihuError('FORBIDDEN', `this token may not push ${feed.agency} feeds`);
    }
  };
  const pushBody = z
    .object({
      batchId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
      records: z.array(z.record(z.string(), z.unknown())).min(1).max(5000),
    })
    .strict();
  app.post(
    '/v1/feeds/:agency/:feed',
    allowed(['agency']),
    // The feed and the token's scope are checked before a body of up to 5 MB is read.
    (req: Request, _res: Response, next: NextFunction) => {
      feedScope(req).then(() => next(), next);
    },
    feedJson,
    wrap(async (req, res) => {
      const key = `${req.params.agency}/${req.params.feed}`;
      const feed = FEEDS.get(key) as NonNullable<ReturnType<typeof FEEDS.get>>;
      const p = req.principal as Principal;
      if (!req.is('application/json')) throw new GetihuError('UNSUPPORTED_MEDIA_TYPE', 'send application/json');
      const body = pushBody.safeParse(req.body);
      if (!body.success)
        throw new GetihuError('INVALID_INPUT', 'the body must be {"batchId": "…", "records": [ … 1 to 5000 objects … ]}');
      const deep = body.data.records.findIndex((r) => nestedDeeperThan(r, 8));
      if (deep >= 0)
        throw new GetihuError('INVALID_INPUT', `records.${deep}: nested deeper than 8 levels`, { field: `records.${deep}` });
      // An agency whose token names a region reports on the businesses of that region only (F7).
      if (p.region !== null) {
        for (const [i, r] of body.data.records.entries()) {
          const c = typeof r.creditCode === 'string' ? r.creditCode.trim().toUpperCase() : '';
          if (c.length !== 18) continue; // the feed's own check refuses it, by line
          if (!covers(p, await regionOfBusiness(o.store, c))) {
            await audit(req, `feed.push:${key}`, c, 'denied');
            throw new GetihuError('FORBIDDEN', `records.${i}.creditCode: a business outside this agency's region ${p.region}`, {
              field: `records.${i}.creditCode`,
            });
          }
        }
      }
      if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      const summary = await ingestRecords(
        body.data.records.map((r, i) => ({ line: i + 1, original: JSON.stringify(r), fields: r })),
        {
          bus: o.pipeline.bus,
          allowCodes,
          codec: o.pipeline.codec,
          feed,
          source: `http:${p.subject}:${body.data.batchId}`,
          topicPrefix: o.pipeline.prefix,
          keepOutcomes: true,
        },
      );
      await audit(req, `feed.push:${key}`, null, `accepted ${summary.accepted} rejected ${summary.rejected}`);
      res.status(summary.rejected === 0 ? 200 : 207).json(summary);
    }),
  );

  // Regulators: explain a decision down to its facts and source records; read and verify the audit log.
  app.get(
    '/v1/regulator/decisions/:code',
    allowed(['regulator']),
    wrap(async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      await requireBusinessInRegion(req, code, 'decision.explain');
      const { decision, recognition } = await o.store.decisionAndRecognition(code);
      const history = await o.store.history(code);
      const life = await o.store.recognitionLife(code);
      await audit(req, 'decision.explain', code, decision === null ? 'not-found' : 'ok');
      if (decision === null) throw new GetihuError('NOT_FOUND', 'no decision for that credit code');
      // The life of its 名特优新 recognitions, oldest first: each round's outcome for it (the
      // application's criteria with their clauses, or a renewal review's grounds), then each
      // change of status with its reason and clause.
      const recognitionLife = [
        ...life.outcomes.map((x) => ({
          on: x.decidedOn,
          step: x.outcome === 'renewed' ? 'renewal' : 'round',
          roundId: x.roundId,
          year: x.year,
          outcome: x.outcome,
          category: x.category,
          validFrom: x.validFrom,
          validUntil: x.validUntil,
          explanation: x.explanation,
          reasons: x.reasons,
        })),
        ...life.changes.map((c) => ({
          on: c.changedOn,
          step: c.status,
          category: c.category,
          validUntil: c.validUntil,
          explanation: c.reason,
        })),
        ...life.rechecks.map((c) => ({
          on: c.checkedOn,
          step: 'recheck',
          outcome: c.outcome,
          reportsMissing: c.reports.missing,
          reportsLate: c.reports.late,
          explanation: c.reason,
        })),
        ...life.filings.map((f) => ({
          on: f.reviewedOn,
          step: 'filingReview',
          outcome: f.outcome,
          actor: f.actor,
          supplementBy: f.supplementBy,
          explanation: f.note,
        })),
      ].sort((p, q) => ((p.on ?? '') < (q.on ?? '') ? -1 : (p.on ?? '') > (q.on ?? '') ? 1 : 0));
      // Which decision stands, and why: a dispute adjustment outranks runs on the same facts.
      const standing = decision.runId?.startsWith('dispute:')
        ? {
            by: 'dispute',
            disputeId: decision.runId.slice('dispute:'.length),
            reason:
              'a dispute adjustment stands until a decision on newer facts (a later as-of date or other source records) or a new adjustment; a run on the same facts does not replace it',
          }
        : { by: 'run', reason: 'the newest decision on the facts on file' };
      res.json({ decision, standing, history, recognition, recognitionLife });
    }),
  );
  const auditQuery = z
    .object({
      creditCode: z.string().max(18).optional(),
      before: z.coerce.number().int().positive().optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
    })
    .strict();
  app.get(
    '/v1/regulator/audit',
    allowed(['regulator']),
    wrap(async (req, res) => {
      const q = auditQuery.safeParse(req.query);
      if (!q.success)
        throw new GetihuError(
          'INVALID_INPUT',
          `${q.error.issues[0]?.path.join('.') || 'query'}: give creditCode (an individual business's code), before (a seq) and limit (1 to 1000), each at most once`,
        );
      const code =
        q.data.creditCode === undefined
          ? undefined
          : requireIndividualBusinessCode(q.data.creditCode, 'creditCode', allowCodes).code;
      const p = req.principal as Principal;
      // A regional regulator reads the entries of the businesses of its region only.
      if (code !== undefined) await requireBusinessInRegion(req, code, 'audit.read');
      const limit = q.data.limit ?? 100;
      const entries = await o.store.auditPage({
        ...(code === undefined ? {} : { creditCode: code }),
        ...(p.region === null ? {} : { area: p.region }),
        ...(q.data.before === undefined ? {} : { before: q.data.before }),
        limit,
      });
      await audit(req, 'audit.read', code ?? null, `${entries.length}`);
      const last = entries.at(-1);
      res.json({ entries, next: entries.length === limit && last !== undefined ? { before: last.seq } : null });
    }),
  );
  app.get(
    '/v1/regulator/audit/verify',
    allowed(['regulator']),
    wrap(async (req, res) => {
      const v = await verifyAudit(o.store);
      await audit(req, 'audit.verify', null, v.ok ? 'ok' : 'broken');
      res.json(v);
    }),
  );

  // Disputes (异议): the business files — over its type, or over a 名特优新 outcome of a year — and
  // gets its reply by the date the rule set gives; it reads its disputes and the replies with its
  // own token. A regulator sees and resolves those of its region; adjusting a type is a new
  // decision event, so the result changes everywhere it is shared (store, cache, banks).
  const disputeBody = z
    .object({
      creditCode: z.string(),
      claim: z.string().trim().min(1).max(2000),
      subject: z.enum(['type', 'mtyx']).default('type'),
      year: z.number().int().min(2024).max(2100).optional(),
    })
    .strict()
    .refine((b) => b.subject === 'type' || b.year !== undefined, {
      message: 'year: a dispute over a 名特优新 outcome names the round year',
    });
  const disputeView = (d: Record<string, unknown>, today: string) => ({
    id: d.id,
    creditCode: d.credit_code,
    subject: d.subject,
    year: d.year ?? null,
    claim: d.claim,
    status: d.status,
    reply: d.resolution ?? null,
    respondBy: d.respond_by ?? null,
    overdue: d.status === 'open' && d.respond_by != null && (d.respond_by as string) < today,
    filedAt: d.filed_at,
    resolvedAt: d.resolved_at ?? null,
  });
  app.post(
    '/v1/disputes',
    allowed(['public']),
    smallJson,
    wrap(async (req, res) => {
      const b = disputeBody.safeParse(req.body);
      if (!b.success)
        throw new GetihuError(
          'INVALID_INPUT',
          b.error.issues[0]?.message.startsWith('year:')
            ? b.error.issues[0].message
            : 'the body must be {"creditCode", "claim", "subject"?: "type"|"mtyx", "year"? (for mtyx)}',
        );
      const code = requireIndividualBusinessCode(b.data.creditCode, 'creditCode', allowCodes);
      const p = req.principal as Principal;
      if (p.subject !== code.code) {
        await audit(req, 'dispute.file', code.code, 'denied');
        throw new GetihuError('FORBIDDEN', 'a business disputes its own result only (token subject = its credit code)');
      }
      const region = (await o.store.business(code.code))?.region ?? code.code.slice(2, 8);
      const today = chinaDate(now());
      const rs = ruleBook.inForce(programmeRegionOf(region), parseIsoDate(today));
      const respondBy = formatIsoDate(parseIsoDate(today) + rs.disputes.responseDays);
      const id = randomUUID();
      await o.store.fileDispute({
        id,
        creditCode: code.code,
        filedBy: p.subject,
        claim: b.data.claim,
        subject: b.data.subject,
        year: b.data.year ?? null,
        respondBy,
        region,
      });
      await audit(req, 'dispute.file', code.code, 'open');
      res.status(201).json({
        id,
        status: 'open',
        subject: b.data.subject,
        respondBy,
        clause: b.data.subject === 'type' ? rs.disputes.typeClause : rs.disputes.mtyxClause,
      });
    }),
  );
  // The business reads its own disputes and the replies (token subject = its credit code).
  app.get(
    '/v1/disputes',
    allowed(['public']),
    wrap(async (req, res) => {
      const code = requireIndividualBusinessCode(
        typeof req.query.creditCode === 'string' ? req.query.creditCode : '',
        'creditCode',
        allowCodes,
      );
      if ((req.principal as Principal).subject !== code.code) {
        await audit(req, 'dispute.read', code.code, 'denied');
        throw new GetihuError('FORBIDDEN', 'a business reads its own disputes only (token subject = its credit code)');
      }
      const today = chinaDate(now());
      await audit(req, 'dispute.read', code.code, 'ok');
      res.json({ disputes: (await o.store.disputes({ creditCode: code.code })).map((d) => disputeView(d, today)) });
    }),
  );
  app.get(
    '/v1/regulator/disputes',
    allowed(['regulator']),
    wrap(async (req, res) => {
      const status =
        typeof req.query.status === 'string' && /^(open|upheld|adjusted)$/.test(req.query.status) ? req.query.status : undefined;
      const today = chinaDate(now());
      await audit(req, 'dispute.list', null, 'ok');
      const list = await o.store.disputes({
        ...(status === undefined ? {} : { status }),
        region: (req.principal as Principal).region,
      });
      res.json({ disputes: list.map((d) => disputeView(d, today)) });
    }),
  );
  const resolveBody = z
    .object({
      outcome: z.enum(['uphold', 'adjust']),
      type: z.enum(['survival', 'growth', 'development', 'ineligible']).optional(),
      reason: z.string().trim().min(1).max(2000),
    })
    .strict();
  app.post(
    '/v1/regulator/disputes/:id/resolve',
    allowed(['regulator']),
    smallJson,
    wrap(async (req, res) => {
      const b = resolveBody.safeParse(req.body);
      if (!b.success)
        throw new GetihuError('INVALID_INPUT', 'the body must be {"outcome": "uphold"|"adjust", "type"? (for adjust), "reason"}');
      const id = String(req.params.id);
      const open = (await o.store.disputes({ status: 'open' })).find((d) => d.id === id);
      if (open === undefined) throw new GetihuError('NOT_FOUND', 'no open dispute with that id');
      const code = open.credit_code as string;
      await requireRegulatorsArea(req, open.region as string, `dispute.${b.data.outcome}`, code);
      if (open.subject === 'mtyx') {
        // A 名特优新 outcome is not rewritten here: an accepted claim is reconsidered through the
        // round and its review steps (quota and ranking hold); the reply says what was decided.
        if (b.data.type !== undefined)
          throw new GetihuError('INVALID_INPUT', 'type: a dispute over a 名特优新 outcome is answered, not re-typed');
        const closed = await o.store.resolveDispute(id, b.data.outcome === 'adjust' ? 'adjusted' : 'upheld', b.data.reason);
        await audit(req, `dispute.${b.data.outcome}`, code, closed === null ? 'conflict' : 'ok');
        res.json(closed);
        return;
      }
      if (b.data.outcome === 'adjust' && b.data.type === undefined)
        throw new GetihuError('INVALID_INPUT', 'type: adjusting a dispute over a type needs the type it becomes');
      const current = await o.store.decision(code);
      if (current === null) throw new GetihuError('CONFLICT', 'the business has no decision to review');
      if (b.data.outcome === 'adjust') {
        if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
        const reasons = [
          ...(current.reasons as { criterion: string; met: boolean }[]),
          {
            criterion: 'dispute.adjustment',
            met: true,
            evidence: {
              disputeId: id,
              reviewer: (req.principal as Principal).subject,
              previousType: current.type,
              reason: b.data.reason,
            },
            clause: '002 附件 一(三)3 异议处理：符合标准的，及时调整分型结果',
          },
        ];
        const type = b.data.type as keyof typeof LABELS;
        const met = (cid: string) => reasons.find((r) => r.criterion === cid)?.met !== false;
        const mtyx = (type === 'growth' || type === 'development') && met('mtyx.penalty') && met('mtyx.court');
        const decisionId = decisionIdOf({
          creditCode: code,
          ruleset: current.ruleset,
          asOf: current.asOf,
          type,
          mtyxBasicEligible: mtyx,
          reasons: reasons as TypingDecision['reasons'],
        });
        const topic = topicName(o.pipeline, 'typing');
        await o.pipeline.bus.send(topic, [
          {
            key: code,
            value: o.pipeline.codec.encode(topic, {
              decisionId,
              creditCode: code,
              region: current.region,
              ruleset: current.ruleset,
              asOf: tryParseIsoDate(current.asOf) as number,
              type,
              label: LABELS[type],
              mtyxBasicEligible: mtyx,
              runId: `dispute:${id}`,
              reasonsJson: JSON.stringify(reasons),
              sources: [...current.sources],
            }),
          },
        ]);
      }
      const closed = await o.store.resolveDispute(id, b.data.outcome === 'adjust' ? 'adjusted' : 'upheld', b.data.reason);
      await audit(req, `dispute.${b.data.outcome}`, code, closed === null ? 'conflict' : 'ok');
      res.json(closed);
    }),
  );

  // Jurisdiction (gateway/jurisdiction.ts): a regulator whose token names a region acts within it.
  const requireJurisdiction = async (req: Request, target: Target, action: string, creditCode: string | null = null) => {
    if (await mayActOn(o.store, req.principal as Principal, target)) return;
    await audit(req, action, creditCode, 'denied');
    throw new GetihuError('FORBIDDEN', 'this regulator may not act outside its region');
  };
  const requireRegulatorsArea = (req: Request, division: string, action: string, creditCode: string | null = null) =>
    requireJurisdiction(req, { kind: 'area', division }, action, creditCode);
  const requireBusinessInRegion = (req: Request, creditCode: string, action: string) =>
    requireJurisdiction(req, { kind: 'business', creditCode }, action, creditCode);
  // Regulators' jobs (runs, rounds, sweeps) are accepted at once and run off the request on the
  // job runner's pool: 202 with the job, whose state, progress and result `GET /v1/regulator/jobs/{id}`
  // gives. A caller that would rather wait says so (`Prefer: wait=N`, at most 120 s, RFC 7240) and
  // gets the result (201) or the error if the job ends in time.
  const jobView = (j: JobRow) => ({
    id: j.id,
    kind: j.kind,
    area: j.area,
    state: j.state,
    progress: j.progress,
    result: j.result,
    error: j.error,
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
    href: `/v1/regulator/jobs/${j.id}`,
  });
  const startJob = async (req: Request, res: Response, spec: Omit<JobSpec, 'subject'>) => {
    if (o.jobs === undefined) throw new GetihuError('UNAVAILABLE', 'this gateway runs no jobs');
    const job = await o.jobs.submit({ ...spec, subject: (req.principal as Principal).subject });
    await audit(req, `job.${spec.kind}`, null, job.id);
    const wait = /(?:^|[\s,;])wait=(\d{1,3})(?:$|[\s,;])/.exec(req.get('prefer') ?? '');
    const ended = wait === null ? job : ((await o.jobs.waitFor(job.id, Math.min(Number(wait[1]), 120) * 1000)) ?? job);
    if (ended.state === 'succeeded') {
      res.status(201).setHeader('Preference-Applied', `wait=${wait?.[1]}`);
      res.json(ended.result);
      return;
    }
    if (ended.state === 'failed' && ended.error !== null) {
      const code = ended.error.code as ErrorCode;
      return sendError(res, code in HTTP_STATUS ? code : 'INTERNAL', ended.error.message);
    }
    res.status(202).location(`/v1/regulator/jobs/${ended.id}`).json(jobView(ended));
  };
  app.get(
    '/v1/regulator/jobs/:id',
    allowed(['regulator']),
    wrap(async (req, res) => {
      const id = String(req.params.id ?? '');
      const j = /^job_[0-9a-f-]{36}$/.test(id) ? await o.store.job(id) : null;
      if (j === null) throw new GetihuError('NOT_FOUND', 'no job with that id');
      await requireRegulatorsArea(req, j.area, 'job.read');
      res.json(jobView(j));
    }),
  );
  /** The pipeline, for a regulator's job over `area`. */
  const pipelineFor = async (req: Request, area: string, action: string): Promise<PipelineContext> => {
    if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
    await requireRegulatorsArea(req, area, action);
    return o.pipeline;
  };
  const areaAsOfBody = z.object({ area: z.string().regex(/^\d{6}$/), asOf: z.iso.date() }).strict();
  const roundBody = areaAsOfBody.extend({ decidedOn: z.iso.date().optional() }).strict();

  // Regulators start typing runs and 名特优新 rounds (with quota use) on the pipeline.
  const runBody = areaAsOfBody.extend({ ruleset: z.string().max(40).optional() }).strict();
  app.post(
    '/v1/regulator/runs',
    allowed(['regulator']),
    smallJson,
    wrap(async (req, res) => {
      const b = runBody.safeParse(req.body);
      if (!b.success)
        throw new GetihuError('INVALID_INPUT', 'the body must be {"area": 6 digits, "asOf": YYYY-MM-DD, "ruleset"?}');
      const pipeline = await pipelineFor(req, b.data.area, 'run.start');
      // A rule set that does not exist is the caller's mistake: said now, not by a job that fails.
      if (b.data.ruleset !== undefined) ruleBook.byRef(b.data.ruleset);
      await startJob(req, res, {
        kind: 'run',
        area: b.data.area,
        params: b.data,
        work: async ({ pool, progress }) => {
          const s = await runTyping(pipeline, {
            area: b.data.area,
            asOf: b.data.asOf,
            pool,
            onBatch: (done, total) => progress({ businesses: done, of: total }),
            ...(b.data.ruleset === undefined ? {} : { ruleset: b.data.ruleset }),
          });
          await audit(req, 'run.start', null, s.runId);
          return s;
        },
      });
    }),
  );
  app.post(
    '/v1/regulator/rounds',
    allowed(['regulator']),
    smallJson,
    wrap(async (req, res) => {
      const b = roundBody.safeParse(req.body);
      if (!b.success)
        throw new GetihuError(
          'INVALID_INPUT',
          'the body must be {"area": 6 digits, "asOf": YYYY-MM-DD, "decidedOn"?: YYYY-MM-DD}',
        );
      const pipeline = await pipelineFor(req, b.data.area, 'round.run');
      await startJob(req, res, {
        kind: 'round',
        area: b.data.area,
        params: b.data,
        work: async () => {
          const r = await runRecognition(pipeline, o.store, b.data);
          // The store has the round's recognitions now; what this gateway cached before must go, so
          // that no reader sees the state before the round after it ended.
          for (const c of r.candidates) cache.invalidate(c.creditCode);
          await audit(req, 'round.run', null, r.roundId);
          // Each candidate's outcome, without the criterion-by-criterion reasons (the regulator's
          // explanation of a business has those).
          const candidates = r.candidates.map(({ reasons: _reasons, ...c }) => c);
          return {
            roundId: r.roundId,
            area: r.area,
            year: r.year,
            decidedOn: r.decidedOn,
            quota: r.quota,
            counts: r.counts,
            candidates,
            renewals: r.renewals,
          };
        },
      });
    }),
  );

  // Regulators record the review steps of their candidates (走访核实, 征求意见, 信息公示 and objections
  // raised during it): each one a fact with the date and the regulator who acted, through the
  // same connector as any feed, and the round requires the steps its rule set names.
  const stepsBody = z
    .object({
      batchId: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
      steps: z.array(z.record(z.string(), z.unknown())).min(1).max(500),
    })
    .strict();
  app.post(
    '/v1/regulator/review-steps',
    allowed(['regulator']),
    smallJson,
    wrap(async (req, res) => {
      const b = stepsBody.safeParse(req.body);
      if (!b.success)
        throw new GetihuError('INVALID_INPUT', 'the body must be {"batchId": "…", "steps": [ … 1 to 500 review steps … ]}');
      if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      const p = req.principal as Principal;
      // Every step must concern a business within this regulator's region; who acted is the token's subject.
      for (const s of b.data.steps) {
        const code = typeof s.creditCode === 'string' ? s.creditCode : '';
        const region = (await o.store.business(code))?.region ?? code.slice(2, 8);
        await requireRegulatorsArea(req, region, 'review.step', code === '' ? null : code.slice(0, 18));
      }
      const summary = await ingestRecords(
        b.data.steps.map((s, i) => {
          const fields = { ...s, actor: p.subject };
          return { line: i + 1, original: JSON.stringify(fields), fields };
        }),
        {
          bus: o.pipeline.bus,
          allowCodes,
          codec: o.pipeline.codec,
          feed: FEEDS.get('market-regulator/review-steps') as NonNullable<ReturnType<typeof FEEDS.get>>,
          source: `http:${p.subject}:${b.data.batchId}`,
          topicPrefix: o.pipeline.prefix,
          keepOutcomes: true,
        },
      );
      await audit(req, 'review.step', null, `accepted ${summary.accepted} rejected ${summary.rejected}`);
      res.status(summary.rejected === 0 ? 200 : 207).json(summary);
    }),
  );

  // Regulators sweep badges (yearly re-check and expiry) and revoke recognitions (撤销); each change
  // goes out on getihu.decision.badge.
  app.post(
    '/v1/regulator/badges/sweep',
    allowed(['regulator']),
    smallJson,
    wrap(async (req, res) => {
      const b = areaAsOfBody.safeParse(req.body);
      if (!b.success) throw new GetihuError('INVALID_INPUT', 'the body must be {"area": 6 digits, "asOf": YYYY-MM-DD}');
      const pipeline = await pipelineFor(req, b.data.area, 'badge.sweep');
      await startJob(req, res, {
        kind: 'sweep',
        area: b.data.area,
        params: b.data,
        work: async () => {
          const r = await sweepBadges(pipeline, o.store, b.data);
          await audit(req, 'badge.sweep', null, `checked ${r.checked} expired ${r.expired} cancelled ${r.cancelled}`);
          return r;
        },
      });
    }),
  );
  const revokeBody = z
    .object({ ground: z.enum(['fraud', 'bribery']), note: z.string().trim().min(1).max(500), on: z.iso.date().optional() })
    .strict();
  app.post(
    '/v1/regulator/recognitions/:code/revoke',
    allowed(['regulator']),
    smallJson,
    wrap(async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      const b = revokeBody.safeParse(req.body);
      if (!b.success)
        throw new GetihuError('INVALID_INPUT', 'the body must be {"ground": "fraud"|"bribery", "note": text, "on"?: YYYY-MM-DD}');
      if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      await requireBusinessInRegion(req, code, 'recognition.revoke');
      const change = await revokeRecognition(o.pipeline, o.store, {
        creditCode: code,
        ground: b.data.ground,
        note: b.data.note,
        on: b.data.on ?? chinaDate(now()),
      });
      await audit(req, 'recognition.revoke', code, change === null ? 'not-found' : 'ok');
      if (change === null) throw new GetihuError('NOT_FOUND', 'no active 名特优新 recognition for that credit code');
      res.status(201).json(change);
    }),
  );

  // The level above reviews what a district filed (备案): the filing list of a year, and a review
  // of one recognition — confirmed, more material by a date (限期补充材料), or refused (不予认定,
  // which ends the recognition). A district regulator reviews nobody's filing, its own least.
  const filingQuery = z.object({ area: z.string().regex(/^\d{6}$/), year: z.coerce.number().int().min(2024).max(2100) }).strict();
  app.get(
    '/v1/regulator/filings',
    allowed(['regulator']),
    wrap(async (req, res) => {
      const q = filingQuery.safeParse(req.query);
      if (!q.success) throw new GetihuError('INVALID_INPUT', 'the query must be ?area=<6 digits>&year=<YYYY>');
      await requireRegulatorsArea(req, q.data.area, 'filing.list');
      const list = await o.store.filingList(q.data.area, q.data.year);
      await audit(req, 'filing.list', null, `${q.data.area}:${q.data.year}: ${list.length}`);
      res.json({ area: q.data.area, year: q.data.year, recognitions: list });
    }),
  );
  const filingReviewBody = z
    .object({
      outcome: z.enum(['confirmed', 'supplement', 'refused']),
      note: z.string().trim().min(1).max(500),
      on: z.iso.date().optional(),
      supplementBy: z.iso.date().optional(),
    })
    .strict()
    .refine((b) => (b.outcome === 'supplement') === (b.supplementBy !== undefined), {
      message: 'supplementBy: the date more material is due, given with outcome supplement and only then',
    });
  app.post(
    '/v1/regulator/recognitions/:code/filing-review',
    allowed(['regulator']),
    smallJson,
    wrap(async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      const b = filingReviewBody.safeParse(req.body);
      if (!b.success)
        throw new GetihuError(
          'INVALID_INPUT',
          b.error.issues[0]?.message.startsWith('supplementBy')
            ? b.error.issues[0].message
            : 'the body must be {"outcome": "confirmed"|"supplement"|"refused", "note": text, "on"?: YYYY-MM-DD, "supplementBy"?: YYYY-MM-DD}',
        );
      if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      const p = req.principal as Principal;
      const region = (await o.store.business(code))?.region ?? code.slice(2, 8);
      await requireRegulatorsArea(req, region, 'filing.review', code);
      if (p.region !== null && !p.region.endsWith('0000')) {
        await audit(req, 'filing.review', code, 'denied');
        throw new GetihuError(
          'FORBIDDEN',
          "a district's filed recognitions are reviewed by the level above (a province-level regulator)",
        );
      }
      const recognition = await o.store.recognition(code);
      if (recognition === null || recognition.status !== 'active') {
        await audit(req, 'filing.review', code, 'not-found');
        throw new GetihuError('NOT_FOUND', 'no active 名特优新 recognition for that credit code');
      }
      const on = b.data.on ?? chinaDate(now());
      if (b.data.outcome === 'refused') {
        const change = await refuseRecognition(o.pipeline, o.store, { creditCode: code, on, note: b.data.note });
        if (change === null) throw new GetihuError('NOT_FOUND', 'no active 名特优新 recognition for that credit code');
        cache.invalidate(code);
      }
      const review = {
        creditCode: code,
        year: Number(recognition.validFrom.slice(0, 4)),
        outcome: b.data.outcome,
        reviewedOn: on,
        supplementBy: b.data.supplementBy ?? null,
        actor: p.subject,
        note: b.data.note,
      };
      await o.store.recordFilingReview(review);
      await audit(req, 'filing.review', code, b.data.outcome);
      res.status(201).json(review);
    }),
  );

  // Regions: 京津冀 transfer checks, recorded and emitted as events.
  app.post(
    '/v1/transfers/check',
    allowed(['region', 'regulator']),
    smallJson,
    wrap(async (req, res) => {
      if (!req.is('application/json')) throw new GetihuError('UNSUPPORTED_MEDIA_TYPE', 'send application/json');
      const body = transferRequest.safeParse(req.body);
      if (!body.success)
        throw new GetihuError('INVALID_INPUT', 'the body must be {"creditCode", "toRegion" (6 digits), "newCreditCode"?}');
      const p = req.principal as Principal;
      if (p.role === 'region' && (p.region === null || p.region.slice(0, 2) !== body.data.toRegion.slice(0, 2))) {
        await audit(req, 'transfer.check', body.data.creditCode.slice(0, 18), 'denied');
        throw new GetihuError('FORBIDDEN', 'a region checks transfers into its own province');
      }
      // A regulator checks transfers out of or into its region.
      if (p.role === 'regulator') {
        const code = requireIndividualBusinessCode(body.data.creditCode, 'creditCode', allowCodes).code;
        await requireJurisdiction(
          req,
          { kind: 'transfer', fromRegion: await regionOfBusiness(o.store, code), toRegion: body.data.toRegion },
          'transfer.check',
          code,
        );
      }
      const check = await checkTransfer(o.store, body.data, chinaDate(now()), allowCodes);
      if (o.pipeline !== undefined) {
        const topic = topicName(o.pipeline, 'transfer');
        await o.pipeline.bus.send(topic, [
          {
            key: check.creditCode,
            value: o.pipeline.codec.encode(topic, {
              checkId: check.checkId,
              creditCode: check.creditCode,
              newCreditCode: check.newCreditCode,
              fromRegion: check.fromRegion,
              toRegion: check.toRegion,
              carried: check.carried,
              validUntil: check.validUntil === null ? null : (tryParseIsoDate(check.validUntil) as number),
              programme: check.programme,
              checkedBy: p.subject,
              reasonsJson: JSON.stringify(check.reasons),
            }),
          },
        ]);
      }
      await audit(req, 'transfer.check', check.creditCode, check.carried ? 'carried' : 'not-carried');
      res.json(check);
    }),
  );

  app.use(smallJson);
  app.use((_req, res) => sendError(res, 'NOT_FOUND', 'no such endpoint'));
  app.use(errorHandler);
  return app;
}
