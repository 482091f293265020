/**
 * 双随机、一公开 (国市监注发〔2024〕10号 二(四)): a regulator draws its area's inspection list for a
 * year once, from a seed it publishes, at the ratios its catalogue sets per type; the public sees
 * the seed, the ratios and the sizes, and can redo the draw (SHA-256 of seed:year:credit code).
 */
import type { IRouter } from 'express';
import { chinaDate, parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { type BusinessType, drawSpotChecks } from '../../matchers/index.js';
import { currentYear } from '../calendar.js';
import type { GatewayParts } from '../context.js';
import { parseRequest, spotCheckBody, spotCheckQuery } from '../requests.js';

export function spotCheckRoutes(g: GatewayParts, routes: IRouter): void {
  const { o, audit, authed, open, now, catalogues, smallJson, requireRegulatorsArea } = g;
  const published = (d: {
    area: string;
    year: number;
    seed: string;
    catalogue: string;
    rule: unknown;
    summary: unknown;
    drawnAt: string;
  }) => ({
    area: d.area,
    year: d.year,
    seed: d.seed,
    catalogue: d.catalogue,
    rule: d.rule,
    summary: d.summary,
    drawnAt: d.drawnAt,
    method:
      'per type, order the businesses by SHA-256 of "<seed>:<year>:<credit code>" (hexadecimal) and take the first ⌈ratio × population⌉',
  });

  routes.post(
    '/v1/regulator/spot-checks',
    ...authed(
      ['regulator'],
      smallJson,
    )(async (req, res, p) => {
      const b = parseRequest(
        spotCheckBody,
        req.body,
        `the body must be {"area": 6 digits, "year": 2024–2100, "seed": 1 to 200 characters}`,
      );
      currentYear(b.year, 'year', g.today());
      await requireRegulatorsArea(req, b.area, 'spotcheck.draw');
      const { catalogue } = catalogues.forDivision(b.area, parseIsoDate(chinaDate(now())));
      if (catalogue.spotCheck === undefined)
        throw new GetihuError('CONFLICT', `${catalogue.ref} sets no spot-check ratios for ${b.area}`);
      const population = (await o.store.support.typesIn(b.area)).map((x) => ({
        creditCode: x.creditCode,
        type: x.type as BusinessType,
      }));
      const draw = drawSpotChecks(population, { ...b, rule: catalogue.spotCheck });
      const kept = await o.store.spotChecks.record({
        area: draw.area,
        year: draw.year,
        seed: draw.seed,
        catalogue: catalogue.ref,
        rule: catalogue.spotCheck,
        summary: draw.summary,
        list: draw.list,
        drawnBy: p.subject,
      });
      await audit(req, 'spotcheck.draw', null, `${draw.list.length} drawn`);
      res.status(201).json({ ...published(kept), list: kept.list });
    }),
  );

  routes.get(
    '/v1/regulator/spot-checks',
    ...authed(['regulator'])(async (req, res) => {
      const q = parseRequest(spotCheckQuery, req.query, 'give area (6 digits) and year (2024–2100), each once');
      await requireRegulatorsArea(req, q.area, 'spotcheck.read');
      const d = await o.store.spotChecks.of(q.area, q.year);
      await audit(req, 'spotcheck.read', null, d === null ? 'not-found' : 'ok');
      if (d === null) throw new GetihuError('NOT_FOUND', 'no draw of that area and year');
      res.json({ ...published(d), list: d.list });
    }),
  );

  // 公开: what anyone may see of a draw — its seed, its ratios, its sizes — not whom it drew.
  routes.get(
    '/v1/public/spot-checks',
    open(async (req, res) => {
      const q = parseRequest(spotCheckQuery, req.query, 'give area (6 digits) and year (2024–2100), each once');
      const d = await o.store.spotChecks.of(q.area, q.year);
      if (d === null) throw new GetihuError('NOT_FOUND', 'no draw of that area and year');
      res.json(published(d));
    }),
  );
}
