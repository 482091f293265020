/**
 * What the programme publishes (公示), for anyone, and the national 名录's yearly file:
 *   - the standards a division is typed and categorised by — the province's 分型标准 and the
 *     district's 分类标准, public by the day its text sets (国市监注发〔2024〕10号 附件 一(三)2 查询
 *     个体工商户分型标准; 各区 二(一)1 分类标准…于8月底前向社会公示, Shijingshan 9月底前);
 *   - the candidates under 信息公示 today, with the channel to object (国市监注发〔2024〕10号 附件
 *     二(三)1 信息公示; 三(三) 做好信息公示和异议处理工作), and that channel: an objection is kept for
 *     the regulator, who records its handling as the candidate's objection step;
 *   - for the regulator, the register's types and recognitions as one CSV for the national
 *     个体工商户名录 (附件 一(三)1 8月中旬前汇总至全国“个体工商户名录”), its columns documented in
 *     docs/publication.md.
 */
import { randomUUID } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { requireIndividualBusinessCode } from '../../lib/creditCode.js';
import { formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { isValidDivisionCode, programmeRegionOf } from '../../lib/regions.js';
import { criteriaFor, roundWindow } from '../../matchers/index.js';
import { fail, forbidden, invalid, isoDate, limited, notFound, ok, unauthenticated } from '../api.js';
import type { GatewayParts } from '../context.js';
import { addressKey, rateLimited } from '../limits.js';
import { areaQuery, filingQuery } from '../requests.js';
import { jsonOnly, type RouteTable } from '../route.js';

const divisionQuery = z
  .object({ area: z.string().refine(isValidDivisionCode, 'a GB/T 2260 division code of 6 digits') })
  .strict();

const notice = z.object({
  creditCode: z.string(),
  name: z.string().nullable(),
  region: z.string(),
  route: z.enum(['application', 'recommendation']),
  category: z.string().nullable(),
  from: isoDate,
  until: isoDate,
});

const objectionBody = z
  .object({
    creditCode: z.string().min(1).max(40),
    reason: z.string().trim().min(5).max(1000),
    contact: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

const objection = z.object({
  id: z.string(),
  creditCode: z.string(),
  year: z.number().int(),
  reason: z.string(),
  contact: z.string().nullable(),
  receivedAt: z.string(),
});

/** Objections one address may raise a minute. */
const OBJECTIONS_PER_MINUTE = 5;

/** The columns of the 名录 file, in order (docs/publication.md). */
export const DIRECTORY_COLUMNS = [
  'credit_code',
  'name',
  'region_code',
  'type',
  'type_label',
  'typed_as_of',
  'ruleset',
  'mtyx_category',
  'mtyx_valid_from',
  'mtyx_valid_until',
  'mtyx_status',
] as const;

export function publicationRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, ruleBook, allowCodes } = g;
  const todayDay = () => parseIsoDate(g.today().date);

  /** The notices open on `on` in `area`: candidates of the year with a notice step running that day. */
  const noticesOn = async (area: string, on: number) => {
    const year = Number(formatIsoDate(on).slice(0, 4));
    const rows = await o.store.candidates.of(area, year);
    const open: z.infer<typeof notice>[] = [];
    for (const c of rows)
      for (const s of c.steps) {
        if (s.step !== 'notice' || s.until === null) continue;
        if (parseIsoDate(s.on) <= on && on <= parseIsoDate(s.until))
          open.push({
            creditCode: c.creditCode,
            name: c.name,
            region: c.region,
            route: c.route,
            category: c.category,
            from: s.on,
            until: s.until,
          });
      }
    return { year, open };
  };

  routes.add({
    method: 'get',
    path: '/v1/public/standards',
    operationId: 'publishedStandards',
    tag: 'public',
    summary:
      '公示: the 分型 and 分类 standards a division is typed and categorised by today, cited, with the day they are public by',
    roles: 'anyone',
    query: divisionQuery,
    responses: {
      200: ok(
        'the standards in force',
        z.looseObject({
          area: z.string(),
          ruleset: z.string(),
          name: z.string(),
          publicBy: isoDate.nullable(),
          typing: z.looseObject({}),
          mtyx: z.looseObject({}),
        }),
      ),
      400: invalid,
    },
    check: { usage: 'give area=<6-digit division code>' },
    scope: 'open',
    handler: async (_req, res, _p, { query: q }) => {
      const on = todayDay();
      const rs = ruleBook.inForce(programmeRegionOf(q.area), on);
      const year = Number(g.today().date.slice(0, 4));
      const window = roundWindow(rs, year, q.area);
      const {
        categories: _own,
        districtOverrides: _districts,
        ...mtyx
      } = rs.mtyx as typeof rs.mtyx & {
        categories?: unknown;
        districtOverrides?: unknown;
      };
      res.json({
        area: q.area,
        ruleset: rs.ref,
        name: rs.name,
        effectiveFrom: rs.effectiveFrom,
        sources: rs.sources,
        publicBy: window.standardsPublishedBy === null ? null : formatIsoDate(window.standardsPublishedBy),
        publicByClause: window.clause,
        assumptions: rs.assumptions,
        thresholds: rs.thresholds,
        thresholdNotes: rs.thresholdNotes,
        typing: rs.typing,
        // The district's own category criteria where its text sets them, else the rule set's.
        mtyx: { ...mtyx, categories: criteriaFor(rs, q.area) },
      });
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/public/notices',
    operationId: 'publishedNotices',
    tag: 'public',
    summary: '信息公示: the 名特优新 candidates of an area under public notice today, and where to object',
    roles: 'anyone',
    query: areaQuery,
    responses: {
      200: ok(
        'the notices open today',
        z.object({
          area: z.string(),
          on: isoDate,
          notices: z.array(notice),
          objections: z.string().describe('where to object, while a notice runs'),
          clause: z.string(),
        }),
      ),
      400: invalid,
    },
    check: { usage: 'give area=<6 digits>' },
    scope: 'open',
    handler: async (_req, res, _p, { query: q }) => {
      const on = todayDay();
      const { open } = await noticesOn(q.area, on);
      res.json({
        area: q.area,
        on: formatIsoDate(on),
        notices: open,
        objections: 'POST /v1/public/objections {"creditCode", "reason", "contact"?}',
        clause: '国市监注发〔2024〕10号 附件 二(三)1 信息公示; 三(三) 做好信息公示和异议处理工作',
      });
    },
  });

  // Anyone may object while a notice runs; each address a few times a minute, so the channel
  // cannot be flooded.
  const objectionLimit = rateLimited({
    limit: OBJECTIONS_PER_MINUTE,
    key: (req) => `objection:ip:${addressKey(req)}`,
    message: 'too many objections from this address; try again in a minute',
  });
  routes.add({
    method: 'post',
    path: '/v1/public/objections',
    operationId: 'raiseObjection',
    tag: 'public',
    summary: '异议: object to a 名特优新 candidate while its public notice runs; the regulator handles it',
    roles: 'anyone',
    body: objectionBody,
    middleware: [objectionLimit, jsonOnly],
    responses: {
      201: ok('the objection, kept for the regulator', objection.omit({ contact: true })),
      400: invalid,
      409: fail('no public notice of that business runs today'),
      415: fail('not application/json'),
      429: limited,
    },
    check: { usage: 'the body must be {"creditCode", "reason" (5 to 1000 characters), "contact"? (at most 100)}' },
    scope: 'open',
    handler: async (req, res, _p, { body: b }) => {
      const code = requireIndividualBusinessCode(b.creditCode, 'creditCode', allowCodes).code;
      const on = todayDay();
      const region = (await o.store.business(code))?.region ?? code.slice(2, 8);
      const { year, open } = await noticesOn(region, on);
      if (!open.some((n) => n.creditCode === code))
        throw new GetihuError(
          'CONFLICT',
          `no public notice of ${code} runs on ${formatIsoDate(on)}: objections are taken while it runs`,
        );
      const kept = await o.store.publication.recordObjection({
        id: `obj_${randomUUID()}`,
        creditCode: code,
        year,
        reason: b.reason,
        contact: b.contact ?? null,
      });
      await audit(req, 'objection.raise', code, kept.id);
      const { contact: _contact, ...answer } = kept;
      res.status(201).json(answer);
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/regulator/objections',
    operationId: 'listObjections',
    tag: 'recognitions',
    summary: 'The objections raised against the area’s candidates of a year, with how to reach the objector',
    roles: ['regulator'],
    query: filingQuery,
    responses: {
      200: ok(
        'the objections, oldest first',
        z.object({ area: z.string(), year: z.number().int(), objections: z.array(objection) }),
      ),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
    },
    check: { usage: 'the query must be ?area=<6 digits>&year=<YYYY>' },
    scope: { kind: 'area', action: 'objections.list', targets: (_req, { query }) => [{ kind: 'area', division: query.area }] },
    handler: async (req, res, _p, { query: q }) => {
      const list = await o.store.publication.objectionsIn(q.area, q.year);
      await audit(req, 'objections.list', null, `${q.area}:${q.year}: ${list.length}`);
      res.json({ area: q.area, year: q.year, objections: list });
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/regulator/directory-export',
    operationId: 'exportDirectory',
    tag: 'regulator',
    summary: 'The area’s types and 名特优新 recognitions as one CSV for the national 个体工商户名录 (docs/publication.md)',
    roles: ['regulator'],
    query: areaQuery,
    responses: {
      200: ok('UTF-8 CSV with a header line', z.string()),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      404: notFound,
    },
    check: { usage: 'give area=<6 digits>' },
    scope: { kind: 'area', action: 'directory.export', targets: (_req, { query }) => [{ kind: 'area', division: query.area }] },
    handler: async (req, res, _p, { query: q }) => {
      const day = g.today().date;
      res
        .type('text/csv; charset=utf-8')
        .setHeader('content-disposition', `attachment; filename="getihu-directory-${q.area}-${day}.csv"`);
      res.write(stringify([[...DIRECTORY_COLUMNS]], { bom: true }));
      let after = '';
      let rows = 0;
      for (;;) {
        const page = await o.store.publication.directory(q.area, after, 5000);
        if (page.length === 0) break;
        res.write(
          stringify(
            page.map((r) => [
              r.creditCode,
              r.name ?? '',
              r.region,
              r.type,
              r.label,
              r.asOf,
              r.ruleset,
              r.category ?? '',
              r.validFrom ?? '',
              r.validUntil ?? '',
              r.recognitionStatus === 'active' && r.validUntil !== null && r.validUntil < day
                ? 'expired'
                : (r.recognitionStatus ?? ''),
            ]),
          ),
        );
        rows += page.length;
        after = (page.at(-1) as { creditCode: string }).creditCode;
      }
      await audit(req, 'directory.export', null, `${q.area}: ${rows}`);
      res.end();
    },
  });
}
