/**
 * One declaration per route, as fastify's route objects are: its method and path, who may call it,
 * what it is scoped by, the schemas of what it reads and answers, and its handler. `RouteTable.add`
 * registers it on the app (the role check, the body parser, the request check, the jurisdiction
 * and level checks, then the handler, as one router layer) and keeps it, so the OpenAPI document
 * (gateway/openapi.ts) and the jurisdiction table (`scopesOf`) are the same declarations the app
 * serves: nothing is written twice.
 */
import type { IRouter, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { GetihuError } from '../lib/errors.js';
import type { Answer, Tag } from './api.js';
import type { Principal, Role } from './auth.js';
import { creditCodeParam, type GatewayParts, principalOf } from './context.js';
import type { ACTION_LEVELS, Target } from './jurisdiction.js';
import { parseRequest } from './requests.js';
import { inSeries } from './series.js';

/**
 * What a route is scoped by:
 * - `open`: nothing of one business beyond what the register publishes (or no data at all);
 * - `own`: the caller's own data only (its token's subject: a bank's webhook, a business's disputes);
 * - `scope`: an agency's feed scope;
 * - `filtered`: a listing cut to the caller's region;
 * - `consent`: beyond what is published, what the business authorised this bank to read (gateway/routes/consents.ts);
 * - an object scope (`business`, `area`, `transfer`, `dispute`): the objects the request acts on,
 *   each checked against the caller's region (gateway/jurisdiction.ts) before the handler runs; a
 *   refusal is audited as `action`.
 */
export type Scope<I> = 'open' | 'own' | 'scope' | 'filtered' | 'consent' | ObjectScope<I>;

export interface ObjectScope<I> {
  readonly kind: 'business' | 'area' | 'transfer' | 'dispute';
  /** The audit action a refusal is recorded under (it may depend on what the request asks). */
  readonly action: string | ((input: I) => string);
  /** The objects the request acts on (none: nothing to check, e.g. an unknown id the handler answers 404 for). */
  readonly targets: (req: Request, input: I) => Promise<readonly Target[]> | readonly Target[];
}

/** The kind of a scope, as the jurisdiction table names it. */
export type ScopeKind = 'open' | 'own' | 'scope' | 'filtered' | 'consent' | ObjectScope<never>['kind'];

/** How a route's request is checked before its handler runs. */
export interface Check {
  /** How the request is written, said after what was wrong in a 400. */
  readonly usage: string;
  /** The error code of a refusal (default INVALID_INPUT). */
  readonly code?: 'INVALID_INPUT' | 'INVALID_ARGUMENT';
}

/** What a route reads, checked by its declared schemas (when it declares a `check`). */
export interface Input<Q extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  readonly query: Q extends z.ZodType ? z.output<Q> : undefined;
  readonly body: B extends z.ZodType ? z.output<B> : undefined;
}

/** What the OpenAPI document says of a route. */
export interface Operation {
  readonly method: 'get' | 'post' | 'put' | 'delete';
  /** The path as express routes it (`/v1/badges/:code`). */
  readonly path: string;
  readonly operationId: string;
  readonly tag: Tag;
  readonly summary: string;
  readonly description?: string;
  /** The roles whose tokens it accepts; `anyone`: no token needed (one sent must be valid). */
  readonly roles: readonly Role[] | 'anyone';
  readonly params?: z.ZodObject;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly responses: Readonly<Record<number, Answer>>;
}

interface Declared<Q extends z.ZodType | undefined, B extends z.ZodType | undefined>
  extends Omit<Operation, 'roles' | 'query' | 'body'> {
  readonly query?: Q;
  readonly body?: B;
  /** The declared query and body checked before the handler; none: the handler checks them itself. */
  readonly check?: Check;
  /** A body of up to 16 KB (`small`, the default when a body is declared) or an agency's batch of up to 5 MB (`feed`). */
  readonly bodyLimit?: 'small' | 'feed';
  /** Middleware run before the checks (a rate limit, cross-origin headers). */
  readonly middleware?: readonly RequestHandler[];
  /** The level the texts give this action (gateway/jurisdiction.ts ACTION_LEVELS), checked after the jurisdiction. */
  readonly level?: keyof typeof ACTION_LEVELS;
  readonly scope: Scope<Input<Q, B>>;
}

/** A route for the tokens of `roles`: its handler is given the caller. */
export interface AuthedRoute<Q extends z.ZodType | undefined, B extends z.ZodType | undefined> extends Declared<Q, B> {
  readonly roles: readonly Role[];
  readonly handler: (req: Request, res: Response, principal: Principal, input: Input<Q, B>) => Promise<void>;
}

