/** Regulators: explain a decision down to its facts and source records, read and verify the audit log, and start and follow their jobs (runs, rounds, sweeps) — within their own jurisdiction. */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { sharedWhileRunning } from '../../lib/batch.js';
import { requireIndividualBusinessCode } from '../../lib/creditCode.js';
import { type ErrorCode, GetihuError } from '../../lib/errors.js';
import type { JobRow } from '../../lib/store/index.js';
import {
  carryTransfers,
  type JobSpec,
  type PipelineContext,
  runRecognition,
  runTyping,
  sweepBadges,
} from '../../pipeline/index.js';
import {
  auditPageBody,
  auditVerifyBody,
  codeParams,
  explanation,
  forbidden,
  invalid,
  job,
  jobBody,
  notFound,
  ok,
  unauthenticated,
  unavailable,
} from '../api.js';
import { verifyAudit } from '../auditVerify.js';
import type { Principal } from '../auth.js';
import { pastOrToday, sweepDay } from '../calendar.js';
import { creditCodeParam, type GatewayParts } from '../context.js';
import { HTTP_STATUS, sendError } from '../errors.js';
import { auditQuery, roundBody, runBody, sweepBody } from '../requests.js';
import { businessInPath, type RouteTable } from '../route.js';
import { supportViews } from '../support.js';

