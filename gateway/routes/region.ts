/** Regions: 京津冀 transfer checks, recorded and emitted as events. */
import { requireIndividualBusinessCode } from '../../lib/creditCode.js';
import { chinaDate, tryParseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { topicName } from '../../pipeline/index.js';
import { fail, forbidden, invalid, ok, transferBody, unauthenticated } from '../api.js';
import { NATIONAL } from '../auth.js';
import { type GatewayParts, principalOf } from '../context.js';
import { covers, regionOfBusiness } from '../jurisdiction.js';
import { jsonOnly, type RouteTable } from '../route.js';
import { checkTransfer, disclosedReasons, transferRequest } from '../transfer.js';

export function regionRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, allowCodes, now } = g;
  // Regions: 京津冀 transfer checks, recorded and emitted as events.
  routes.add({
    method: 'post',
    path: '/v1/transfers/check',
    operationId: 'checkTransfer',
    tag: 'region',
    summary: '京津冀 transfer: is the recognition carried, until when, do the exclusions hold, which programme applies',
    roles: ['region', 'regulator'],
    body: transferRequest,
    responses: {
      200: ok('the check, recorded', transferBody),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      415: fail('not application/json'),
    },
    middleware: [jsonOnly],
    check: { usage: 'the body must be {"creditCode", "toRegion" (6 digits), "newCreditCode"?}' },
    // A regulator checks transfers out of or into its region; a region, those into its own province.
    scope: {
      kind: 'transfer',
      action: 'transfer.check',
      targets: async (req, { body }) =>
        principalOf(req).role === 'regulator'
          ? [
              {
                kind: 'transfer',
                fromRegion: await regionOfBusiness(
                  o.store,
                  requireIndividualBusinessCode(body.creditCode, 'creditCode', allowCodes).code,
                ),
                toRegion: body.toRegion,
              },
            ]
          : [],
    },
    handler: async (req, res, p, { body }) => {
      const code = requireIndividualBusinessCode(body.creditCode, 'creditCode', allowCodes).code;
      if (p.role === 'region' && p.region !== NATIONAL && p.region?.slice(0, 2) !== body.toRegion.slice(0, 2)) {
        await audit(req, 'transfer.check', code, 'denied');
        throw new GetihuError('FORBIDDEN', 'a region checks transfers into its own province');
      }
      // A second code is read only when it is within the caller's reach (a new registration in the
      // destination the caller checks for), and is audited like the first.
      const newCode =
        body.newCreditCode === undefined
          ? null
          : requireIndividualBusinessCode(body.newCreditCode, 'newCreditCode', allowCodes).code;
      if (newCode !== null && !covers(p, await regionOfBusiness(o.store, newCode))) {
        await audit(req, 'transfer.check', newCode, 'denied');
        throw new GetihuError('FORBIDDEN', "newCreditCode: a registration outside this caller's region");
      }
      const check = await checkTransfer(o.store, body, chinaDate(now()), allowCodes);
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
      const outcome = check.carried ? 'carried' : 'not-carried';
      await audit(req, 'transfer.check', check.creditCode, outcome);
      if (newCode !== null) await audit(req, 'transfer.check', newCode, `${outcome} (new registration)`);
      res.json({ ...check, reasons: disclosedReasons(check.reasons) });
    },
  });
}
