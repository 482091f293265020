/**
 * 监测分析 (国市监注发〔2024〕10号 二(七); 津市场监管政务〔2024〕9号 二(三)): a regulator's series of
 * its area — businesses by district and type, moves between types year on year, employment and
 * revenue by type, support measures owed and delivered by department, and 名特优新 quota use —
 * as JSON, or one series as CSV.
 */

import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { chinaDate, parseIsoDate } from '../../lib/dates.js';
import { inArea, programmeRegionOf } from '../../lib/regions.js';
import { type MatchedMeasure, quotaUnitOf } from '../../matchers/index.js';
import { forbidden, invalid, ok, unauthenticated } from '../api.js';
import type { GatewayParts } from '../context.js';
import { MONITORING_SERIES, monitoringQuery } from '../requests.js';
import type { RouteTable } from '../route.js';
import { supportViews, withHoldersSupport } from '../support.js';

/** Holders whose support is read at the same time for the support series. */
const HOLDERS_AT_ONCE = 50;

export function monitoringRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, now, ruleBook } = g;
  const { viewOf } = supportViews(g);
  routes.add({
    method: 'get',
    path: '/v1/regulator/monitoring',
    operationId: 'monitoring',
    tag: 'regulator',
    summary:
      '监测分析: the area’s businesses by type, moves between types year on year, employment, revenue, tax paid, support by department, quota use',
    description: 'JSON with every series, or one series (series=…) as CSV (format=csv).',
    roles: ['regulator'],
    query: monitoringQuery,
    responses: {
      200: ok(
        'the series',
        z.looseObject({
          area: z.string(),
          on: z.string(),
          types: z.array(z.object({ region: z.string(), type: z.string(), n: z.number() })).optional(),
          transitions: z
            .array(z.object({ fromYear: z.number(), toYear: z.number(), from: z.string(), to: z.string(), n: z.number() }))
            .optional(),
        }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
    check: {
      usage:
        'give area (6 digits), format (json or csv) and, for csv, series (types, transitions, employment, revenue, tax, support, quota)',
    },
    scope: { kind: 'area', action: 'monitoring.read', targets: (_req, { query }) => [{ kind: 'area', division: query.area }] },
    handler: async (req, res, _p, { query: q }) => {
      const { area, format, series } = q;
      const m = o.store.monitoring;
      const today = chinaDate(now());
      // Each series is computed only when asked for (the support series reads every holder's measures).
      let typesRead: ReturnType<typeof m.types> | undefined;
      const types = () => {
        typesRead ??= m.types(area);
        return typesRead;
      };
      // The recognitions held today, read once for the support and quota series alike.
      let heldRead: Promise<Awaited<ReturnType<typeof o.store.activeRecognitions>>> | undefined;
      const held = () => {
        heldRead ??= o.store
          .activeRecognitions()
          .then((all) => all.filter((r) => r.region !== null && inArea(area, r.region) && r.validUntil >= today));
        return heldRead;
      };
      const compute: Record<(typeof MONITORING_SERIES)[number], () => Promise<unknown[]>> = {
        types,
        transitions: () => m.transitions(area),
        employment: () => m.employment(area),
        revenue: () => m.revenue(area),
        tax: () => m.tax(area),
        // Support as each business is owed it today: a holder's recognition adds its category's
        // measures to what its decision carried (from 1 January after it).
        // Read HOLDERS_AT_ONCE at a time: their decisions and recognitions go in shared statements.
        support: async () => {
          const holders: { carried: MatchedMeasure[]; today: MatchedMeasure[] }[] = [];
          const list = await held();
          for (let i = 0; i < list.length; i += HOLDERS_AT_ONCE) {
            const views = await Promise.all(
              list.slice(i, i + HOLDERS_AT_ONCE).map(async (r) => {
                const owed = await o.store.support.of(r.creditCode);
                return owed === null
                  ? null
                  : { carried: owed.measures as unknown as MatchedMeasure[], today: (await viewOf(owed)).measures };
              }),
            );
            for (const v of views) if (v !== null) holders.push(v);
          }
          return withHoldersSupport(await m.support(area), holders);
        },
        // Quota use, per unit the quota is counted in (a district, or a province where its rule set
        // counts province-wide): recognitions held against the share of the unit's growth and
        // development businesses the rule set allows.
        quota: async () => {
          const day = parseIsoDate(today);
          const units = new Map<
            string,
            {
              unit: string;
              base: number;
              share: number;
              allowed: number;
              recognised: number;
              recognisedThisYear: number;
              clause: string;
            }
          >();
          const unitOf = (region: string) => {
            const rs = ruleBook.inForce(programmeRegionOf(region), day);
            const unit = quotaUnitOf(rs, region);
            const row = units.get(unit) ?? {
              unit,
              base: 0,
              share: rs.mtyx.quota.share,
              allowed: 0,
              recognised: 0,
              recognisedThisYear: 0,
              clause: rs.mtyx.quota.clause,
            };
            units.set(unit, row);
            return row;
          };
          for (const t of await types()) {
            const row = unitOf(t.region);
            if (t.type === 'growth' || t.type === 'development') row.base += t.n;
          }
          for (const r of await held()) {
            // A recognition carried in from another of the three takes none of the unit's share:
            // no round of the unit granted it (津市场监管政务〔2024〕9号 二(六)).
            if (r.region === null || r.roundId.startsWith('transfer:')) continue;
            const row = unitOf(r.region);
            row.recognised++;
            if (r.validFrom.slice(0, 4) === today.slice(0, 4)) row.recognisedThisYear++;
          }
          return [...units.values()]
            .map((u) => ({ ...u, allowed: Math.floor(u.base * u.share) }))
            .sort((a, b) => (a.unit < b.unit ? -1 : 1));
        },
      };
      const wanted = series === undefined ? MONITORING_SERIES : [series];
      const all = Object.fromEntries(await Promise.all(wanted.map(async (k) => [k, await compute[k]()] as const)));
      await audit(req, 'monitoring.read', null, series ?? 'all');
      if (format === 'csv' && series !== undefined) {
        const rows = all[series] as Record<string, unknown>[];
        const header = rows[0] === undefined ? [] : Object.keys(rows[0]);
        res
          .type('text/csv; charset=utf-8')
          .setHeader('content-disposition', `attachment; filename="getihu-${series}-${area}-${today}.csv"`);
        res.send(stringify([header, ...rows.map((r) => header.map((h) => r[h] ?? ''))], { bom: true }));
        return;
      }
      res.json({ area, on: today, ...all });
    },
  });
}
