/**
 * Trust, round two: each finding of the second attack on the gateway as a test named by its
 * T-number, through real HTTP on loopback over the embedded pipeline, with the gateway's clock set
 * by the test (time is the server's: every date that acts now is bounded by today in China).
 * Expectations come from the texts where they speak (cited per test) and from the attack's
 * reproduction otherwise: what the attacker did must be refused, and the user's own work must go on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { type Sink, startSink } from '../matchers/reconciler/sink.js';
import { business, passedReview, withSection } from '../matchers/testing/fixtures.js';
import { startTestGateway, type TestGateway } from './testing.js';

type Rec = Record<string, unknown>;
let p: Pipeline;
let sink: Sink;
let gw: TestGateway;
/** The gateway's clock: noon in China on `today`. */
let today = '2025-12-01';
const clock = () => new Date(`${today}T04:00:00Z`);

const growth = (division: string) => withSection(business(division), 'socialInsurance', { insuredHeadcount: 2 });
const applying = (b: Rec, year: number): Rec => {
  const application = { year, route: 'application', category: null, submittedOn: `${year}-09-01`, review: {} };
  return {
    ...b,
    honours: { certifications: [{ kind: 'productQuality' }] },
    application,
    reviewSteps: passedReview(year, application.submittedOn),
  };
};

// 静海区 (120118): typed twice, the second time by a corrective run.
const jinghai = Array.from({ length: 6 }, () => growth('120118'));
// 蓟州区 (120119)'s… and Mentougou (110109)'s round: 40 growth businesses and two applicants.
const mentougou = Array.from({ length: 40 }, () => growth('110109'));
const applicants = [applying(growth('110109'), 2025), applying(growth('110109'), 2025)];

beforeAll(async () => {
  p = await openPipeline({ mode: 'embedded', partitions: 3 });
  sink = await startSink(p.ctx, p.store);
  gw = await startTestGateway(p.store, p.ctx, clock);
  await ingestBusinesses(p.ctx, [...jinghai, ...mentougou, ...applicants], 2024);
  await sink.caughtUp();
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await sink?.stop();
  await p?.close();
});

const field = (r: { body: Rec }) => (r.body.error as { details?: { field?: string }; message: string } | undefined)?.message;

