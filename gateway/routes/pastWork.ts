/** Regulators: the past typing runs and 名特优新 rounds of their area, newest first, with their counts. */
import { z } from 'zod';
import { forbidden, invalid, isoDate, ok, unauthenticated } from '../api.js';
import type { GatewayParts } from '../context.js';
import { pastQuery } from '../requests.js';
import type { RouteTable } from '../route.js';

const usage = 'the query must be ?area=<6 digits>&limit=<1 to 100>';

export function pastWorkRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit } = g;
  routes.add({
    method: 'get',
    path: '/v1/regulator/runs',
    operationId: 'listRuns',
    tag: 'regulator',
    summary: 'The typing runs within an area, newest first: as-of date, rule set, status and the decisions by type',
    roles: ['regulator'],
    query: pastQuery,
    responses: {
      200: ok(
        'the runs',
        z.object({
          runs: z.array(
            z.object({
              runId: z.string(),
              area: z.string(),
              asOf: isoDate,
              ruleset: z.string(),
              status: z.string(),
              counts: z.unknown(),
              startedAt: z.string().nullable(),
              completedAt: z.string().nullable(),
            }),
          ),
        }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
    check: { usage },
    scope: { kind: 'area', action: 'runs.list', targets: (_req, { query }) => [{ kind: 'area', division: query.area }] },
    handler: async (req, res, _p, { query: q }) => {
      const runs = await o.store.past.runs(q.area, q.limit);
      await audit(req, 'runs.list', null, `${q.area}: ${runs.length}`);
      res.json({ runs });
    },
  });
  routes.add({
    method: 'get',
    path: '/v1/regulator/rounds',
    operationId: 'listRounds',
    tag: 'recognitions',
    summary: 'The 名特优新 rounds within an area, newest first: year, decision day and the candidates by outcome',
    roles: ['regulator'],
    query: pastQuery,
    responses: {
      200: ok(
        'the rounds',
        z.object({
          rounds: z.array(
            z.object({
              roundId: z.string(),
              area: z.string(),
              year: z.number().int(),
              decidedOn: isoDate.nullable(),
              outcomes: z.record(z.string(), z.number().int()),
            }),
          ),
        }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
    check: { usage },
    scope: { kind: 'area', action: 'rounds.list', targets: (_req, { query }) => [{ kind: 'area', division: query.area }] },
    handler: async (req, res, _p, { query: q }) => {
      const rounds = await o.store.past.rounds(q.area, q.limit);
      await audit(req, 'rounds.list', null, `${q.area}: ${rounds.length}`);
      res.json({ rounds });
    },
  });
}
