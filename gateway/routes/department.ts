/**
 * Departments (帮扶台账): each responsible department — a token of role `department`, its name in
 * the scope `department:<name>` as the measure catalogues name it, and its region — pulls the
 * worklist of the measures it owes the businesses of its region and records what it did with each:
 * delivered, declined, not reachable, with a date and a note. A measure granted without
 * application (免申即享) stands delivered on the decision until the department records otherwise.
 */
import type { IRouter, Request } from 'express';
import { requireIndividualBusinessCode } from '../../lib/creditCode.js';
import { GetihuError } from '../../lib/errors.js';
import { inArea } from '../../lib/regions.js';
import type { Delivery } from '../../lib/store/index.js';
import type { Principal } from '../auth.js';
import { pastOrToday } from '../calendar.js';
import type { GatewayParts } from '../context.js';
import { deliveryBody, parseRequest, worklistQuery } from '../requests.js';
import { type OwedView, supportViews } from '../support.js';

/** Whether a measure's responsible departments (as the text brackets them, joined by 、) include `department`. */
export function responsibleFor(measureDepartment: string, department: string): boolean {
  return measureDepartment.split('、').some((d) => d.trim() === department);
}

export function departmentRoutes(g: GatewayParts, routes: IRouter): void {
  const { o, audit, authed, allowCodes, smallJson } = g;
  const { viewOf } = supportViews(g);

  /** The department and region a token acts for. */
  const actingFor = (req: Request, p: Principal): { department: string; region: string } => {
    const names = [...p.scopes].filter((s) => s.startsWith('department:')).map((s) => s.slice('department:'.length));
    if (names.length !== 1 || names[0] === '' || p.region === null) {
      void audit(req, 'support.worklist', null, 'denied');
      throw new GetihuError(
        'FORBIDDEN',
        'a department token names one department (scope department:<name>, as the measure catalogues name it) and its region',
      );
    }
    return { department: names[0] as string, region: p.region };
  };

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
          status,
          on: done?.on ?? (m.noApplication ? view.asOf : null),
          note: done?.note ?? (m.noApplication && done === undefined ? '免申即享: granted on the decision' : null),
          because: m.because,
        };
      });

  routes.get(
    '/v1/department/worklist',
    ...authed(['department'])(async (req, res, p) => {
      const { department, region } = actingFor(req, p);
      const q = parseRequest(
        worklistQuery,
        req.query,
        `give after (a credit code), limit (1 to 500) and status (open, delivered, declined, unreachable), each at most once`,
      );
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
    }),
  );

  routes.post(
    '/v1/department/deliveries',
    ...authed(
      ['department'],
      smallJson,
    )(async (req, res, p) => {
      const { department, region } = actingFor(req, p);
      const b = parseRequest(
        deliveryBody,
        req.body,
        `give creditCode, measureId, status (delivered, declined, unreachable), on (YYYY-MM-DD) and an optional note`,
      );
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
    }),
  );
}