describe('trust, round two', () => {
  it('T1: a run dated in the future is refused, and a corrective run replaces a wrong one whatever its date', async () => {
    today = '2026-09-01';
    const reg = await gw.token('regulator', 'tianjin-samr', { region: '120000' });
    const future = await gw.call('POST', '/v1/regulator/runs', reg, { area: '120118', asOf: '2031-08-15' });
    expect(future.status).toBe(400);
    expect(field(future)).toMatch(/^asOf: 2031-08-15 is not between 2024-01-01 and 2026-09-01/);
    const beforeProgramme = await gw.call('POST', '/v1/regulator/runs', reg, { area: '120118', asOf: '2023-08-15' });
    expect(beforeProgramme.status).toBe(400);

    // The 2026 typing, then the 2025 one run again to correct it: the later publication stands.
    expect((await gw.call('POST', '/v1/regulator/runs', reg, { area: '120118', asOf: '2026-08-15' })).status).toBe(201);
    await sink.caughtUp();
    const code = jinghai[0]?.creditCode as string;
    const asOfNow = async () =>
      ((await gw.call('GET', `/v1/regulator/decisions/${code}`, reg)).body.decision as { asOf: string }).asOf;
    expect(await asOfNow()).toBe('2026-08-15');
    expect((await gw.call('POST', '/v1/regulator/runs', reg, { area: '120118', asOf: '2025-08-15' })).status).toBe(201);
    await sink.caughtUp();
    expect(await asOfNow()).toBe('2025-08-15');
    // A bank told of the first is told of the correction (its feed reads the history in publication order).
    const history = (await gw.call('GET', `/v1/regulator/decisions/${code}`, reg)).body.history as { asOf: string }[];
    expect(history.map((h) => h.asOf)).toEqual(['2026-08-15', '2025-08-15']);
  });

  it('T2: a sweep, a revocation, a filing review, a spot check, a dispute year and a delivery cannot be dated at will', async () => {
    today = '2026-09-01';
    const reg = await gw.token('regulator', 'tianjin-samr', { region: '120000' });
    const sweep = await gw.call('POST', '/v1/regulator/badges/sweep', reg, { area: '120119', asOf: '2029-06-01' });
    expect(sweep.status).toBe(400);
    expect(field(sweep)).toMatch(/^asOf: 2029-06-01 is not between 2026-09-01 and 2026-09-01/);
    // Today's sweep needs no date.
    expect((await gw.call('POST', '/v1/regulator/badges/sweep', reg, { area: '120119' })).body).toMatchObject({
      asOf: '2026-09-01',
    });
    const code = jinghai[1]?.creditCode as string;
    for (const on of ['2100-01-01', '0001-01-01', '2026-07-01']) {
      const revoke = await gw.call('POST', `/v1/regulator/recognitions/${code}/revoke`, reg, { ground: 'fraud', note: 'x', on });
      expect(revoke.status, on).toBe(400);
      expect(field(revoke)).toMatch(/^on: /);
      const filing = await gw.call('POST', `/v1/regulator/recognitions/${code}/filing-review`, reg, {
        outcome: 'confirmed',
        note: 'x',
        on,
      });
      expect(filing.status, on).toBe(400);
    }
    for (const year of [2100, 2025]) {
      const draw = await gw.call('POST', '/v1/regulator/spot-checks', reg, { area: '120118', year, seed: 's' });
      expect(draw.status, String(year)).toBe(400);
      expect(field(draw)).toMatch(/^year: /);
    }
    const own = await gw.token('public', code);
    const dispute = await gw.call('POST', '/v1/disputes', own, { creditCode: code, claim: '异议', subject: 'mtyx', year: 2100 });
    expect(dispute.status).toBe(400);
    expect(field(dispute)).toMatch(/^year: 2100 is not between 2024 and 2026/);
    const dept = await gw.token('department', 'tj-tax', { region: '120000', scope: 'department:税务部门' });
    const delivery = await gw.call('POST', '/v1/department/deliveries', dept, {
      creditCode: code,
      measureId: 'x',
      status: 'delivered',
      on: '0001-01-01',
    });
    expect(delivery.status).toBe(400);
    expect(field(delivery)).toMatch(/^on: 0001-01-01 is not between 2024-01-01/);
  });

  it('T9: a round is not decided after today, nor before the recognitions it already made', async () => {
    // 国市监注发〔2024〕10号 附件 二(五)1: the round decides by the end of November.
    const reg = await gw.token('regulator', 'mentougou-samr', { region: '110109' });
    today = '2025-11-20';
    const ahead = await gw.call('POST', '/v1/regulator/rounds', reg, {
      area: '110109',
      asOf: '2025-08-15',
      decidedOn: '2025-11-30',
    });
    expect(ahead.status).toBe(400);
    expect(field(ahead)).toMatch(/^decidedOn: /);
    today = '2025-12-01';
    const first = await gw.call('POST', '/v1/regulator/rounds', reg, { area: '110109', asOf: '2025-08-15' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect((first.body.counts as Rec).recognised).toBe(2);
    const back = await gw.call('POST', '/v1/regulator/rounds', reg, {
      area: '110109',
      asOf: '2025-08-15',
      decidedOn: '2025-11-29',
    });
    expect(back.status).toBe(400);
    expect(field(back)).toMatch(/^decidedOn: 2025-11-29 is before 2025-11-30/);
    // The same round again counts its holders and recognises nobody anew.
    const again = await gw.call('POST', '/v1/regulator/rounds', reg, { area: '110109', asOf: '2025-08-15' });
    expect((again.body.counts as Rec).recognised ?? 0).toBe(0);
    expect((again.body.quota as { heldBefore: number }[])[0]?.heldBefore).toBe(2);
  });
});
