/**
 * 部门推荐 through the department's own role (国市监注发〔2024〕10号 附件 二(五)2; 门头沟区方案（征求意见稿）
 * 附件 三(二)2 区相关部门推荐认定的，由区市场监管局组织同级相关部门进行审核后予以认定；拟推荐…需要事先
 * 征得经营者本人同意). Mentougou's 区商务局 recommends a survival business in 2025 (a recommendation
 * is not bound to growth and development, 附件 三(三)1); the round recognises it; in 2028, the last
 * year of its validity, the department recommends it again, which is its agreement to the renewal
 * (三(五)D 推荐认定的个体工商户，经推荐部门同意的).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, type Pipeline } from '../app/pipeline.js';
import { business, passedReview, withSection } from '../matchers/testing/fixtures.js';
import { type Sink, startSink } from '../pipeline/sink.js';
import { isolatedPipeline } from '../pipeline/testing.js';
import { startTestGateway, type TestGateway } from './testing.js';

type Rec = Record<string, unknown>;
const growth = (division: string) => withSection(business(division), 'socialInsurance', { insuredHeadcount: 2 });

let today = '2025-09-01';
const clock = () => new Date(`${today}T04:00:00Z`);

describe('部门推荐 by a department token (Mentougou 110109), embedded', () => {
  let p: Pipeline;
  let sink: Sink;
  let gw: TestGateway;
  let commerce: string;
  let regulator: string;
  const fillers = Array.from({ length: 40 }, () => growth('110109'));
  const shop: Rec = business('110109');

  beforeAll(async () => {
    p = await isolatedPipeline('embedded');
    sink = await startSink(p.ctx, p.store);
    gw = await startTestGateway(p.store, p.ctx, clock);
    commerce = await gw.token('department', 'mtg-commerce', { region: '110109', scope: 'department:区商务局' });
    regulator = await gw.token('regulator', 'mentougou-samr', { region: '110109' });
    await ingestBusinesses(p.ctx, [...fillers, { ...shop, reviewSteps: passedReview(2025, '2025-09-01') }], 2024);
    await sink.caughtUp();
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    await sink?.stop();
    await p?.close();
  });

  it('refuses a recommendation without the operator’s consent, or of a business outside the department’s region', async () => {
    const noConsent = await gw.call('POST', '/v1/department/recommendations', commerce, { creditCode: shop.creditCode });
    expect(noConsent.status).toBe(400);
    expect(JSON.stringify(noConsent.body)).toContain('operatorConsent');
    const elsewhere = business('110115');
    await ingestBusinesses(p.ctx, [elsewhere], 2024);
    await sink.caughtUp();
    const outside = await gw.call('POST', '/v1/department/recommendations', commerce, {
      creditCode: elsewhere.creditCode,
      operatorConsent: true,
    });
    expect(outside.status).toBe(403);
  });

  it('a recommendation becomes the year’s candidate, and the round recognises it on the recommendation route', async () => {
    today = '2025-09-01';
    const r = await gw.call('POST', '/v1/department/recommendations', commerce, {
      creditCode: shop.creditCode,
      category: 'distinctive',
      operatorConsent: true,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ creditCode: shop.creditCode, year: 2025, recommender: '区商务局', submittedOn: '2025-09-01' });
    await sink.caughtUp();
    const list = await gw.call('GET', '/v1/regulator/candidates?area=110109&year=2025', regulator);
    expect(list.body.candidates).toEqual([
      expect.objectContaining({
        creditCode: shop.creditCode,
        route: 'recommendation',
        recommender: '区商务局',
        category: 'distinctive',
      }),
    ]);
    today = '2025-12-20';
    expect((await gw.call('POST', '/v1/regulator/runs', regulator, { area: '110109', asOf: '2025-08-15' })).status).toBe(201);
    await sink.caughtUp();
    const round = await gw.call('POST', '/v1/regulator/rounds', regulator, { area: '110109', asOf: '2025-08-15' });
    const c = (round.body.candidates as Rec[]).find((x) => x.creditCode === shop.creditCode);
    // A survival business: a department's recommendation is not bound to growth and development.
    expect(c).toMatchObject({ outcome: 'recognised', category: 'distinctive', validUntil: '2028-11-30' });
  });

  it('in the last year of validity, the department recommending it again extends it (三(五)D)', async () => {
    // 2028: the same facts, a year's reports on; the department recommends it again on 1 September.
    today = '2028-09-01';
    const facts2028 = [...fillers, shop].map((b) => withSection(b, 'annualReport', { year: 2027 }));
    await ingestBusinesses(p.ctx, facts2028, 2027);
    await sink.caughtUp();
    const again = await gw.call('POST', '/v1/department/recommendations', commerce, {
      creditCode: shop.creditCode,
      category: 'distinctive',
      operatorConsent: true,
    });
    expect(again.status).toBe(201);
    await sink.caughtUp();
    today = '2028-12-20';
    expect((await gw.call('POST', '/v1/regulator/runs', regulator, { area: '110109', asOf: '2028-08-15' })).status).toBe(201);
    await sink.caughtUp();
    const round = await gw.call('POST', '/v1/regulator/rounds', regulator, { area: '110109', asOf: '2028-08-15' });
    expect(round.status, JSON.stringify(round.body)).toBe(201);
    const renewal = (
      round.body.renewals as { creditCode: string; extend: boolean; grounds: { ground: string; met: boolean }[] }[]
    ).find((x) => x.creditCode === shop.creditCode);
    expect(renewal).toMatchObject({ extend: true });
    expect(renewal?.grounds).toContainEqual(expect.objectContaining({ ground: 'recommenderConsent', met: true }));
  });
});
