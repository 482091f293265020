/**
 * Jurisdiction, one policy for every route: who may see or change a business, an area's work, a
 * dispute, an audit entry or a transfer. A regulator (or region) whose token names a division acts
 * within it — a province (XX0000) over its districts, a district over itself; a token without a
 * region is national. A business belongs to its registered region, or, before its registration is
 * on file, to the division its credit code was issued in (characters 3–8): never to nobody, so a
 * check cannot fail open for a business the store does not know yet.
 */
import { inArea } from '../lib/regions.js';
import type { Store } from '../lib/store/index.js';
import type { Principal } from './auth.js';

/** What a request acts on. */
export type Target =
  | { readonly kind: 'area'; readonly division: string }
  | { readonly kind: 'business'; readonly creditCode: string }
  | { readonly kind: 'transfer'; readonly fromRegion: string; readonly toRegion: string };

/** The division a business belongs to. */
export async function regionOfBusiness(store: Store, creditCode: string): Promise<string> {
  return (await store.business(creditCode))?.region ?? creditCode.slice(2, 8);
}

/** Whether a principal's jurisdiction covers a division (national tokens cover every one). */
export function covers(p: Principal, division: string): boolean {
  return p.region === null || inArea(p.region, division);
}

/**
 * Whether `p` may act on `target`: an area or a business within its region; a transfer when
 * either end is (the regulator of the region it leaves or of the one it joins).
 */
export async function mayActOn(store: Store, p: Principal, target: Target): Promise<boolean> {
  switch (target.kind) {
    case 'area':
      return covers(p, target.division);
    case 'business':
      return covers(p, await regionOfBusiness(store, target.creditCode));
    case 'transfer':
      return covers(p, target.fromRegion) || covers(p, target.toRegion);
  }
}

/**
 * Every route and what it is scoped by. A route not listed here fails the jurisdiction test, so a
 * new route cannot forget to say whose data it serves:
 * - `open`: nothing of one business beyond what the register publishes (or no data at all);
 * - `own`: the caller's own data only (its token's subject: a bank's webhook, a business's disputes);
 * - `scope`: an agency's feed scope;
 * - `business`, `area`, `transfer`, `dispute`: the object-level check above, for a regional token;
 * - `filtered`: a listing cut to the caller's region;
 * - `consent`: beyond what is published, what the business authorised this bank to read (gateway/routes/consents.ts).
 */
export const ROUTE_SCOPES: Readonly<
  Record<string, 'open' | 'own' | 'scope' | 'business' | 'area' | 'transfer' | 'dispute' | 'filtered' | 'consent'>
> = Object.freeze({
  'GET /healthz': 'open',
  'GET /readyz': 'open',
  'GET /metrics': 'open',
  'GET /openapi.json': 'open',
  'GET /docs': 'open',
  'GET /.well-known/jwks.json': 'open',
  'GET /.well-known/audit-keys.json': 'open',
  'GET /v1/audit/checkpoints': 'open',
  'GET /v1/audit/checkpoints/latest': 'open',
  'POST /v1/audit/checkpoints/verify': 'open',
  'GET /v1/public/businesses/:code': 'open',
  'GET /v1/public/search': 'open',
  'GET /v1/credit-tags/:code': 'consent',
  'GET /v1/credit-tags/:code/history': 'consent',
  'POST /v1/consents': 'own',
  'GET /v1/consents': 'own',
  'DELETE /v1/consents/:id': 'own',
  'GET /v1/bank/consents': 'own',
  'GET /v1/credit-tags-corrections': 'own',
  'GET /v1/credit-tags-corrections/stream': 'own',
  'PUT /v1/credit-tags-corrections/webhook': 'own',
  'GET /v1/credit-tags-corrections/webhook': 'own',
  'DELETE /v1/credit-tags-corrections/webhook': 'own',
  'GET /v1/badges/:code': 'open',
  'GET /v1/platform/corrections': 'own',
  'GET /v1/platform/corrections/stream': 'own',
  'GET /v1/badges/:code/status': 'open',
  'POST /v1/feeds/:agency/:feed': 'scope',
  'GET /v1/regulator/decisions/:code': 'business',
  'GET /v1/regulator/support/:code': 'business',
  'GET /v1/support': 'own',
  'GET /v1/bank/support/:code': 'consent',
  'GET /v1/platform/support/:code': 'open',
  'GET /v1/department/worklist': 'filtered',
  'POST /v1/department/deliveries': 'business',
  'POST /v1/regulator/spot-checks': 'area',
  'GET /v1/regulator/spot-checks': 'area',
  'GET /v1/public/spot-checks': 'open',
  'GET /v1/regulator/monitoring': 'area',
  'GET /v1/regulator/audit': 'filtered',
  'GET /v1/regulator/audit/verify': 'open',
  'POST /v1/disputes': 'own',
  'GET /v1/disputes': 'own',
  'GET /v1/regulator/disputes': 'filtered',
  'POST /v1/regulator/disputes/:id/resolve': 'dispute',
  'POST /v1/regulator/runs': 'area',
  'GET /v1/regulator/jobs/:id': 'area',
  'POST /v1/regulator/rounds': 'area',
  'POST /v1/regulator/review-steps': 'business',
  'POST /v1/regulator/badges/sweep': 'area',
  'POST /v1/regulator/recognitions/:code/revoke': 'business',
  'GET /v1/regulator/filings': 'area',
  'POST /v1/regulator/recognitions/:code/filing-review': 'business',
  'POST /v1/transfers/check': 'transfer',
});
