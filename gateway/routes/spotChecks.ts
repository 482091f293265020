/**
 * 双随机、一公开 (国市监注发〔2024〕10号 二(四)): a regulator draws its area's inspection list for a
 * year once, at the ratios its catalogue sets per type, from a seed it does not choose: the
 * server commits to a secret (publishing its SHA-256) before the draw, and the draw mixes it with
 * a public value given then. The public sees the commitment, the secret and the public value once
 * drawn, the seed, the ratios and the sizes, and can check the commitment and redo the draw
 * (SHA-256 of seed:year:credit code).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IRouter, Request } from 'express';
import { parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { isValidDivisionCode } from '../../lib/regions.js';
import type { SpotCheckCommitment } from '../../lib/store/index.js';
import { type BusinessType, drawSpotChecks } from '../../matchers/index.js';
import { currentYear } from '../calendar.js';
import type { GatewayParts } from '../context.js';
import { parseRequest, spotCheckBody, spotCheckCommitBody, spotCheckQuery } from '../requests.js';

/** The seed of a draw: the SHA-256 of the server's secret and the public value, hexadecimal. */
export function drawSeed(secret: string, publicValue: string): string {
  return createHash('sha256').update(`${secret}:${publicValue}`).digest('hex');
}

export function spotCheckRoutes(g: GatewayParts, routes: IRouter): void {
  const { o, audit, authed, open, catalogues, smallJson, requireRegulatorsArea } = g;
  const commitmentView = (c: SpotCheckCommitment | null) =>
    c === null
      ? null
      : {
          commitment: c.commitment,
          committedAt: c.committedAt,
          // The secret is revealed with the draw, never before it.
          secret: c.publicValue === null ? null : c.secret,
          publicValue: c.publicValue,
        };
  const published = async (d: {
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
    ...commitmentView(await o.store.spotChecks.commitment(d.area, d.year)),
    catalogue: d.catalogue,
    rule: d.rule,
    summary: d.summary,
    drawnAt: d.drawnAt,
    method:
      'seed = SHA-256("<secret>:<publicValue>") in hexadecimal, where SHA-256(secret) is the commitment published before the draw; per type, order the businesses by SHA-256 of "<seed>:<year>:<credit code>" (hexadecimal) and take the first ⌈ratio × population⌉',
  });
  /** A draw (or its commitment) is for this year and a division of the country within the caller's region. */
  const drawTarget = async (req: Request, b: { area: string; year: number }, action: string) => {
    currentYear(b.year, 'year', g.today());
    if (!isValidDivisionCode(b.area))
      throw new GetihuError('INVALID_ARGUMENT', `area: ${b.area} is not a division of the country`, { field: 'area' });
    await requireRegulatorsArea(req, b.area, action);
  };

  // The draw's seed is fixed before the draw by the server, not by the drawer (T10): the
  // regulator asks for the year's commitment, the server makes a secret once and publishes its
  // SHA-256; the draw later mixes the secret with a public value and reveals both.
  routes.post(
    '/v1/regulator/spot-checks/commitments',
    ...authed(
      ['regulator'],
      smallJson,
    )(async (req, res, p) => {
      const b = parseRequest(spotCheckCommitBody, req.body, 'the body must be {"area": 6 digits, "year": this year}');
      await drawTarget(req, b, 'spotcheck.commit');
      const secret = randomBytes(32).toString('hex');
      const c = await o.store.spotChecks.commit({
        area: b.area,
        year: b.year,
        secret,
        commitment: createHash('sha256').update(secret).digest('hex'),
        committedBy: p.subject,
      });
      await audit(req, 'spotcheck.commit', null, c.commitment);
      res.status(201).json({ area: c.area, year: c.year, ...commitmentView(c) });
    }),
  );

  routes.post(
    '/v1/regulator/spot-checks',
    ...authed(
      ['regulator'],
      smallJson,
    )(async (req, res, p) => {
      const b = parseRequest(
        spotCheckBody,
        req.body,
        `the body must be {"area": 6 digits, "year": this year, "publicValue": 1 to 200 characters}`,
      );
      await drawTarget(req, b, 'spotcheck.draw');
      const commitment = await o.store.spotChecks.commitment(b.area, b.year);
      if (commitment === null)
        throw new GetihuError(
          'CONFLICT',
          'no commitment for this draw: POST /v1/regulator/spot-checks/commitments first, publish it, then draw',
        );
      const { catalogue } = catalogues.forDivision(b.area, parseIsoDate(g.today().date));
      if (catalogue.spotCheck === undefined)
        throw new GetihuError('CONFLICT', `${catalogue.ref} sets no spot-check ratios for ${b.area}`);
      const population = (await o.store.support.typesIn(b.area)).map((x) => ({
        creditCode: x.creditCode,
        type: x.type as BusinessType,
      }));
      const seed = drawSeed(commitment.secret, b.publicValue);
      const draw = drawSpotChecks(population, { area: b.area, year: b.year, seed, rule: catalogue.spotCheck });
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
      await o.store.spotChecks.reveal(b.area, b.year, b.publicValue);
      await audit(req, 'spotcheck.draw', null, `${draw.list.length} drawn`);
      res.status(201).json({ ...(await published(kept)), list: kept.list });
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
      res.json({ ...(await published(d)), list: d.list });
    }),
  );

  // The commitment, published before the draw: anyone may keep it and check the secret against it later.
  routes.get(
    '/v1/public/spot-checks/commitments',
    open(async (req, res) => {
      const q = parseRequest(spotCheckQuery, req.query, 'give area (6 digits) and year (2024–2100), each once');
      const c = await o.store.spotChecks.commitment(q.area, q.year);
      if (c === null) throw new GetihuError('NOT_FOUND', 'no commitment for that area and year');
      res.json({ area: c.area, year: c.year, ...commitmentView(c) });
    }),
  );

  // 公开: what anyone may see of a draw — its seed, its ratios, its sizes — not whom it drew.
  routes.get(
    '/v1/public/spot-checks',
    open(async (req, res) => {
      const q = parseRequest(spotCheckQuery, req.query, 'give area (6 digits) and year (2024–2100), each once');
      const d = await o.store.spotChecks.of(q.area, q.year);
      if (d === null) throw new GetihuError('NOT_FOUND', 'no draw of that area and year');
      res.json(await published(d));
    }),
  );
}
