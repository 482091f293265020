/**
 * 双随机、一公开 (国市监注发〔2024〕10号 二(四)): a regulator draws its area's inspection plan for a
 * year once, at the ratio and frequency its catalogue sets for each type (不符合分型条件 included),
 * from a seed it does not choose: the
 * server commits to a secret (publishing its SHA-256) before the draw, and the draw mixes it with
 * a public value given then. The public sees the commitment, the secret and the public value once
 * drawn, the seed, the ratios and the sizes, and can check the commitment and redo the draw
 * (SHA-256 of seed:period:credit code).
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { isValidDivisionCode } from '../../lib/regions.js';
import type { SpotCheckCommitment } from '../../lib/store/index.js';
import { type BusinessType, drawSpotChecks } from '../../matchers/index.js';
import {
  fail,
  forbidden,
  invalid,
  notFound,
  ok,
  spotCheckCommitment,
  spotCheckDrawn,
  spotCheckPublished,
  unauthenticated,
} from '../api.js';
import { currentYear } from '../calendar.js';
import type { GatewayParts } from '../context.js';
import { spotCheckBody, spotCheckCommitBody, spotCheckQuery } from '../requests.js';
import type { ObjectScope, RouteTable } from '../route.js';

/** The seed of a draw: the SHA-256 of the server's secret and the public value, hexadecimal. */
export function drawSeed(secret: string, publicValue: string): string {
  return createHash('sha256').update(`${secret}:${publicValue}`).digest('hex');
}

export function spotCheckRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, catalogues } = g;
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
      'seed = SHA-256("<secret>:<publicValue>") in hexadecimal, where SHA-256(secret) is the commitment published before the draw; per type and per period of its frequency (<year>, <year>-H1/H2, <year>-Q1…Q4), order the businesses of the type by SHA-256 of "<seed>:<period>:<credit code>" (hexadecimal) and take the first ⌈ratio × population⌉',
  });
  /** A draw (or its commitment) is for this year and a division of the country, which must be within the caller's region. */
  const drawScope = (action: string): ObjectScope<{ readonly body: { area: string; year: number } }> => ({
    kind: 'area',
    action,
    targets: (_req, { body: b }) => {
      currentYear(b.year, 'year', g.today());
      if (!isValidDivisionCode(b.area))
        throw new GetihuError('INVALID_ARGUMENT', `area: ${b.area} is not a division of the country`, { field: 'area' });
      return [{ kind: 'area', division: b.area }];
    },
  });

  // The draw's seed is fixed before the draw by the server, not by the drawer (T10): the
  // regulator asks for the year's commitment, the server makes a secret once and publishes its
  // SHA-256; the draw later mixes the secret with a public value and reveals both.
  routes.add({
    method: 'post',
    path: '/v1/regulator/spot-checks/commitments',
    operationId: 'commitSpotChecks',
    tag: 'regulator',
    summary:
      'Before the draw: the server makes the year’s secret once and publishes its SHA-256 (the same answer if asked again)',
    roles: ['regulator'],
    body: spotCheckCommitBody,
    responses: {
      201: ok('the commitment', spotCheckCommitment.extend({ area: z.string(), year: z.number().int() })),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
    check: { usage: 'the body must be {"area": 6 digits, "year": this year}' },
    scope: drawScope('spotcheck.commit'),
    handler: async (req, res, p, { body: b }) => {
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
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/regulator/spot-checks',
    operationId: 'drawSpotChecks',
    tag: 'regulator',
    summary:
      'Draw the year’s 双随机、一公开 inspection list of the area, once, from the server’s committed secret and a public value, at the ratio and frequency the catalogue sets for each type, 不符合分型条件 included',
    roles: ['regulator'],
    body: spotCheckBody,
    responses: {
      201: ok('the draw, kept', spotCheckDrawn),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      409: fail('the area’s draw of that year was made already, or no commitment was made for it'),
    },
    check: { usage: 'the body must be {"area": 6 digits, "year": this year, "publicValue": 1 to 200 characters}' },
    scope: drawScope('spotcheck.draw'),
    handler: async (req, res, p, { body: b }) => {
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
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/regulator/spot-checks',
    operationId: 'readSpotChecks',
    tag: 'regulator',
    summary: 'A draw of the area, with its list',
    roles: ['regulator'],
    query: spotCheckQuery,
    responses: { 200: ok('the draw', spotCheckDrawn), 400: invalid, 401: unauthenticated, 403: forbidden, 404: notFound },
    check: { usage: 'give area (6 digits) and year (2024–2100), each once' },
    scope: { kind: 'area', action: 'spotcheck.read', targets: (_req, { query }) => [{ kind: 'area', division: query.area }] },
    handler: async (req, res, _p, { query: q }) => {
      const d = await o.store.spotChecks.of(q.area, q.year);
      await audit(req, 'spotcheck.read', null, d === null ? 'not-found' : 'ok');
      if (d === null) throw new GetihuError('NOT_FOUND', 'no draw of that area and year');
      res.json({ ...(await published(d)), list: d.list });
    },
  });

  // The commitment, published before the draw: anyone may keep it and check the secret against it later.
  routes.add({
    method: 'get',
    path: '/v1/public/spot-checks/commitments',
    operationId: 'publishedSpotCheckCommitment',
    tag: 'public',
    summary: '公开: the commitment of an area’s draw of a year, published before it',
    roles: 'anyone',
    query: spotCheckQuery,
    responses: {
      200: ok('the commitment', spotCheckCommitment.extend({ area: z.string(), year: z.number().int() })),
      400: invalid,
      404: notFound,
    },
    check: { usage: 'give area (6 digits) and year (2024–2100), each once' },
    scope: 'open',
    handler: async (_req, res, _p, { query: q }) => {
      const c = await o.store.spotChecks.commitment(q.area, q.year);
      if (c === null) throw new GetihuError('NOT_FOUND', 'no commitment for that area and year');
      res.json({ area: c.area, year: c.year, ...commitmentView(c) });
    },
  });

  // 公开: what anyone may see of a draw — its seed, its ratios, its sizes — not whom it drew.
  routes.add({
    method: 'get',
    path: '/v1/public/spot-checks',
    operationId: 'publishedSpotChecks',
    tag: 'public',
    summary: '公开: a draw’s seed, ratios and sizes, with how to redo it (not whom it drew)',
    roles: 'anyone',
    query: spotCheckQuery,
    responses: { 200: ok('what is published of the draw', spotCheckPublished), 400: invalid, 404: notFound },
    check: { usage: 'give area (6 digits) and year (2024–2100), each once' },
    scope: 'open',
    handler: async (_req, res, _p, { query: q }) => {
      const d = await o.store.spotChecks.of(q.area, q.year);
      if (d === null) throw new GetihuError('NOT_FOUND', 'no draw of that area and year');
      res.json(await published(d));
    },
  });
}
