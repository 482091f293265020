/**
 * Publication through the HTTP API, as the texts ask it: the standards (国市监注发〔2024〕10号 附件
 * 一(三)2; 各区 二(一)1 分类标准…于8月底前向社会公示, 石景山 9月底前), the candidates under 信息公示
 * with the channel to object (附件 二(三)1; 三(三) 做好信息公示和异议处理工作), and the types and
 * recognitions for the national 个体工商户名录 (附件 一(三)1). Mentougou (110109), 2025: an applicant
 * files on 1 September; its notice runs from 6 to 12 September (passedReview's steps).
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, type Pipeline } from '../app/pipeline.js';
import { business, passedReview, withSection } from '../matchers/testing/fixtures.js';
import { type Sink, startSink } from '../pipeline/sink.js';
import { isolatedPipeline } from '../pipeline/testing.js';
import { startTestGateway, type TestGateway } from './testing.js';

type Rec = Record<string, unknown>;
const growth = (division: string) => withSection(business(division), 'socialInsurance', { insuredHeadcount: 2 });

let today = '2025-09-08';
const clock = () => new Date(`${today}T04:00:00Z`);

describe('publication (公示), Mentougou 2025, embedded', () => {
  let p: Pipeline;
  let sink: Sink;
  let gw: TestGateway;
  let mentougou: string;
  const fillers = Array.from({ length: 39 }, () => growth('110109'));
  const applicant: Rec = {
    ...growth('110109'),
    honours: { certifications: [{ kind: 'productQuality' }] },
    application: { year: 2025, route: 'application', category: null, submittedOn: '2025-09-01', review: {} },
    reviewSteps: passedReview(2025, '2025-09-01'),
  };

  beforeAll(async () => {
    p = await isolatedPipeline('embedded');
    sink = await startSink(p.ctx, p.store);
    gw = await startTestGateway(p.store, p.ctx, clock);
    mentougou = await gw.token('regulator', 'mentougou-samr', { region: '110109' });
    await ingestBusinesses(p.ctx, [...fillers, applicant], 2024);
    await sink.caughtUp();
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    await sink?.stop();
    await p?.close();
  });

  it('publishes each district’s standards, its own category criteria, and the day they are public by', async () => {
    const mtg = await gw.call('GET', '/v1/public/standards?area=110109');
    const sjs = await gw.call('GET', '/v1/public/standards?area=110107');
    expect(mtg.status).toBe(200);
    expect(mtg.body).toMatchObject({ area: '110109', ruleset: 'beijing-2024@1', publicBy: '2025-08-31' });
    // 石景山区方案（征求意见稿） 二(一)1: 于9月底前向社会公示.
    expect(sjs.body).toMatchObject({ area: '110107', publicBy: '2025-09-30' });
    // Shijingshan's 特色 D names only 餐饮名店 (石景山区方案（征求意见稿） 附件 三(三)2(2)D).
    const starOf = (b: Rec) =>
      ((b.mtyx as { categories: Record<string, { id: string; clause: string }[]> }).categories.distinctive ?? []).find((c) =>
        c.id.endsWith('starRated'),
      )?.clause;
    expect(starOf(sjs.body)).toMatch(/^石景山区方案（征求意见稿） 附件 三\(三\)2\(2\)D/);
    expect(starOf(mtg.body)).toMatch(/^兴市监发〔2024〕53号 附件 三\(三\)2\(2\)D/);
    expect((await gw.call('GET', '/v1/public/standards?area=999999')).status).toBe(400);
  });

  it('lists the candidate under notice while it runs, and takes objections then, not after', async () => {
    today = '2025-09-08';
    const open = await gw.call('GET', '/v1/public/notices?area=110109');
    expect(open.status).toBe(200);
    expect(open.body.notices).toEqual([
      expect.objectContaining({ creditCode: applicant.creditCode, from: '2025-09-06', until: '2025-09-12' }),
    ]);
    const raised = await gw.call('POST', '/v1/public/objections', undefined, {
      creditCode: applicant.creditCode,
      reason: '该户长期无照经营分店，不符合诚信经营',
      contact: '13800000000',
    });
    expect(raised.status).toBe(201);
    expect(raised.body).toMatchObject({ creditCode: applicant.creditCode, year: 2025 });
    expect(raised.body).not.toHaveProperty('contact');
    // No notice runs for a filler; a reason too short is refused naming the field.
    const none = await gw.call('POST', '/v1/public/objections', undefined, {
      creditCode: fillers[0]?.creditCode,
      reason: '不符合条件的',
    });
    expect(none.status).toBe(409);
    const short = await gw.call('POST', '/v1/public/objections', undefined, { creditCode: applicant.creditCode, reason: '否' });
    expect(short.status).toBe(400);
    expect(JSON.stringify(short.body)).toContain('reason');

    today = '2025-09-13';
    expect((await gw.call('GET', '/v1/public/notices?area=110109')).body.notices).toEqual([]);
    const late = await gw.call('POST', '/v1/public/objections', undefined, {
      creditCode: applicant.creditCode,
      reason: '公示期后提出的异议',
    });
    expect(late.status).toBe(409);

    // The regulator of the district sees the objection with the contact; another district's does not.
    const list = await gw.call('GET', '/v1/regulator/objections?area=110109&year=2025', mentougou);
    expect(list.body.objections).toEqual([
      expect.objectContaining({ id: raised.body.id, creditCode: applicant.creditCode, contact: '13800000000' }),
    ]);
    const daxing = await gw.token('regulator', 'daxing-samr', { region: '110115' });
    expect((await gw.call('GET', '/v1/regulator/objections?area=110109&year=2025', daxing)).status).toBe(403);
  });

  it('exports the district’s types and recognitions for the national 名录, one line per business', async () => {
    today = '2025-12-20';
    expect((await gw.call('POST', '/v1/regulator/runs', mentougou, { area: '110109', asOf: '2025-08-15' })).status).toBe(201);
    await sink.caughtUp();
    const round = await gw.call('POST', '/v1/regulator/rounds', mentougou, { area: '110109', asOf: '2025-08-15' });
    expect(round.status).toBe(201);
    const r = await fetch(`${gw.base}/v1/regulator/directory-export?area=110109`, {
      headers: { authorization: `Bearer ${mentougou}` },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parse((await r.text()).replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(fillers.length + 1);
    expect(Object.keys(rows[0] as object)).toEqual([
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
    ]);
    expect(rows.every((x) => x.type === 'growth' && x.type_label === '成长型' && x.typed_as_of === '2025-08-15')).toBe(true);
    // 5% of 40 growth businesses is 2: the applicant is recognised on the round's last day, 30 November.
    expect(rows.find((x) => x.credit_code === applicant.creditCode)).toMatchObject({
      mtyx_category: 'quality',
      mtyx_valid_from: '2025-11-30',
      mtyx_valid_until: '2028-11-30',
      mtyx_status: 'active',
    });
    expect(rows.filter((x) => x.mtyx_category !== '')).toHaveLength(1);
  });
});
