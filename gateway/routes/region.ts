/** Regions: 京津冀 transfer checks, recorded and emitted as events. */
import type { IRouter } from 'express';
import { requireIndividualBusinessCode } from '../../lib/creditCode.js';
import { chinaDate, tryParseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { topicName } from '../../matchers/reconciler/index.js';
import type { GatewayParts } from '../context.js';
import { regionOfBusiness } from '../jurisdiction.js';
import { parseRequest } from '../requests.js';
import { checkTransfer, transferRequest } from '../transfer.js';

export function regionRoutes(g: GatewayParts, routes: IRouter): void {
  const { o, audit, authed, allowCodes, now, smallJson, requireJurisdiction } = g;
  // Regions: 京津冀 transfer checks, recorded and emitted as events.
  routes.post(
    '/v1/transfers/check',
    ...authed(
      ['region', 'regulator'],
      smallJson,
    )(async (req, res, p) => {
      if (!req.is('application/json')) throw new GetihuError('UNSUPPORTED_MEDIA_TYPE', 'send application/json');
      const body = parseRequest(
        transferRequest,
        req.body,
        'the body must be {"creditCode", "toRegion" (6 digits), "newCreditCode"?}',
      );
      if (p.role === 'region' && (p.region === null || p.region.slice(0, 2) !== body.toRegion.slice(0, 2))) {
        await audit(req, 'transfer.check', body.creditCode.slice(0, 18), 'denied');
        throw new GetihuError('FORBIDDEN', 'a region checks transfers into its own province');
      }
      // A regulator checks transfers out of or into its region.
      if (p.role === 'regulator') {
        const code = requireIndividualBusinessCode(body.creditCode, 'creditCode', allowCodes).code;
        await requireJurisdiction(
          req,
          { kind: 'transfer', fromRegion: await regionOfBusiness(o.store, code), toRegion: body.toRegion },
          'transfer.check',
          code,
        );
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
      await audit(req, 'transfer.check', check.creditCode, check.carried ? 'carried' : 'not-carried');
      res.json(check);
    }),
  );
}
