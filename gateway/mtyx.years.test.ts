/**
 * 名特优新 year after year, as regulators run it through the HTTP API on the embedded pipeline:
 * the rounds of 2025, 2026 and 2027 in Mentougou (110109), a revocation, the yearly sweep, and
 * Tianjin's city-wide quota. Expectations come from the texts:
 *   - 国市监注发〔2024〕10号 附件 二(四)1 (source: growth and development; a recommendation is
 *     exempt), 二(四)3 (5%; one per operator per district), 二(五)1 (8月中旬起…11月底前完成;
 *     次年1月1日起享受), 二(六) (valid 3 years; the re-check; revoked: 5 years' bar);
 *   - 津市场监管政务〔2024〕9号 附件2 三 (5% of the city's growth and development count);
 *   - 北京市门头沟区…工作方案（试行） 三(三)–(五) (the district's own unit and criteria).
 * Dates by the Civil Code's count (民法典 第二百零一、二百零二条): recognised on 2025-11-30, valid
 * to 2028-11-30; revoked on 2026-03-01, barred to 2031-03-01.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, type Pipeline } from '../app/pipeline.js';
import { business, passedReview, withSection } from '../matchers/testing/fixtures.js';
import { type Sink, startSink } from '../pipeline/sink.js';
import { isolatedPipeline, MODES as RUN_MODES } from '../pipeline/testing.js';
import { startTestGateway, type TestGateway } from './testing.js';

type Rec = Record<string, unknown>;
const certified = { certifications: [{ kind: 'productQuality' }] };
const growth = (division: string) => withSection(business(division), 'socialInsurance', { insuredHeadcount: 2 });
/** The same business's facts for typing in `year` (last year's report and amounts). */
const factsFor = (b: Rec, year: number): Rec => withSection(b, 'annualReport', { year: year - 1 });
const applying = (b: Rec, year: number, over: Rec = {}): Rec => {
  const application = { year, route: 'application', category: null, submittedOn: `${year}-09-01`, review: {}, ...over };
  return { ...b, honours: certified, application, reviewSteps: passedReview(year, application.submittedOn as string) };
};

interface Candidate {
  creditCode: string;
  outcome: string;
  explanation: string;
  validFrom: string | null;
  validUntil: string | null;
  benefitsFrom: string | null;
}
interface RoundAnswer {
  quota: { unit: string; limit: number; heldBefore: number; recognisedThisRound: number; remaining: number }[];
  counts: Record<string, number>;
  candidates: Candidate[];
  renewals: { creditCode: string; extend: boolean; extendedUntil: string | null; grounds: { ground: string; met: boolean }[] }[];
}

type Mode = 'embedded' | 'kafka';
const MODES: readonly Mode[] = RUN_MODES;

/**
 * The gateways' clock, noon in China on `today`: what acts now (a round's decision, a sweep, a
 * revocation) is bounded by it, so each step of the years below is taken on its day. By default
 * the 2025 round's filings are being reviewed.
 */
let today = '2025-12-20';
const clock = () => new Date(`${today}T04:00:00Z`);

/** An embedded pipeline, or one on Kafka + the registry + PostgreSQL under its own prefix and schema. */
async function openWithGateway(mode: Mode): Promise<{ p: Pipeline; sink: Sink; gw: TestGateway }> {
  today = '2025-12-20';
  const p = await isolatedPipeline(mode);
  const sink = await startSink(p.ctx, p.store);
  return { p, sink, gw: await startTestGateway(p.store, p.ctx, clock) };
}

