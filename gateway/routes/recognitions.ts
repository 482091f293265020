/** Regulators' work on 名特优新 recognitions: the review steps of candidates, revocation (撤销), and the level above's review of what a district filed (备案). */
import type { IRouter } from 'express';
import { FEEDS, ingestRecords } from '../../connectors/index.js';
import { addYears, formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { refuseRecognition, revokeRecognition } from '../../pipeline/index.js';
import { actedOn, dateWithin } from '../calendar.js';
import { creditCodeParam, type GatewayParts } from '../context.js';
import { filingQuery, filingReviewBody, parseRequest, revokeBody, stepsBody } from '../requests.js';

export function recognitionRoutes(g: GatewayParts, routes: IRouter): void {
  const { o, audit, authed, allowCodes, cache, smallJson, requireRegulatorsArea, requireBusinessInRegion } = g;
  // Regulators record the review steps of their candidates (走访核实, 征求意见, 信息公示 and objections
  // raised during it): each one a fact with the date and the regulator who acted, through the
  // same connector as any feed, and the round requires the steps its rule set names.
  routes.post(
    '/v1/regulator/review-steps',
    ...authed(
      ['regulator'],
      smallJson,
    )(async (req, res, p) => {
      const b = parseRequest(stepsBody, req.body, 'the body must be {"batchId": "…", "steps": [ … 1 to 500 review steps … ]}');
      if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      // Every step must concern a business within this regulator's region; who acted is the token's subject.
      for (const s of b.steps) {
        const code = typeof s.creditCode === 'string' ? s.creditCode : '';
        const region = (await o.store.business(code))?.region ?? code.slice(2, 8);
        await requireRegulatorsArea(req, region, 'review.step', code === '' ? null : code.slice(0, 18));
      }
      const summary = await ingestRecords(
        b.steps.map((s, i) => {
          const fields = { ...s, actor: p.subject };
          return { line: i + 1, original: JSON.stringify(fields), fields };
        }),
        {
          bus: o.pipeline.bus,
          allowCodes,
          codec: o.pipeline.codec,
          feed: FEEDS.get('market-regulator/review-steps') as NonNullable<ReturnType<typeof FEEDS.get>>,
          source: `http:${p.subject}:${b.batchId}`,
          topicPrefix: o.pipeline.prefix,
          keepOutcomes: true,
          receivedAt: g.now().getTime(),
        },
      );
      await audit(req, 'review.step', null, `accepted ${summary.accepted} rejected ${summary.rejected}`);
      res.status(summary.rejected === 0 ? 200 : 207).json(summary);
    }),
  );

  routes.post(
    '/v1/regulator/recognitions/:code/revoke',
    ...authed(
      ['regulator'],
      smallJson,
    )(async (req, res, p) => {
      const code = creditCodeParam(req, allowCodes);
      const b = parseRequest(
        revokeBody,
        req.body,
        'the body must be {"ground": "fraud"|"bribery", "note": text, "on"?: YYYY-MM-DD}',
      );
      if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      await requireBusinessInRegion(req, code, 'recognition.revoke');
      const on = actedOn(b.on, 'on', g.today());
      // The change that reaches banks and platforms carries the ground and the clause; the note
      // (names, case ids) stays with the regulators (T11).
      const change = await revokeRecognition(o.pipeline, o.store, { creditCode: code, ground: b.ground, on });
      await audit(req, 'recognition.revoke', code, change === null ? 'not-found' : 'ok');
      if (change === null) throw new GetihuError('NOT_FOUND', 'no active 名特优新 recognition for that credit code');
      await o.store.recordRevocationNote({ creditCode: code, revokedOn: on, ground: b.ground, note: b.note, actor: p.subject });
      res.status(201).json({ ...change, note: b.note });
    }),
  );

  // The level above reviews what a district filed (备案): the filing list of a year, and a review
  // of one recognition — confirmed, more material by a date (限期补充材料), or refused (不予认定,
  // which ends the recognition). A district regulator reviews nobody's filing, its own least.
  routes.get(
    '/v1/regulator/filings',
    ...authed(['regulator'])(async (req, res) => {
      const q = parseRequest(filingQuery, req.query, 'the query must be ?area=<6 digits>&year=<YYYY>');
      await requireRegulatorsArea(req, q.area, 'filing.list');
      const list = await o.store.filingList(q.area, q.year);
      await audit(req, 'filing.list', null, `${q.area}:${q.year}: ${list.length}`);
      res.json({ area: q.area, year: q.year, recognitions: list });
    }),
  );
  routes.post(
    '/v1/regulator/recognitions/:code/filing-review',
    ...authed(
      ['regulator'],
      smallJson,
    )(async (req, res, p) => {
      const code = creditCodeParam(req, allowCodes);
      const b = parseRequest(
        filingReviewBody,
        req.body,
        'the body must be {"outcome": "confirmed"|"supplement"|"refused", "note": text, "on"?: YYYY-MM-DD, "supplementBy"?: YYYY-MM-DD}',
      );
      const on = actedOn(b.on, 'on', g.today());
      if (b.supplementBy !== undefined)
        dateWithin(
          b.supplementBy,
          'supplementBy',
          on,
          formatIsoDate(addYears(parseIsoDate(on), 1)),
          'more material is due after the review, within a year of it',
        );
      if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
      const region = (await o.store.business(code))?.region ?? code.slice(2, 8);
      await requireRegulatorsArea(req, region, 'filing.review', code);
      // A district's filed recognitions are reviewed by the level above; a district reviews none, its own least.
      await g.requireLevel(req, 'filing.review', 'filing.review', code);
      const recognition = await o.store.recognition(code);
      if (recognition === null || recognition.status !== 'active') {
        await audit(req, 'filing.review', code, 'not-found');
        throw new GetihuError('NOT_FOUND', 'no active 名特优新 recognition for that credit code');
      }
      if (b.outcome === 'refused') {
        const change = await refuseRecognition(o.pipeline, o.store, { creditCode: code, on });
        if (change === null) throw new GetihuError('NOT_FOUND', 'no active 名特优新 recognition for that credit code');
        cache.invalidate(code);
      }
      const review = {
        creditCode: code,
        year: Number(recognition.validFrom.slice(0, 4)),
        outcome: b.outcome,
        reviewedOn: on,
        supplementBy: b.supplementBy ?? null,
        actor: p.subject,
        note: b.note,
      };
      await o.store.recordFilingReview(review);
      await audit(req, 'filing.review', code, b.outcome);
      res.status(201).json(review);
    }),
  );
}