export function regulatorRoutes(g: GatewayParts, routes: RouteTable): void {
  const { o, audit, allowCodes, ruleBook, cache, requireBusinessInRegion } = g;
  const { owedView } = supportViews(g);
  // The job a path names (null: none with that id).
  const jobOf = async (req: Request) => {
    const id = String(req.params.id ?? '');
    return /^job_[0-9a-f-]{36}$/.test(id) ? await o.store.jobs.of(id) : null;
  };
  // Regulators: explain a decision down to its facts and source records; read and verify the audit log.
  routes.add({
    method: 'get',
    path: '/v1/regulator/decisions/:code',
    operationId: 'explainDecision',
    tag: 'regulator',
    summary: 'A decision explained criterion by criterion, its history, its standing and its recognition’s life',
    roles: ['regulator'],
    params: codeParams,
    responses: { 200: ok('the explanation', explanation), 400: invalid, 401: unauthenticated, 403: forbidden, 404: notFound },
    scope: businessInPath(allowCodes, 'decision.explain'),
    handler: async (req, res) => {
      const code = creditCodeParam(req, allowCodes);
      const { decision, recognition } = await o.store.decisionAndRecognition(code);
      const history = await o.store.history(code);
      const life = await o.store.recognitionLife(code);
      await audit(req, 'decision.explain', code, decision === null ? 'not-found' : 'ok');
      if (decision === null) throw new GetihuError('NOT_FOUND', 'no decision for that credit code');
      // The life of its 名特优新 recognitions, oldest first: each round's outcome for it (the
      // application's criteria with their clauses, or a renewal review's grounds), then each
      // change of status with its reason and clause.
      const recognitionLife = [
        ...life.outcomes.map((x) => ({
          on: x.decidedOn,
          step: x.outcome === 'renewed' ? 'renewal' : 'round',
          roundId: x.roundId,
          year: x.year,
          outcome: x.outcome,
          category: x.category,
          validFrom: x.validFrom,
          validUntil: x.validUntil,
          explanation: x.explanation,
          reasons: x.reasons,
        })),
        ...life.changes.map((c) => ({
          on: c.changedOn,
          step: c.status,
          category: c.category,
          validUntil: c.validUntil,
          explanation: c.reason,
        })),
        ...life.rechecks.map((c) => ({
          on: c.checkedOn,
          step: 'recheck',
          outcome: c.outcome,
          reportsMissing: c.reports.missing,
          reportsLate: c.reports.late,
          explanation: c.reason,
        })),
        ...life.revocationNotes.map((n) => ({
          on: n.revokedOn,
          step: 'revocationNote',
          ground: n.ground,
          actor: n.actor,
          explanation: n.note,
        })),
        ...life.filings.map((f) => ({
          on: f.reviewedOn,
          step: 'filingReview',
          outcome: f.outcome,
          actor: f.actor,
          supplementBy: f.supplementBy,
          explanation: f.note,
        })),
      ].sort((p, q) => ((p.on ?? '') < (q.on ?? '') ? -1 : (p.on ?? '') > (q.on ?? '') ? 1 : 0));
      // Which decision stands, and why: a dispute adjustment outranks runs on the same facts.
      const standing = decision.runId?.startsWith('dispute:')
        ? {
            by: 'dispute',
            disputeId: decision.runId.slice('dispute:'.length),
            reason:
              'a dispute adjustment stands until a decision on newer facts (a later as-of date or other source records) or a new adjustment; a run on the same facts does not replace it',
          }
        : { by: 'run', reason: 'the newest decision on the facts on file' };
      // What the decision owes the business (精准帮扶), explained the same way.
      const support = await owedView(code);
      res.json({ decision, standing, history, recognition, recognitionLife, support });
    },
  });
  routes.add({
    method: 'get',
    path: '/v1/regulator/audit',
    operationId: 'readAudit',
    tag: 'regulator',
    summary: 'The audit log, newest first, a page at a time (of the region’s businesses only)',
    roles: ['regulator'],
    query: auditQuery,
    responses: { 200: ok('a page of entries', auditPageBody), 400: invalid, 401: unauthenticated, 403: forbidden },
    check: {
      usage: `give creditCode (an individual business's code), subject, action, since and until (ISO times), before (a seq) and limit (1 to 1000), each at most once`,
    },
    scope: 'filtered',
    handler: async (req, res, p, { query: q }) => {
      const code =
        q.creditCode === undefined ? undefined : requireIndividualBusinessCode(q.creditCode, 'creditCode', allowCodes).code;
      // A regional regulator reads the entries of the businesses of its region only.
      if (code !== undefined) await requireBusinessInRegion(req, code, 'audit.read');
      const limit = q.limit ?? 100;
      const entries = await o.store.auditPage({
        ...(code === undefined ? {} : { creditCode: code }),
        ...(p.region === null ? {} : { area: p.region }),
        ...(q.before === undefined ? {} : { before: q.before }),
        ...(q.subject === undefined ? {} : { subject: q.subject }),
        ...(q.action === undefined ? {} : { action: q.action }),
        ...(q.since === undefined ? {} : { since: q.since }),
        ...(q.until === undefined ? {} : { until: q.until }),
        limit,
      });
      await audit(req, 'audit.read', code ?? null, `${entries.length}`);
      const last = entries.at(-1);
      res.json({ entries, next: entries.length === limit && last !== undefined ? { before: last.seq } : null });
    },
  });
  // The chain recomputed and checked against the signed checkpoints (gateway/auditVerify.ts): a
  // walk of the whole log, a page at a time, so the regulators asking while one walk is under way
  // share it rather than starting one each.
  const verification = sharedWhileRunning(() => verifyAudit(o.store, o.checkpointKeys, o.issuer));
  routes.add({
    method: 'get',
    path: '/v1/regulator/audit/verify',
    operationId: 'verifyAudit',
    tag: 'regulator',
    summary: 'Verify the audit hash chain, and that it still holds every signed checkpoint',
    roles: ['regulator'],
    responses: { 200: ok('whether the chain holds', auditVerifyBody), 401: unauthenticated, 403: forbidden },
    scope: 'open',
    handler: async (req, res) => {
      const v = await verification(null);
      await audit(req, 'audit.verify', null, v.status);
      res.json(v);
    },
  });

  // Regulators' jobs (runs, rounds, sweeps) are accepted at once and run off the request on the
  // job runner's pool: 202 with the job, whose state, progress and result `GET /v1/regulator/jobs/{id}`
  // gives. A caller that would rather wait says so (`Prefer: wait=N`, at most 120 s, RFC 7240) and
  // gets the result (201) or the error if the job ends in time.
  const jobView = (j: JobRow) => ({
    id: j.id,
    kind: j.kind,
    area: j.area,
    state: j.state,
    progress: j.progress,
    result: j.result,
    error: j.error,
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
    href: `/v1/regulator/jobs/${j.id}`,
  });
  const startJob = async (req: Request, res: Response, p: Principal, spec: Omit<JobSpec, 'subject'>) => {
    if (o.jobs === undefined) throw new GetihuError('UNAVAILABLE', 'this gateway runs no jobs');
    const job = await o.jobs.submit({ ...spec, subject: p.subject });
    await audit(req, `job.${spec.kind}`, null, job.id);
    const wait = /(?:^|[\s,;])wait=(\d{1,3})(?:$|[\s,;])/.exec(req.get('prefer') ?? '');
    const ended = wait === null ? job : ((await o.jobs.waitFor(job.id, Math.min(Number(wait[1]), 120) * 1000)) ?? job);
    if (ended.state === 'succeeded') {
      res.status(201).setHeader('Preference-Applied', `wait=${wait?.[1]}`);
      res.json(ended.result);
      return;
    }
    if (ended.state === 'failed' && ended.error !== null) {
      const code = ended.error.code as ErrorCode;
      return sendError(res, code in HTTP_STATUS ? code : 'INTERNAL', ended.error.message);
    }
    res.status(202).location(`/v1/regulator/jobs/${ended.id}`).json(jobView(ended));
  };
  routes.add({
    method: 'get',
    path: '/v1/regulator/jobs/:id',
    operationId: 'getJob',
    tag: 'regulator',
    summary: 'A job: its state, progress and result',
    roles: ['regulator'],
    params: z.object({ id: z.string().regex(/^job_[0-9a-f-]{36}$/) }),
    responses: { 200: ok('the job', jobBody), 401: unauthenticated, 403: forbidden, 404: notFound },
    scope: {
      kind: 'area',
      action: 'job.read',
      targets: async (req) => {
        const j = await jobOf(req);
        return j === null ? [] : [{ kind: 'area', division: j.area }];
      },
    },
    handler: async (req, res) => {
      const j = await jobOf(req);
      if (j === null) throw new GetihuError('NOT_FOUND', 'no job with that id');
      res.json(jobView(j));
    },
  });
  /** The pipeline, for a regulator's job. */
  const pipelineFor = (): PipelineContext => {
    if (o.pipeline === undefined) throw new GetihuError('UNAVAILABLE', 'the pipeline is not connected');
    return o.pipeline;
  };

  // Regulators start typing runs and 名特优新 rounds (with quota use) on the pipeline.
  routes.add({
    method: 'post',
    path: '/v1/regulator/runs',
    operationId: 'startRun',
    tag: 'regulator',
    summary: 'Start a typing run for an area as of a date (a complete, versioned result set)',
    roles: ['regulator'],
    body: runBody,
    responses: { ...job, 400: invalid, 401: unauthenticated, 403: forbidden, 503: unavailable },
    check: { usage: 'the body must be {"area": 6 digits, "asOf": YYYY-MM-DD, "ruleset"?}' },
    scope: { kind: 'area', action: 'run.start', targets: (_req, { body }) => [{ kind: 'area', division: body.area }] },
    handler: async (req, res, p, { body: b }) => {
      pastOrToday(b.asOf, 'asOf', g.today());
      const pipeline = pipelineFor();
      // A rule set that does not exist is the caller's mistake: said now, not by a job that fails.
      if (b.ruleset !== undefined) ruleBook.byRef(b.ruleset);
      await startJob(req, res, p, {
        kind: 'run',
        area: b.area,
        params: b,
        work: async ({ pool, progress }) => {
          const s = await runTyping(pipeline, {
            area: b.area,
            asOf: b.asOf,
            pool,
            onBatch: (done, total) => progress({ businesses: done, of: total }),
            ...(b.ruleset === undefined ? {} : { ruleset: b.ruleset }),
          });
          await audit(req, 'run.start', null, s.runId);
          return s;
        },
      });
    },
  });
  routes.add({
    method: 'post',
    path: '/v1/regulator/rounds',
    operationId: 'startRound',
    tag: 'regulator',
    summary: "Run a year's 名特优新 round for an area: quota use, counts and each candidate's outcome",
    roles: ['regulator'],
    body: roundBody,
    responses: { ...job, 400: invalid, 401: unauthenticated, 403: forbidden, 503: unavailable },
    check: { usage: 'the body must be {"area": 6 digits, "asOf": YYYY-MM-DD, "decidedOn"?: YYYY-MM-DD}' },
    scope: { kind: 'area', action: 'round.run', targets: (_req, { body }) => [{ kind: 'area', division: body.area }] },
    handler: async (req, res, p, { body: b }) => {
      const today = g.today();
      pastOrToday(b.asOf, 'asOf', today);
      if (b.decidedOn !== undefined) pastOrToday(b.decidedOn, 'decidedOn', today);
      const pipeline = pipelineFor();
      await startJob(req, res, p, {
        kind: 'round',
        area: b.area,
        params: b,
        work: async () => {
          const r = await runRecognition(pipeline, o.store, { ...b, today: today.date });
          // The store has the round's recognitions now; what this gateway cached before must go, so
          // that no reader sees the state before the round after it ended.
          for (const c of r.candidates) cache.invalidate(c.creditCode);
          await audit(req, 'round.run', null, r.roundId);
          // Each candidate's outcome, without the criterion-by-criterion reasons (the regulator's
          // explanation of a business has those).
          const candidates = r.candidates.map(({ reasons: _reasons, ...c }) => c);
          return {
            roundId: r.roundId,
            area: r.area,
            year: r.year,
            decidedOn: r.decidedOn,
            quota: r.quota,
            counts: r.counts,
            candidates,
            renewals: r.renewals,
          };
        },
      });
    },
  });

  // Regulators sweep badges (yearly re-check and expiry) and revoke recognitions (撤销); each change
  // goes out on getihu.decision.badge.
  routes.add({
    method: 'post',
    path: '/v1/regulator/badges/sweep',
    operationId: 'sweepBadges',
    tag: 'regulator',
    summary: 'Today’s badge sweep of an area: expire what is past its validity, cancel what fails the re-check',
    roles: ['regulator'],
    body: sweepBody,
    responses: { ...job, 400: invalid, 401: unauthenticated, 403: forbidden, 503: unavailable },
    check: { usage: 'the body must be {"area": 6 digits, "asOf"?: today, YYYY-MM-DD}' },
    scope: { kind: 'area', action: 'badge.sweep', targets: (_req, { body }) => [{ kind: 'area', division: body.area }] },
    handler: async (req, res, p, { body }) => {
      const b = { area: body.area, asOf: sweepDay(body.asOf, 'asOf', g.today()) };
      const pipeline = pipelineFor();
      await startJob(req, res, p, {
        kind: 'sweep',
        area: b.area,
        params: b,
        work: async () => {
          const r = await sweepBadges(pipeline, o.store, b);
          await audit(req, 'badge.sweep', null, `checked ${r.checked} expired ${r.expired} cancelled ${r.cancelled}`);
          return r;
        },
      });
    },
  });

  // 京津冀 carry-over (津市场监管政务〔2024〕9号 二(六)): the destination's regulator moves into its
  // ledger every recognition checked as carried into its area whose registration is now on file.
  routes.add({
    method: 'post',
    path: '/v1/regulator/transfers/carry',
    operationId: 'carryTransfers',
    tag: 'regulator',
    summary:
      '京津冀 carry-over into an area: recognitions checked as carried, once the destination registers the business, move into its ledger under the new code',
    roles: ['regulator'],
    body: sweepBody,
    responses: { ...job, 400: invalid, 401: unauthenticated, 403: forbidden, 503: unavailable },
    check: { usage: 'the body must be {"area": 6 digits, "asOf"?: today, YYYY-MM-DD}' },
    scope: { kind: 'area', action: 'transfer.carry', targets: (_req, { body }) => [{ kind: 'area', division: body.area }] },
    handler: async (req, res, p, { body }) => {
      const b = { area: body.area, on: sweepDay(body.asOf, 'asOf', g.today()) };
      const pipeline = pipelineFor();
      await startJob(req, res, p, {
        kind: 'carry',
        area: b.area,
        params: b,
        work: async () => {
          const r = await carryTransfers(pipeline, o.store, b);
          for (const x of r.items.filter((i) => i.outcome === 'carried'))
            await audit(req, 'transfer.carry', x.heldAs?.creditCode ?? x.creditCode, `carried from ${x.creditCode}`);
          return r;
        },
      });
    },
  });
}