describe.each(MODES)('Mentougou 110109, 2025 → 2028, through the HTTP API (%s)', (mode) => {
  let p: Pipeline;
  let sink: Sink;
  let gw: TestGateway;
  let reg: string;
  let plat: string;
  // Growth businesses that do not apply: the quota base (5% of 105 growth: 5).
  const fillers = Array.from({ length: 100 }, () => growth('110109'));
  const revoked = growth('110109'); // recognised 2025, revoked 2026-03-01, applies again 2026 and 2027
  const holder = growth('110109'); // recognised 2025, applies again 2026 while still valid
  const recommended = business('110109'); // survival, recommended by a department in 2025
  const late = growth('110109'); // applies on 2025-12-15, after the round closed
  const declined = growth('110109'); // recognised 2025 on the application route; nobody insured in 2025: survival
  const steady = growth('110109'); // recognised 2025; nothing changes: not extended in 2028, expires
  // In 2026 the holder reports a change of operator: its former operator may then hold another
  // recognition in the district (sibling), the new one may not (newcomer).
  const newOperator = `op-new-${holder.operatorId}`;
  const sibling = growth('110109');
  sibling.operatorId = holder.operatorId;
  const newcomer = growth('110109');
  newcomer.operatorId = newOperator;
  const y2025 = [
    ...fillers,
    applying(revoked, 2025),
    applying(holder, 2025),
    applying(recommended, 2025, { route: 'recommendation', recommender: '区商务局', operatorConsent: true }),
    applying(late, 2025, { submittedOn: '2025-12-15' }),
    applying(declined, 2025),
    applying(steady, 2025),
  ];
  const round = async (area: string, asOf: string, body: Rec = {}) => {
    const r = await gw.call('POST', '/v1/regulator/rounds', reg, { area, asOf, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as unknown as RoundAnswer;
  };
  const outcome = (r: RoundAnswer, b: Rec) => r.candidates.find((c) => c.creditCode === b.creditCode) as Candidate;
  const typing = async (area: string, asOf: string) => {
    expect((await gw.call('POST', '/v1/regulator/runs', reg, { area, asOf })).status).toBe(201);
    await sink.caughtUp();
  };

  beforeAll(async () => {
    ({ p, sink, gw } = await openWithGateway(mode));
    reg = await gw.token('regulator', 'mentougou-samr', { region: '110109' });
    plat = await gw.token('platform', 'platform:shop');
    await ingestBusinesses(p.ctx, y2025, 2024);
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    await sink?.stop();
    await p?.close();
  });

  it('8: the moment a round answers, a platform sees the new badge (no wait for the sink)', async () => {
    expect((await gw.call('GET', `/v1/badges/${revoked.creditCode}/status`, plat)).body.status).toBe('none');
    await typing('110109', '2025-08-15');
    // The sink as far behind as it can be: stopped. Only the round itself can make its result seen.
    await sink.stop();
    const r = await round('110109', '2025-08-15');
    expect(outcome(r, revoked).outcome).toBe('recognised');
    expect((await gw.call('GET', `/v1/badges/${revoked.creditCode}/status`, plat)).body.status).toBe('active');
    sink = await startSink(p.ctx, p.store);
    await sink.caughtUp();
    const badge = await gw.call('GET', `/v1/badges/${holder.creditCode}`, plat);
    expect(badge.body).toMatchObject({ validFrom: '2025-11-30', validUntil: '2028-11-30', benefitsFrom: '2026-01-01' });
    expect(r.quota).toEqual([expect.objectContaining({ unit: '110109', limit: 5, heldBefore: 0, recognisedThisRound: 5 })]);
    expect(r.renewals).toEqual([]);
  });

  it('4: an application after the window (2025-12-15) is not recognised, nor dated before itself', async () => {
    const r = await round('110109', '2025-08-15');
    expect(outcome(r, late)).toMatchObject({
      outcome: 'ineligible',
      explanation: expect.stringContaining('mtyx.applicationWindow'),
      validFrom: null,
    });
    // A decision date outside the window is refused, naming the field.
    const outside = await gw.call('POST', '/v1/regulator/rounds', reg, {
      area: '110109',
      asOf: '2025-08-15',
      decidedOn: '2025-12-20',
    });
    expect(outside.status).toBe(400);
    expect(JSON.stringify(outside.body)).toMatch(/decidedOn/);
    // Running the same round again recognises no one anew: they hold it already.
    expect(r.counts.recognised).toBe(0);
  });

  it('3: the 2026 sweep keeps a recommended survival business and cancels an application-route one that fell to survival', async () => {
    // Information reports for 2026 (due 2026-07-31): the holder on time, with its change of
    // operator; the recommended business late; the others none.
    const reports: Record<string, Rec[]> = {
      [holder.creditCode as string]: [
        { year: 2026, reportedOn: '2026-07-20', operatorChanged: true, newOperatorId: newOperator },
      ],
      [recommended.creditCode as string]: [{ year: 2026, reportedOn: '2026-08-10', operatorChanged: false }],
    };
    const y2026 = y2025.map((b) => {
      const facts =
        b.creditCode === declined.creditCode
          ? factsFor(withSection(b, 'socialInsurance', { insuredHeadcount: 0 }), 2026)
          : factsFor(b, 2026);
      const filed = reports[b.creditCode as string];
      return filed === undefined ? facts : { ...facts, mtyxReports: filed };
    });
    await ingestBusinesses(
      p.ctx,
      [...y2026, applying(factsFor(sibling, 2026), 2026), applying(factsFor(newcomer, 2026), 2026)],
      2025,
    );
    today = '2026-09-01';
    await typing('110109', '2026-08-15');
    const sweep = await gw.call('POST', '/v1/regulator/badges/sweep', reg, { area: '110109', asOf: '2026-09-01' });
    expect(sweep.status).toBe(201);
    const changes = sweep.body.changes as { creditCode: string; status: string }[];
    expect(changes).toEqual([expect.objectContaining({ creditCode: declined.creditCode, status: 'cancelled' })]);
    // Reports owed by 2026-09-01: one for 2026 from each recognition of 2025 still held (the
    // revocation of the next step has not happened yet); the holder filed on time.
    const owed = (sweep.body.reports as { creditCode: string; missing: number[]; late: number[] }[]).map((x) => [
      x.creditCode,
      x.missing,
      x.late,
    ]);
    expect(owed.sort()).toEqual(
      [
        [declined.creditCode, [2026], []],
        [revoked.creditCode, [2026], []],
        [recommended.creditCode, [], [2026]],
        [steady.creditCode, [2026], []],
      ].sort(),
    );
    expect((await gw.call('GET', `/v1/badges/${recommended.creditCode}/status`, plat)).body.status).toBe('active');
    expect((await gw.call('GET', `/v1/badges/${declined.creditCode}/status`, plat)).body.status).toBe('cancelled');
  });

  it('1 and 2: in 2026 a revoked business is barred and a holder is not recognised anew', async () => {
    today = '2026-03-01';
    const revoke = await gw.call('POST', `/v1/regulator/recognitions/${revoked.creditCode}/revoke`, reg, {
      ground: 'fraud',
      note: '申报材料弄虚作假',
      on: '2026-03-01',
    });
    expect(revoke.status).toBe(201);
    expect(revoke.body.reason).toMatch(/no new application until 2031-03-01/);
    await ingestBusinesses(p.ctx, [applying(factsFor(revoked, 2026), 2026), applying(factsFor(holder, 2026), 2026)], 2025);
    today = '2026-12-01';
    const r = await round('110109', '2026-08-15');
    expect(outcome(r, revoked)).toMatchObject({ outcome: 'ineligible', explanation: expect.stringContaining('mtyx.reapplyBar') });
    expect(outcome(r, holder)).toMatchObject({
      outcome: 'ineligible',
      explanation: expect.stringContaining('mtyx.notAlreadyRecognised'),
    });
    // Held on 2026-11-30: the holder, the recommended and the steady business; the revoked and the cancelled ones are not.
    expect(r.quota).toEqual([expect.objectContaining({ unit: '110109', heldBefore: 3, recognisedThisRound: 1 })]);
    // One person, one recognition per district, following the reported change of operator.
    expect(outcome(r, sibling).outcome).toBe('recognised');
    expect(outcome(r, newcomer).outcome).toBe('operatorAlreadyRecognised');
    expect(r.renewals).toEqual([]); // 2026-11-30 is not in the last year of a validity ending 2028-11-30
    expect((await gw.call('GET', `/v1/badges/${revoked.creditCode}/status`, plat)).body.status).toBe('revoked');
    expect((await gw.call('GET', `/v1/badges/${holder.creditCode}`, plat)).body).toMatchObject({
      validFrom: '2025-11-30',
      validUntil: '2028-11-30',
    });
  });

  it('2027: the bar still holds, and so does the holder’s recognition', async () => {
    await ingestBusinesses(p.ctx, [applying(factsFor(revoked, 2027), 2027), applying(factsFor(holder, 2027), 2027)], 2026);
    today = '2027-12-01';
    const r = await round('110109', '2027-08-15');
    expect(outcome(r, revoked).explanation).toContain('mtyx.reapplyBar');
    expect(outcome(r, holder).explanation).toContain('mtyx.notAlreadyRecognised');
    // 2027-11-30 is still before the last year (2027-12-01 to 2028-11-30): no review yet.
    expect(r.renewals).toEqual([]);
  });

  it('2028, the last year of validity: extended on growth (A) and on the recommender’s consent (D), not without a ground', async () => {
    const y2028 = [
      // 3 insured against 2 at recognition: employment grew by 50% (A).
      factsFor(withSection(holder, 'socialInsurance', { insuredHeadcount: 3 }), 2028),
      // The department recommends it again in 2028: it agrees to the extension (D).
      applying(factsFor(recommended, 2028), 2028, { route: 'recommendation', recommender: '区商务局', operatorConsent: true }),
      factsFor(steady, 2028),
    ];
    await ingestBusinesses(p.ctx, y2028, 2027);
    today = '2028-12-01';
    const r = await round('110109', '2028-08-15');
    const review = (b: Rec) => r.renewals.find((x) => x.creditCode === b.creditCode);
    expect(review(holder)).toMatchObject({ extend: true, extendedUntil: '2031-11-30' });
    expect(
      review(holder)
        ?.grounds.filter((g) => g.met)
        .map((g) => g.ground),
    ).toEqual(['growth']);
    expect(review(recommended)).toMatchObject({ extend: true, extendedUntil: '2031-11-30' });
    expect(
      review(recommended)
        ?.grounds.filter((g) => g.met)
        .map((g) => g.ground),
    ).toEqual(['recommenderConsent']);
    expect(review(steady)).toMatchObject({ extend: false, extendedUntil: null });
    // The revoked and the cancelled recognitions are not reviewed.
    expect(r.renewals.map((x) => x.creditCode).sort()).toEqual(
      [holder, recommended, steady].map((b) => b.creditCode as string).sort(),
    );
    expect((await gw.call('GET', `/v1/badges/${holder.creditCode}`, plat)).body).toMatchObject({
      validFrom: '2025-11-30',
      validUntil: '2031-11-30',
    });
    // After the last day of the first validity, the sweep expires only the one not extended.
    today = '2028-12-15';
    const sweep = await gw.call('POST', '/v1/regulator/badges/sweep', reg, { area: '110109', asOf: '2028-12-15' });
    expect(sweep.body.changes).toEqual([expect.objectContaining({ creditCode: steady.creditCode, status: 'expired' })]);
    expect((await gw.call('GET', `/v1/badges/${holder.creditCode}/status`, plat)).body.status).toBe('active');
    expect((await gw.call('GET', `/v1/badges/${steady.creditCode}/status`, plat)).body.status).toBe('expired');
  });

  it('the regulator’s explanation shows a recognition’s whole life, each step with its clause', async () => {
    const life = async (b: Rec) =>
      (await gw.call('GET', `/v1/regulator/decisions/${b.creditCode}`, reg)).body.recognitionLife as {
        on: string;
        step: string;
        outcome?: string;
        explanation: string;
        reasons?: { criterion: string; met: boolean; clause: string }[];
      }[];
    const revokedLife = await life(revoked);
    // Recognised in 2025 (and the same round run again), revoked in 2026, re-checked, barred in 2026 and 2027.
    expect(revokedLife.map((x) => [x.on, x.step, x.outcome ?? null])).toEqual([
      ['2025-11-30', 'round', 'recognised'],
      ['2025-11-30', 'round', 'ineligible'],
      ['2026-03-01', 'revoked', null],
      // Its note, for the regulators only (never in the status change banks and platforms read).
      ['2026-03-01', 'revocationNote', null],
      // The sweep of this scenario ran before the revocation was recorded (dated earlier, 1 March).
      ['2026-09-01', 'recheck', 'kept'],
      ['2026-11-30', 'round', 'ineligible'],
      ['2027-11-30', 'round', 'ineligible'],
    ]);
    const barred = revokedLife
      .find((x) => x.on === '2026-11-30' && x.step === 'round')
      ?.reasons?.find((r) => r.criterion === 'mtyx.reapplyBar');
    expect(barred).toMatchObject({ met: false, clause: expect.stringContaining('5年内不得再次申报') });
    expect(revokedLife.find((x) => x.step === 'revoked')?.explanation).toMatch(/fraud.*2031-03-01/);
    const holderLife = await life(holder);
    expect(holderLife.find((x) => x.step === 'renewal')).toMatchObject({
      on: '2028-11-30',
      explanation: expect.stringMatching(/extended to 2031-11-30: growth/),
    });
    const steadyLife = await life(steady);
    expect(steadyLife.filter((x) => x.on === '2028-12-15').map((x) => [x.step, x.outcome ?? null])).toEqual([
      ['expired', null],
      ['recheck', 'expired'],
    ]);
    // The 2026 re-check that kept the recommended survival business says why, with its missing report.
    const recheck = (await life(recommended)).find((x) => x.step === 'recheck' && x.on === '2026-09-01') as unknown as {
      outcome: string;
      explanation: string;
      reportsLate: number[];
    };
    expect(recheck).toMatchObject({
      outcome: 'kept',
      reportsLate: [2026],
      explanation: expect.stringContaining('source exemption: recommendation'),
    });
  });
});

describe.each(MODES)(
  'Tianjin: one city-wide quota, whatever district a round is started for (津市场监管政务〔2024〕9号 附件2 三) (%s)',
  (mode) => {
    // 40 growth businesses that do not apply and 6 that do: 46 growth, a city-wide limit of ⌊5% × 46⌋ = 2.
    const data = () => {
      const fillers = [
        ...Array.from({ length: 20 }, () => growth('120101')),
        ...Array.from({ length: 20 }, () => growth('120102')),
      ];
      const applicants = [
        ...Array.from({ length: 3 }, () => applying(growth('120101'), 2025)),
        ...Array.from({ length: 3 }, () => applying(growth('120102'), 2025)),
      ];
      return [...fillers, ...applicants];
    };

    it('5: a round for 120101 and then one for 120102 recognise 2 in all, not 2 each', async () => {
      const { p, sink, gw } = await openWithGateway(mode);
      try {
        await ingestBusinesses(p.ctx, data(), 2024);
        const reg = await gw.token('regulator', 'tianjin-samr', { region: '120000' });
        const first = (await gw.call('POST', '/v1/regulator/rounds', reg, { area: '120101', asOf: '2025-08-15' }))
          .body as unknown as RoundAnswer;
        const second = (await gw.call('POST', '/v1/regulator/rounds', reg, { area: '120102', asOf: '2025-08-15' }))
          .body as unknown as RoundAnswer;
        expect(first.quota).toEqual([expect.objectContaining({ unit: '120000', limit: 2, recognisedThisRound: 2 })]);
        expect(second.quota).toEqual([
          expect.objectContaining({ unit: '120000', limit: 2, heldBefore: 2, recognisedThisRound: 0, remaining: 0 }),
        ]);
        expect(second.counts.quotaExhausted).toBe(3);
      } finally {
        await gw.close();
        await sink.stop();
        await p.close();
      }
    });

    it('5: two district rounds started at the same moment still recognise 2 in all', async () => {
      const { p, sink, gw } = await openWithGateway(mode);
      try {
        await ingestBusinesses(p.ctx, data(), 2024);
        const reg = await gw.token('regulator', 'tianjin-samr', { region: '120000' });
        const answers = await Promise.all(
          ['120101', '120102'].map((area) => gw.call('POST', '/v1/regulator/rounds', reg, { area, asOf: '2025-08-15' })),
        );
        expect(answers.map((r) => r.status)).toEqual([201, 201]);
        const recognised = answers.map((r) => (r.body as unknown as RoundAnswer).counts.recognised ?? 0);
        expect(recognised.reduce((n, x) => n + x, 0)).toBe(2);
      } finally {
        await gw.close();
        await sink.stop();
        await p.close();
      }
    });
  },
);

describe.each(MODES)('review steps before a recognition stands (津市场监管政务〔2024〕9号 附件2 四(二)) (%s)', (mode) => {
  it('a candidate is recognised only after its visit, consultation and notice; an upheld objection, a short notice or a failed visit stops it', async () => {
    const { p, sink, gw } = await openWithGateway(mode);
    try {
      const fillers = Array.from({ length: 40 }, () => growth('120101'));
      const viaApi = growth('120101');
      const withSteps = (b: Rec, steps: Rec[]) => ({ ...applying(b, 2025), reviewSteps: steps });
      const [visit, consult, notice] = passedReview(2025, '2025-09-01');
      const objected = withSteps(growth('120101'), [
        visit as Rec,
        consult as Rec,
        notice as Rec,
        { year: 2025, step: 'objection', stepId: 'o-1', on: '2025-09-08', outcome: 'upheld', actor: 'regulator:notice' },
      ]);
      const shortNotice = withSteps(growth('120101'), [
        visit as Rec,
        consult as Rec,
        { ...notice, until: '2025-09-08' }, // 09-06 to 09-08: 3 days of the 5 the rule set asks
      ]);
      const failedVisit = withSteps(growth('120101'), [{ ...visit, outcome: 'failed' }, consult as Rec, notice as Rec]);
      // A department's recommendation needs the notice alone.
      const recommended: Rec = {
        ...applying(business('120101'), 2025, { route: 'recommendation', recommender: '区商务局', operatorConsent: true }),
        reviewSteps: [notice as Rec],
      };
      const { reviewSteps: _none, ...viaApiRecord } = applying(viaApi, 2025);
      await ingestBusinesses(p.ctx, [...fillers, viaApiRecord, objected, shortNotice, failedVisit, recommended], 2024);
      await sink.caughtUp();

      const reg = await gw.token('regulator', 'heping-samr:li', { region: '120101' });
      const steps = [
        { creditCode: viaApi.creditCode, year: 2025, step: 'verification', stepId: 'v1', on: '2025-09-10', outcome: 'passed' },
        {
          creditCode: viaApi.creditCode,
          year: 2025,
          step: 'consultation',
          stepId: 'c1',
          on: '2025-09-12',
          outcome: 'noObjection',
        },
        {
          creditCode: viaApi.creditCode,
          year: 2025,
          step: 'notice',
          stepId: 'n1',
          on: '2025-09-15',
          until: '2025-09-21',
          outcome: 'published',
          note: '公示期7天',
        },
      ];
      // Another province's regulator may not record them; a bad outcome for its step is refused, naming the field.
      const beijing = await gw.token('regulator', 'mentougou-samr', { region: '110109' });
      expect((await gw.call('POST', '/v1/regulator/review-steps', beijing, { batchId: 'b1', steps })).status).toBe(403);
      const bad = await gw.call('POST', '/v1/regulator/review-steps', reg, {
        batchId: 'b0',
        steps: [{ ...steps[0], outcome: 'noObjection' }],
      });
      expect(bad.status).toBe(207);
      expect(JSON.stringify(bad.body)).toMatch(/outcome/);
      const recorded = await gw.call('POST', '/v1/regulator/review-steps', reg, { batchId: 'b1', steps });
      expect(recorded.status, JSON.stringify(recorded.body)).toBe(200);

      const r = (await gw.call('POST', '/v1/regulator/rounds', reg, { area: '120101', asOf: '2025-08-15' }))
        .body as unknown as RoundAnswer;
      const outcome = (b: Rec) => r.candidates.find((c) => c.creditCode === b.creditCode) as Candidate;
      expect(outcome(viaApi).outcome).toBe('recognised');
      expect(outcome(recommended).outcome).toBe('recognised');
      expect(outcome(objected)).toMatchObject({
        outcome: 'ineligible',
        explanation: expect.stringContaining('mtyx.review.notice'),
      });
      expect(outcome(shortNotice).explanation).toContain('mtyx.review.notice');
      expect(outcome(failedVisit).explanation).toContain('mtyx.review.verification');
      expect(outcome(objected).explanation).not.toContain('mtyx.review.verification');

      // The explanation shows each step with its date and who acted.
      expect((await gw.call('POST', '/v1/regulator/runs', reg, { area: '120101', asOf: '2025-08-15' })).status).toBe(201);
      await sink.caughtUp();
      const life = (await gw.call('GET', `/v1/regulator/decisions/${viaApi.creditCode}`, reg)).body.recognitionLife as {
        reasons: { criterion: string; met: boolean; evidence: { steps?: { on: string; actor: string }[] } }[];
      }[];
      const verification = life[0]?.reasons.find((x) => x.criterion === 'mtyx.review.verification');
      expect(verification).toMatchObject({ met: true, evidence: { steps: [{ on: '2025-09-10', actor: 'heping-samr:li' }] } });

      // 备案: the district's list goes to the city, which may confirm, ask for more by a date, or refuse.
      const city = await gw.token('regulator', 'tianjin-samr:wang', { region: '120000' });
      const review = (who: string, b: Rec, body: Rec) =>
        gw.call('POST', `/v1/regulator/recognitions/${b.creditCode}/filing-review`, who, body);
      expect((await review(reg, viaApi, { outcome: 'confirmed', note: '自查' })).status).toBe(403);
      const filed = await gw.call('GET', '/v1/regulator/filings?area=120101&year=2025', city);
      expect((filed.body.recognitions as { creditCode: string; review: unknown }[]).map((x) => [x.creditCode, x.review])).toEqual(
        [viaApi, recommended].map((b) => [b.creditCode, null]).sort(),
      );
      expect((await review(city, viaApi, { outcome: 'supplement', note: '补充经营场所材料' })).status).toBe(400);
      expect(
        (
          await review(city, viaApi, {
            outcome: 'supplement',
            note: '补充经营场所材料',
            on: '2025-12-05',
            supplementBy: '2025-12-20',
          })
        ).status,
      ).toBe(201);
      expect((await review(city, viaApi, { outcome: 'confirmed', note: '材料齐全', on: '2025-12-18' })).status).toBe(201);
      const refused = await review(city, recommended, { outcome: 'refused', note: '抽查不符合认定条件', on: '2025-12-10' });
      expect(refused.status).toBe(201);
      const plat = await gw.token('platform', 'platform:shop');
      expect((await gw.call('GET', `/v1/badges/${recommended.creditCode}/status`, plat)).body.status).toBe('cancelled');
      expect((await gw.call('GET', `/v1/badges/${viaApi.creditCode}/status`, plat)).body.status).toBe('active');
      const after = await gw.call('GET', '/v1/regulator/filings?area=120101&year=2025', city);
      expect(
        (after.body.recognitions as { creditCode: string; review: { outcome: string } }[]).map((x) => [
          x.creditCode,
          x.review.outcome,
        ]),
      ).toEqual(
        [
          [viaApi.creditCode, 'confirmed'],
          [recommended.creditCode, 'refused'],
        ].sort(),
      );
      const refusedLife = (await gw.call('GET', `/v1/regulator/decisions/${recommended.creditCode}`, city)).body
        .recognitionLife as { on: string; step: string; outcome?: string; explanation: string }[];
      expect(refusedLife.slice(-2)).toEqual([
        expect.objectContaining({ on: '2025-12-10', step: 'cancelled', explanation: expect.stringContaining('不予认定') }),
        expect.objectContaining({ on: '2025-12-10', step: 'filingReview', outcome: 'refused' }),
      ]);
    } finally {
      await gw.close();
      await sink.stop();
      await p.close();
    }
  });
});