/** A route anyone may call (a token, when sent, must still be valid): its handler is given the caller, if any. */
export interface OpenRoute<Q extends z.ZodType | undefined, B extends z.ZodType | undefined> extends Declared<Q, B> {
  readonly roles: 'anyone';
  readonly handler: (req: Request, res: Response, principal: Principal | undefined, input: Input<Q, B>) => Promise<void>;
}

/** The scope of a route about the business its path names (`:code`), refused as `action`. */
export function businessInPath<I>(allowCodes: ReadonlySet<string>, action: string): ObjectScope<I> {
  return { kind: 'business', action, targets: (req) => [{ kind: 'business', creditCode: creditCodeParam(req, allowCodes) }] };
}

/** Middleware refusing a body that is not JSON (415) before it is read. */
export const jsonOnly: RequestHandler = (req, _res, next) => {
  next(req.is('application/json') ? undefined : new GetihuError('UNSUPPORTED_MEDIA_TYPE', 'send application/json'));
};

/** A declared route, as the table keeps it. */
export type Route = Operation & { readonly scopeKind: ScopeKind };

/** The kind of a declared scope. */
function kindOf(scope: Scope<never>): ScopeKind {
  return typeof scope === 'string' ? scope : scope.kind;
}

/** The credit code a target names, for the audit entry of a refusal. */
function codeOf(t: Target): string | null {
  return t.kind === 'business' ? t.creditCode : null;
}

/**
 * The routes of one gateway: each `add` registers a declaration on the router, in the order the
 * router will try them, and keeps it for the OpenAPI document and the jurisdiction table.
 */
export class RouteTable {
  readonly #routes: Route[] = [];

  constructor(
    private readonly g: GatewayParts,
    /** The router the routes are registered on (the app's own, for one dispatch per request). */
    readonly router: IRouter,
  ) {}

  /** The declared routes, in registration order. */
  get routes(): readonly Route[] {
    return this.#routes;
  }

  add<Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(route: AuthedRoute<Q, B>): void;
  add<Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(route: OpenRoute<Q, B>): void;
  add<Q extends z.ZodType | undefined, B extends z.ZodType | undefined>(route: AuthedRoute<Q, B> | OpenRoute<Q, B>): void {
    const { g } = this;
    const { scope, check, level } = route;
    const body = route.body === undefined ? [] : [route.bodyLimit === 'feed' ? g.feedJson : g.smallJson];
    const run = async (req: Request, res: Response): Promise<void> => {
      const input = {
        query:
          check === undefined || route.query === undefined
            ? undefined
            : parseRequest(route.query, req.query, check.usage, check.code),
        body:
          check === undefined || route.body === undefined
            ? undefined
            : parseRequest(route.body, req.body, check.usage, check.code),
      } as Input<Q, B>;
      const targets = typeof scope === 'string' ? [] : await scope.targets(req, input);
      if (typeof scope !== 'string') {
        const action = typeof scope.action === 'string' ? scope.action : scope.action(input);
        for (const t of targets) await g.requireJurisdiction(req, t, action, codeOf(t));
      }
      if (level !== undefined) await g.requireLevel(req, level, level, targets.map(codeOf).find((c) => c !== null) ?? null);
      if (route.roles === 'anyone') await route.handler(req, res, req.principal, input);
      else await route.handler(req, res, principalOf(req), input);
    };
    const handlers =
      route.roles === 'anyone'
        ? [inSeries([...(route.middleware ?? []), ...body, g.open(run)])]
        : g.authed(route.roles, ...(route.middleware ?? []), ...body)((req, res) => run(req, res));
    this.router[route.method](route.path, ...handlers);
    const { handler: _h, scope: _s, check: _c, bodyLimit: _b, middleware: _m, level: _l, ...operation } = route;
    this.#routes.push({ ...operation, scopeKind: kindOf(scope as Scope<never>) });
  }

  /** Middleware or static files under `path`: not an operation of the API. */
  use(path: string | string[], ...handlers: RequestHandler[]): void {
    this.router.use(path, ...handlers);
  }
}

/** The jurisdiction table of declared routes: `METHOD /path` → what it is scoped by. */
export function scopesOf(routes: readonly Route[]): Readonly<Record<string, ScopeKind>> {
  return Object.fromEntries(routes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r.scopeKind]));
}
