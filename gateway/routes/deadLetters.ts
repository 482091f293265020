/**
 * Regulators: the records set aside (dead letters) — an agency's line its checks refused, or a
 * record a consumer could not decode or apply — by agency, feed and reason, with the original,
 * newest first; and, once the cause is fixed, the replay of the consumers' ones to where they came
 * from (pipeline/deadLetters.ts). A regional regulator sees those of its region's businesses (a
 * record keyed by an individual business's credit code); the rest, and the replay, which acts on
 * every region's topics, are the country's regulator's.
 */
import { z } from 'zod';
import { GetihuError } from '../../lib/errors.js';
import { type DeadLetter, listDeadLetters, replayDeadLetters } from '../../pipeline/index.js';
import { fail, forbidden, invalid, ok, unauthenticated, unavailable } from '../api.js';
import { NATIONAL } from '../auth.js';
import type { GatewayParts } from '../context.js';
import { covers, regionOfBusiness } from '../jurisdiction.js';
import { deadLettersQuery } from '../requests.js';
import type { RouteTable } from '../route.js';

/** An individual business's credit code (GB 32100-2015, 92…), as a business-keyed record's key is. */
const BUSINESS_KEY = /^92[0-9A-HJ-NPQRTUWXY]{16}$/;
/** Control characters other than tab and line breaks: an original with any is shown as bytes only. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/;

const deadLetterView = z.object({
  key: z.string(),
  consumer: z.string().nullable(),
  agency: z.string(),
  feed: z.string(),
  line: z.number(),
  sourceTopic: z.string().nullable(),
  sourcePartition: z.number().nullable(),
  sourceOffset: z.number().nullable(),
  sourceKey: z.string().nullable(),
  reasonCode: z.string(),
  reason: z.string(),
  original: z.string().describe('the original bytes, base64'),
  originalText: z
    .string()
    .nullable()
    .describe('the original as text, when it is text (an agency’s line); null for binary (Avro)'),
  deadAt: z.string().nullable(),
});

function view(d: DeadLetter) {
  const text = d.original.toString('utf8');
  return {
    ...d,
    original: d.original.toString('base64'),
    originalText: BINARY.test(text) ? null : text,
    deadAt: d.deadAt === null ? null : new Date(d.deadAt).toISOString(),
  };
}

export function deadLetterRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit } = g;
  const pipeline = () => {
    if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
    return o.pipeline;
  };
  routes.add({
    method: 'get',
    path: '/v1/regulator/dead-letters',
    operationId: 'listDeadLetters',
    tag: 'regulator',
    summary: 'Records set aside, newest first, by agency, feed and reason, with the original',
    description:
      'A regional regulator sees those keyed by a business of its region; the country’s regulator sees every one (agencies’ lines too).',
    roles: ['regulator'],
    query: deadLettersQuery,
    responses: {
      200: ok('the dead letters', z.object({ deadLetters: z.array(deadLetterView), total: z.number().int() })),
      400: invalid,
      401: unauthenticated,
      403: forbidden,
      503: unavailable,
    },
    check: { usage: 'give agency, feed, reasonCode and limit (1 to 1000), each optional' },
    scope: 'filtered',
    handler: async (req, res, p, { query: q }) => {
      const all = await listDeadLetters(pipeline());
      const mine: DeadLetter[] = [];
      for (const d of all.reverse()) {
        if (q.agency !== undefined && d.agency !== q.agency) continue;
        if (q.feed !== undefined && d.feed !== q.feed) continue;
        if (q.reasonCode !== undefined && d.reasonCode !== q.reasonCode) continue;
        const code = d.sourceKey ?? '';
        const visible = p.region === NATIONAL || (BUSINESS_KEY.test(code) && covers(p, await regionOfBusiness(o.store, code)));
        if (visible) mine.push(d);
      }
      await audit(req, 'deadletters.read', null, `${mine.length}`);
      res.json({ deadLetters: mine.slice(0, q.limit).map(view), total: mine.length });
    },
  });
  routes.add({
    method: 'post',
    path: '/v1/regulator/dead-letters/replay',
    operationId: 'replayDeadLetters',
    tag: 'regulator',
    summary: 'Once the cause is fixed: send every consumer dead letter not replayed before back to its topic and partition',
    description: 'An agency’s refused line is corrected and pushed again by the agency; it is not replayed.',
    roles: ['regulator'],
    responses: {
      200: ok(
        'what the replay did',
        z.object({ replayed: z.number().int(), duplicates: z.number().int(), agencyRecords: z.number().int() }),
      ),
      401: unauthenticated,
      403: fail('a regulator below the country’s level, whose region is not every region'),
      503: unavailable,
    },
    // It acts on every region's topics at once: the country's area, which only a national token covers.
    scope: { kind: 'area', action: 'deadletters.replay', targets: () => [{ kind: 'area', division: NATIONAL }] },
    handler: async (req, res) => {
      const summary = await replayDeadLetters(pipeline());
      await audit(req, 'deadletters.replay', null, `replayed ${summary.replayed}`);
      res.json(summary);
    },
  });
}
