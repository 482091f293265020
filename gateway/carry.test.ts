/**
 * The 京津冀 carry-over, executed through the HTTP API (津市场监管政务〔2024〕9号 二(六)
 * 经三地认定的“名特优新”个体工商户跨区域迁移后，迁入地对认定的结果予以认可，按照本地公布的培育方案给予帮扶):
 * a business recognised in Tianjin in the 2025 round moves to Chaoyang, Beijing (110105) and
 * registers there under a new credit code, with the same operator. Once Beijing checks the
 * transfer and its regulator runs the carry-over, the recognition is held in 110105 under the new
 * code: same category, same last valid day, the badge verifiable there, Beijing's measures owed,
 * no share of Chaoyang's quota taken. Tianjin's ledger shows where it went.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, type Pipeline } from '../app/pipeline.js';
import { business, passedReview, withSection } from '../matchers/testing/fixtures.js';
import { type Sink, startSink } from '../pipeline/sink.js';
import { isolatedPipeline, MODES } from '../pipeline/testing.js';
import { startTestGateway, type TestGateway } from './testing.js';

type Rec = Record<string, unknown>;
const growth = (division: string) => withSection(business(division), 'socialInsurance', { insuredHeadcount: 2 });
const certified = { certifications: [{ kind: 'productQuality' }] };
const applying = (b: Rec): Rec => ({
  ...b,
  honours: certified,
  application: { year: 2025, route: 'application', category: null, submittedOn: '2025-09-01', review: {} },
  reviewSteps: passedReview(2025, '2025-09-01'),
});

let today = '2025-12-20';
const clock = () => new Date(`${today}T04:00:00Z`);

describe.each(MODES)('京津冀 carry-over, Tianjin 120101 → Beijing 110105 (%s)', (mode) => {
  let p: Pipeline;
  let sink: Sink;
  let gw: TestGateway;
  // Tianjin's 5% is of the city's growth and development businesses: 40 growth, 2 to recognise.
  const fillers = Array.from({ length: 39 }, () => growth('120101'));
  const mover = growth('120101');
  // The same operator's new registration in Chaoyang, and an unrelated Chaoyang business.
  const moved: Rec = { ...growth('110105'), operatorId: mover.operatorId };
  const neighbour = growth('110105');
  let tianjin: string;
  let beijing: string;
  let chaoyang: string;
  let platform: string;
  let recognised: { validFrom: string; validUntil: string; category: string };

  beforeAll(async () => {
    today = '2025-12-20';
    p = await isolatedPipeline(mode);
    sink = await startSink(p.ctx, p.store);
    gw = await startTestGateway(p.store, p.ctx, clock);
    tianjin = await gw.token('regulator', 'tj-samr', { region: '120000' });
    beijing = await gw.token('region', 'bj-samr', { region: '110000' });
    chaoyang = await gw.token('regulator', 'chaoyang-samr', { region: '110105' });
    platform = await gw.token('platform', 'platform:shop');
    await ingestBusinesses(p.ctx, [...fillers, applying(mover), neighbour], 2024);
    expect((await gw.call('POST', '/v1/regulator/runs', tianjin, { area: '120000', asOf: '2025-08-15' })).status).toBe(201);
    await sink.caughtUp();
    const round = await gw.call('POST', '/v1/regulator/rounds', tianjin, { area: '120000', asOf: '2025-08-15' });
    expect(round.status, JSON.stringify(round.body)).toBe(201);
    const c = (round.body.candidates as Rec[]).find((x) => x.creditCode === mover.creditCode) as Rec;
    expect(c.outcome).toBe('recognised');
    recognised = { validFrom: c.validFrom as string, validUntil: c.validUntil as string, category: c.category as string };
    await sink.caughtUp();
  }, 180_000);

  afterAll(async () => {
    await gw?.close();
    await sink?.stop();
    await p?.close();
  });

  const carry = async () => {
    const r = await gw.call('POST', '/v1/regulator/transfers/carry', chaoyang, { area: '110105' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { carried: number; items: Rec[] };
  };

  it('waits while Chaoyang has not registered the business; carries it once it has, under the new code', async () => {
    // Recognised on 2025-11-30 (the round's last day), valid 3 years (国市监注发〔2024〕10号 附件 二(六)).
    expect(recognised).toEqual({ validFrom: '2025-11-30', validUntil: '2028-11-30', category: recognised.category });
    today = '2026-03-10';
    // The check comes first: the new code is not registered yet, so nothing links it to the operator.
    const early = await gw.call('POST', '/v1/transfers/check', beijing, {
      creditCode: mover.creditCode,
      toRegion: '110105',
    });
    expect(early.body).toMatchObject({ carried: true, validUntil: '2028-11-30' });
    const waiting = await carry();
    expect(waiting.carried).toBe(0);
    // Daxing's regulator has nothing to carry: the move is into Chaoyang.
    const daxing = await gw.token('regulator', 'daxing-samr', { region: '110115' });
    const notTheirs = await gw.call('POST', '/v1/regulator/transfers/carry', daxing, { area: '110115' });
    expect(notTheirs.body).toMatchObject({ carried: 0, items: [] });
    expect(waiting.items).toEqual([expect.objectContaining({ creditCode: mover.creditCode, outcome: 'waiting' })]);

    // Chaoyang registers the business under a new code, same operator; Beijing checks the move.
    await ingestBusinesses(p.ctx, [moved], 2024);
    await sink.caughtUp();
    const check = await gw.call('POST', '/v1/transfers/check', beijing, {
      creditCode: mover.creditCode,
      newCreditCode: moved.creditCode,
      toRegion: '110105',
    });
    expect(check.body).toMatchObject({ carried: true, newCreditCode: moved.creditCode, validUntil: '2028-11-30' });

    const done = await carry();
    expect(done.carried).toBe(1);
    expect(done.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          creditCode: mover.creditCode,
          newCreditCode: moved.creditCode,
          outcome: 'carried',
          heldAs: { creditCode: moved.creditCode, district: '110105', validUntil: '2028-11-30' },
        }),
      ]),
    );
  });

  it('the badge follows the new code, keeping its first day and last valid day; the old code shows it moved', async () => {
    const badge = await gw.call('GET', `/v1/badges/${moved.creditCode}`, platform);
    expect(badge.status).toBe(200);
    expect(badge.body).toMatchObject({
      category: recognised.category,
      validFrom: '2025-11-30',
      validUntil: '2028-11-30',
      // 次年1月1日起享受 (附件 二(五)1): it already enjoys support, and goes on doing so.
      benefitsFrom: '2026-01-01',
    });
    expect((await gw.call('GET', `/v1/badges/${moved.creditCode}/status`, undefined)).body).toMatchObject({ status: 'active' });
    expect((await gw.call('GET', `/v1/badges/${mover.creditCode}/status`, undefined)).body).toMatchObject({
      status: 'transferred',
    });
  });

  it("Tianjin's ledger shows where the recognition went; Chaoyang holds it outside its quota", async () => {
    const tj = await gw.call('GET', '/v1/regulator/recognitions?area=120000', tianjin);
    const gone = (tj.body.recognitions as Rec[]).find((r) => r.creditCode === mover.creditCode) as Rec;
    expect(gone.status).toBe('transferred');
    expect(gone.reason).toMatch(new RegExp(`110105.*${moved.creditCode}`));
    const cy = await gw.call('GET', '/v1/regulator/recognitions?area=110105', chaoyang);
    expect((cy.body.recognitions as Rec[]).map((r) => [r.creditCode, r.status])).toEqual([[moved.creditCode, 'active']]);
    // Chaoyang has 2 growth businesses (the moved one and its neighbour): none of its 5% is used.
    expect((await gw.call('POST', '/v1/regulator/runs', chaoyang, { area: '110105', asOf: '2025-08-15' })).status).toBe(201);
    await sink.caughtUp();
    const q = await gw.call('GET', '/v1/regulator/monitoring?area=110105&series=quota', chaoyang);
    expect(q.body.quota).toEqual([expect.objectContaining({ unit: '110105', base: 2, recognised: 0 })]);
  });

  it("the business is owed Beijing's measures, its category's included, and none of Tianjin's", async () => {
    const owed = await gw.call('GET', `/v1/regulator/support/${moved.creditCode}`, chaoyang);
    expect(owed.status, JSON.stringify(owed.body)).toBe(200);
    expect(owed.body.mtyx).toBe(recognised.category);
    const measures = owed.body.measures as { id: string; because: { predicate: string }[] }[];
    expect(measures.some((m) => m.because.some((b) => b.predicate === 'category'))).toBe(true);
    expect(measures.some((m) => m.id.startsWith('tj.'))).toBe(false);
  });

  it('carrying again changes nothing', async () => {
    const again = await carry();
    expect(again.carried).toBe(0);
    expect(again.items.every((i) => i.outcome === 'done')).toBe(true);
  });
});

describe('京津冀 carry-over: two checks of one recognition in one run, embedded', () => {
  let p: Pipeline;
  let sink: Sink;
  let gw: TestGateway;
  const fillers = Array.from({ length: 39 }, () => growth('120101'));
  const mover = growth('120101');
  // The same operator registers twice in Chaoyang: one recognition, one per operator per district.
  const first: Rec = { ...growth('110105'), operatorId: mover.operatorId };
  const second: Rec = { ...growth('110105'), operatorId: mover.operatorId };

  beforeAll(async () => {
    today = '2025-12-20';
    p = await isolatedPipeline('embedded');
    sink = await startSink(p.ctx, p.store);
    gw = await startTestGateway(p.store, p.ctx, clock);
    const tianjin = await gw.token('regulator', 'tj-samr', { region: '120000' });
    await ingestBusinesses(p.ctx, [...fillers, applying(mover)], 2024);
    expect((await gw.call('POST', '/v1/regulator/runs', tianjin, { area: '120000', asOf: '2025-08-15' })).status).toBe(201);
    await sink.caughtUp();
    expect((await gw.call('POST', '/v1/regulator/rounds', tianjin, { area: '120000', asOf: '2025-08-15' })).status).toBe(201);
    await ingestBusinesses(p.ctx, [first, second], 2024);
    await sink.caughtUp();
  }, 180_000);

  afterAll(async () => {
    await gw?.close();
    await sink?.stop();
    await p?.close();
  });

  it('carries the recognition once: the second check is decided against the ledger the first changed', async () => {
    today = '2026-03-10';
    const beijing = await gw.token('region', 'bj-samr', { region: '110000' });
    for (const b of [first, second])
      expect(
        (
          await gw.call('POST', '/v1/transfers/check', beijing, {
            creditCode: mover.creditCode,
            newCreditCode: b.creditCode,
            toRegion: '110105',
          })
        ).body,
      ).toMatchObject({ carried: true });
    const chaoyang = await gw.token('regulator', 'chaoyang-samr', { region: '110105' });
    const r = await gw.call('POST', '/v1/regulator/transfers/carry', chaoyang, { area: '110105' });
    expect(r.body.carried).toBe(1);
    expect((r.body.items as Rec[]).map((i) => i.outcome).sort()).toEqual(['carried', 'done']);
    const held = await gw.call('GET', '/v1/regulator/recognitions?area=110105', chaoyang);
    expect((held.body.recognitions as Rec[]).filter((x) => x.status === 'active')).toHaveLength(1);
  });
});
