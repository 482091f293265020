/**
 * Departments (帮扶台账): each responsible department — a token of role `department`, its name in
 * the scope `department:<name>` as the measure catalogues name it, and its region — pulls the
 * worklist of the measures it owes the businesses of its region and records what it did with each:
 * delivered, declined, not reachable, with a date and a note. A measure granted without
 * application (免申即享) stands delivered on the decision until the department records otherwise.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { requireIndividualBusinessCode } from '../../lib/creditCode.js';
import { GetihuError } from '../../lib/errors.js';
import { inArea } from '../../lib/regions.js';
import type { Delivery } from '../../lib/store/index.js';
import { fail, forbidden, invalid, ok, unauthenticated } from '../api.js';
import type { Principal } from '../auth.js';
import { pastOrToday } from '../calendar.js';
import type { GatewayParts } from '../context.js';
import { deliveryBody, worklistQuery } from '../requests.js';
import type { RouteTable } from '../route.js';
import { type OwedView, supportViews } from '../support.js';

/** Whether a measure's responsible departments (as the text brackets them, joined by 、) include `department`. */
export function responsibleFor(measureDepartment: string, department: string): boolean {
  return measureDepartment.split('、').some((d) => d.trim() === department);
}

/**
 * The department and region a department token acts for: one scope `department:<name>` (as the
 * measure catalogues name it) and a region; anything else is refused, audited under `action`.
 */
export function departmentActing(
  g: GatewayParts,
  req: Request,
  p: Principal,
  action: string,
): { department: string; region: string } {
  const names = [...p.scopes].filter((s) => s.startsWith('department:')).map((s) => s.slice('department:'.length));
  if (names.length !== 1 || names[0] === '' || p.region === null) {
    void g.audit(req, action, null, 'denied');
    throw new GetihuError(
      'FORBIDDEN',
      'a department token names one department (scope department:<name>, as the measure catalogues name it) and its region',
    );
  }
  return { department: names[0] as string, region: p.region };
}

export function departmentRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, allowCodes } = g;
  const { viewOf } = supportViews(g);

  const actingFor = (req: Request, p: Principal) => departmentActing(g, req, p, 'support.worklist');

  const itemsOf = (view: OwedView, department: string, ledger: ReadonlyMap<string, Delivery>) =>
    view.measures
      .filter((m) => responsibleFor(m.department, department))
      .map((m) => {
        const done = ledger.get(`${view.creditCode}|${m.id}`);
        const status = done?.status ?? (m.noApplication ? 'delivered' : 'open');
        return {
          creditCode: view.creditCode,
          type: view.type,
          mtyx: view.mtyx,
          measureId: m.id,
          title: m.title,
          clause: m.clause,
          channel: m.channel,
          noApplication: m.noApplication,
          // What the department still has to check, and until when the text gives the measure.
          ...(m.conditions === undefined ? {} : { conditions: m.conditions }),
          ...(m.until === undefined ? {} : { until: m.until }),
          status,
          on: done?.on ?? (m.noApplication ? view.asOf : null),
          note: done?.note ?? (m.noApplication && done === undefined ? '免申即享: granted on the decision' : null),
          because: m.because,
        };
      });

  routes.add({
    method: 'get',
    path: '/v1/department/worklist',
    operationId: 'departmentWorklist',
    tag: 'department',
    summary: 'The measures a department owes the businesses of its region, a page of businesses at a time, with their status',
    description:
      'The token is of role department, with the scope department:<name> (as the measure catalogues name it) and its region. A measure granted without application (免申即享) stands delivered on the decision until the department records otherwise.',
    roles: ['department'],
    query: worklistQuery,
    responses: {
      200: ok(
        'a page of the worklist',
        z.object({
          department: z.string(),
          region: z.string(),
          items: z.array(
            z.looseObject({
              creditCode: z.string(),
              measureId: z.string(),
              status: z.enum(['open', 'delivered', 'declined', 'unreachable']),
              on: z.string().nullable(),
            }),
          ),
          next: z.object({ after: z.string() }).nullable(),
        }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
    check: {
      usage:
        'give after (a credit code), limit (1 to 500) and status (open, delivered, declined, unreachable), each at most once',
    },
    scope: 'filtered',
    handler: async (req, res, p, { query: q }) => {
      const { department, region } = actingFor(req, p);
      const rows = await o.store.support.page(region, q.after, q.limit);
      const ledger = new Map(
        (
          await o.store.support.deliveries(
            department,
            rows.map((r) => r.creditCode),
          )
        ).map((d) => [`${d.creditCode}|${d.measureId}`, d]),
      );
      // All the page's businesses asked at once: the store answers them in a few statements.
      const items = (await Promise.all(rows.map(viewOf))).flatMap((view) => itemsOf(view, department, ledger));
      await audit(req, 'support.worklist', null, 'ok');
      res.json({
        department,
        region,
        items: q.status === undefined ? items : items.filter((x) => x.status === q.status),
        next: rows.length === q.limit ? { after: rows[rows.length - 1]?.creditCode } : null,
      });
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/department/deliveries',
    operationId: 'recordDelivery',
    tag: 'department',
    summary: 'Record what the department did with a measure it owes a business: delivered, declined or not reachable',
    roles: ['department'],
    body: deliveryBody,
    responses: {
      201: ok(
        'recorded',
        z.object({
          creditCode: z.string(),
          measureId: z.string(),
          department: z.string(),
          status: z.enum(['delivered', 'declined', 'unreachable']),
          on: z.string(),
          note: z.string().nullable(),
          recordedBy: z.string(),
          recordedAt: z.string(),
        }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: fail('not a measure this department owes the business'),
    },
    check: {
      usage: 'give creditCode, measureId, status (delivered, declined, unreachable), on (YYYY-MM-DD) and an optional note',
    },
    scope: {
      kind: 'business',
      action: 'support.deliver',
      targets: (_req, { body }) => [
        { kind: 'business', creditCode: requireIndividualBusinessCode(body.creditCode, 'creditCode', allowCodes).code },
      ],
    },
    handler: async (req, res, p, { body: b }) => {
      const { department, region } = actingFor(req, p);
      const code = requireIndividualBusinessCode(b.creditCode, 'creditCode', allowCodes).code;
      pastOrToday(b.on, 'on', g.today());
      const owed = await o.store.support.of(code);
      if (owed === null || !inArea(region, owed.region)) {
        await audit(req, 'support.deliver', code, 'denied');
        throw new GetihuError('FORBIDDEN', 'the business is not one typed in the region the token acts for');
      }
      const view = await viewOf(owed);
      const measure = view.measures.find((m) => m.id === b.measureId);
      if (measure === undefined || !responsibleFor(measure.department, department)) {
        await audit(req, 'support.deliver', code, 'not-found');
        throw new GetihuError('NOT_FOUND', `measureId: ${b.measureId} is not a measure ${department} owes this business`);
      }
      const d = await o.store.support.recordDelivery({
        creditCode: code,
        measureId: measure.id,
        department,
        status: b.status,
        on: b.on,
        note: b.note ?? null,
        recordedBy: p.subject,
      });
      await audit(req, 'support.deliver', code, b.status);
      res.status(201).json(d);
    },
  });
}
