/**
 * Trust, round two: each finding of the second attack on the gateway as a test named by its
 * T-number, through real HTTP on loopback over the embedded pipeline, with the gateway's clock set
 * by the test (time is the server's: every date that acts now is bounded by today in China).
 * Expectations come from the texts where they speak (cited per test) and from the attack's
 * reproduction otherwise: what the attacker did must be refused, and the user's own work must go on.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { auditHash } from '../lib/store/auditChain.js';
import { Store } from '../lib/store/index.js';
import { rawQuery } from '../lib/store/testing.js';
import { business, passedReview, withSection } from '../matchers/testing/fixtures.js';
import { JobRunner } from '../pipeline/jobs.js';
import { type Sink, startSink } from '../pipeline/sink.js';
import { publishCheckpoint } from './checkpoints.js';
import { DEV_ISSUER } from './index.js';
import { KeyRing } from './keys.js';
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
// 和平区 (120101) and 河东区 (120102), typed 2025: disputes, feeds, transfers.
const heping = Array.from({ length: 4 }, () => business('120101'));
const hedong = Array.from({ length: 2 }, () => business('120102'));

beforeAll(async () => {
  p = await openPipeline({ mode: 'embedded', partitions: 3 });
  sink = await startSink(p.ctx, p.store);
  gw = await startTestGateway(p.store, p.ctx, clock);
  await ingestBusinesses(p.ctx, [...jinghai, ...mentougou, ...applicants, ...heping, ...hedong], 2024);
  await sink.caughtUp();
  today = '2025-09-01';
  const city = await gw.token('regulator', 'tianjin-samr', { region: '120000' });
  for (const area of ['120101', '120102'])
    expect((await gw.call('POST', '/v1/regulator/runs', city, { area, asOf: '2025-08-15' })).status).toBe(201);
  await sink.caughtUp();
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await sink?.stop();
  await p?.close();
});

const taxRow = (creditCode: string, vatPaidYuan: number) => ({
  creditCode,
  year: 2024,
  registeredOn: '2015-03-10',
  nonNormal: false,
  generalTaxpayer: false,
  vatPaidYuan,
  iitPaidYuan: 0,
});
const heping0Operator = () => heping[0]?.operatorId as string;
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
      const draw = await gw.call('POST', '/v1/regulator/spot-checks', reg, { area: '120118', year, publicValue: 's' });
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

  it('T3: a transfer check tells a region whether the recognition carries, not which exclusion failed; a second code only within reach, both audited', async () => {
    today = '2025-09-02';
    const beijing = await gw.token('region', 'region:beijing', { region: '110000' });
    const code = heping[0]?.creditCode as string;
    const r = await gw.call('POST', '/v1/transfers/check', beijing, { creditCode: code, toRegion: '110105' });
    expect(r.status).toBe(200);
    const checks = (r.body.reasons as { check: string }[]).map((x) => x.check);
    expect(checks).not.toContain('notOnCourtList');
    expect(checks).not.toContain('noUnrepairedFine');
    expect(checks).toContain('exclusions');
    expect(JSON.stringify(r.body)).not.toMatch(/court list|unrepaired/);
    // A second Tianjin business, shared operator or not, is not Beijing's to probe.
    const probe = await gw.call('POST', '/v1/transfers/check', beijing, {
      creditCode: code,
      newCreditCode: hedong[0]?.creditCode,
      toRegion: '110105',
    });
    expect(probe.status).toBe(403);
    const audited = (await p.store.auditEntries()).filter((e) => e.subject === 'region:beijing' && e.action === 'transfer.check');
    expect(audited.map((e) => [e.creditCode, e.outcome.split(' ')[0]])).toEqual([
      [code, 'not-carried'],
      [hedong[0]?.creditCode, 'denied'],
    ]);
  });

  it("T4: a district court agency may not put another district's operator on the court list", async () => {
    const heping = await gw.token('agency', 'court:heping', { region: '120101', scope: 'feeds:court' });
    const other = hedong[0]?.operatorId as string;
    const r = await gw.call('POST', '/v1/feeds/court/dishonest-debtors', heping, {
      batchId: 't4',
      records: [{ operatorId: other, dishonest: true, listedOn: '2025-08-01' }],
    });
    expect(r.status).toBe(403);
    expect(field(r)).toMatch(/^records\.0\.operatorId: a business of this operator is outside/);
    const nobody = await gw.call('POST', '/v1/feeds/court/dishonest-debtors', heping, {
      batchId: 't4b',
      records: [{ operatorId: 'op-nobody-knows', dishonest: true }],
    });
    expect(nobody.status).toBe(403);
    // Its own district's operator is its to report.
    const own = await gw.call('POST', '/v1/feeds/court/dishonest-debtors', heping, {
      batchId: 't4c',
      records: [{ operatorId: heping0Operator(), dishonest: false }],
    });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
  });

  it('T15: a regulator, agency, region or department token without a region claim is refused, not national', async () => {
    for (const [role, extra] of [
      ['regulator', {}],
      ['agency', { scope: 'feeds:court' }],
      ['region', {}],
      ['department', { scope: 'department:税务部门' }],
    ] as const) {
      const t = await gw.token(role, `${role}:no-region`, { ...extra, region: undefined });
      const r = await gw.call('GET', '/v1/regulator/disputes', t);
      expect(r.status, role).toBe(401);
      expect(field(r)).toMatch(/must name its region/);
    }
    // The country is said in so many words.
    const national = await gw.token('regulator', 'samr', { region: '000000' });
    expect((await gw.call('GET', '/v1/regulator/disputes', national)).status).toBe(200);
  });

  it('T16: a district regulator may not resolve a typing dispute: the texts give it to the province level', async () => {
    today = '2025-09-03';
    const code = heping[1]?.creditCode as string;
    const own = await gw.token('public', code);
    const filed = await gw.call('POST', '/v1/disputes', own, { creditCode: code, claim: '已缴纳社保' });
    expect(filed.status).toBe(201);
    const district = await gw.token('regulator', 'heping-samr', { region: '120101' });
    const r = await gw.call('POST', `/v1/regulator/disputes/${filed.body.id}/resolve`, district, {
      outcome: 'adjust',
      type: 'development',
      reason: 'x',
    });
    expect(r.status).toBe(403);
    expect(field(r)).toMatch(/津市场监管政务〔2024〕9号 附件1 三\(三\)/);
    expect((await p.store.decision(code))?.runId?.startsWith('dispute:')).toBe(false);
    // A 名特优新 dispute is the district's own (做好信息公示和异议处理工作).
    const mtyx = await gw.call('POST', '/v1/disputes', own, { creditCode: code, claim: '公示异议', subject: 'mtyx', year: 2025 });
    expect(
      (await gw.call('POST', `/v1/regulator/disputes/${mtyx.body.id}/resolve`, district, { outcome: 'uphold', reason: '维持' }))
        .status,
    ).toBe(200);
  });

  it("T7: two regulators resolving one dispute at once: one wins, the other gets 409, and only the winner's type stands", async () => {
    today = '2025-09-04';
    const code = heping[2]?.creditCode as string;
    const own = await gw.token('public', code);
    const filed = await gw.call('POST', '/v1/disputes', own, { creditCode: code, claim: '已缴纳社保' });
    const a = await gw.token('regulator', 'tianjin-samr:a', { region: '120000' });
    const b = await gw.token('regulator', 'tianjin-samr:b', { region: '120000' });
    const path = `/v1/regulator/disputes/${filed.body.id}/resolve`;
    const [ra, rb] = await Promise.all([
      gw.call('POST', path, a, { outcome: 'adjust', type: 'development', reason: '核实' }),
      gw.call('POST', path, b, { outcome: 'adjust', type: 'ineligible', reason: '核实' }),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([200, 409]);
    const winner = ra.status === 200 ? 'development' : 'ineligible';
    await sink.caughtUp();
    expect((await p.store.decision(code))?.type).toBe(winner);
    // A NUL in the reason is refused before anything is sent.
    const next = await gw.call('POST', '/v1/disputes', own, { creditCode: code, claim: '再次异议' });
    const nul = await gw.call('POST', `/v1/regulator/disputes/${next.body.id}/resolve`, a, {
      outcome: 'adjust',
      type: 'survival',
      reason: 'a\u0000b',
    });
    expect(nul.status).toBe(400);
    expect(field(nul)).toMatch(/^reason: /);
    await sink.caughtUp();
    expect((await p.store.decision(code))?.type).toBe(winner);
  });

  it("T6: a business cannot bury the country's disputes: a few open per subject, each resolvable by id, lists paged", async () => {
    today = '2025-09-05';
    const code = heping[3]?.creditCode as string;
    const own = await gw.token('public', code);
    const victim = hedong[1]?.creditCode as string;
    const older = await gw.call('POST', '/v1/disputes', await gw.token('public', victim), { creditCode: victim, claim: '异议' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await gw.call('POST', '/v1/disputes', own, { creditCode: code, claim: `异议 ${i}` })).status);
    expect(statuses).toEqual([201, 201, 201, 409, 409]);
    const city = await gw.token('regulator', 'tianjin-samr', { region: '120000' });
    const page1 = await gw.call('GET', '/v1/regulator/disputes?status=open&limit=2', city);
    expect((page1.body.disputes as unknown[]).length).toBe(2);
    const next = page1.body.next as { before: number };
    const page2 = await gw.call('GET', `/v1/regulator/disputes?status=open&limit=2&before=${next.before}`, city);
    const ids = [...(page1.body.disputes as { id: string }[]), ...(page2.body.disputes as { id: string }[])].map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    // The older dispute is still found by its id and resolved.
    const done = await gw.call('POST', `/v1/regulator/disputes/${older.body.id}/resolve`, city, {
      outcome: 'uphold',
      reason: '维持',
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id: older.body.id, status: 'upheld' });
  });

  it('T8: a fact cannot say it was known after it was received, so it cannot outrank later corrections', async () => {
    today = '2025-09-06';
    const tax = await gw.token('agency', 'tax:tianjin', { region: '120000', scope: 'feeds:tax' });
    const code = heping[0]?.creditCode as string;
    const r = await gw.call('POST', '/v1/feeds/tax/tax', tax, {
      batchId: 't8',
      records: [
        { ...taxRow(code, 99_999), reportedAt: '2099-12-31' },
        { ...taxRow(code, 100), reportedAt: '2025-09-06T10:00:00+08:00' },
      ],
    });
    expect(r.status).toBe(207);
    const outcomes = r.body.outcomes as { line: number; accepted: boolean; reasonCode?: string; reason?: string }[];
    expect(outcomes.map((x) => [x.line, x.accepted, x.reasonCode ?? null])).toEqual([
      [1, false, 'INVALID_DATE'],
      [2, true, null],
    ]);
    expect(outcomes[0]?.reason).toMatch(/^reportedAt: 2099-12-30T16:00:00.000Z is after the record was received/);
  });

  it("T11: a revocation's note stays with the regulators; banks and platforms are told the status, the ground and the clause", async () => {
    const reg = await gw.token('regulator', 'mentougou-samr', { region: '110109' });
    const plat = await gw.token('platform', 'platform:t11');
    const holder = applicants[0]?.creditCode as string;
    today = '2025-12-02';
    expect((await gw.call('POST', '/v1/regulator/runs', reg, { area: '110109', asOf: '2025-08-15' })).status).toBe(201);
    await sink.caughtUp();
    expect((await gw.call('GET', `/v1/badges/${holder}`, plat)).status).toBe(200);
    const start = (await gw.call('GET', '/v1/platform/corrections', plat)).body.cursor as string;
    const note = '经营者张三 13800000000 案号(2025)津0101刑初123号';
    const r = await gw.call('POST', `/v1/regulator/recognitions/${holder}/revoke`, reg, { ground: 'fraud', note });
    expect(r.status).toBe(201);
    await sink.caughtUp();
    const told = await gw.call('GET', `/v1/platform/corrections?cursor=${encodeURIComponent(start)}`, plat);
    expect(told.body.corrections).toEqual([
      expect.objectContaining({
        change: 'recognition',
        status: 'revoked',
        reason: expect.stringMatching(/^revoked for fraud; /),
      }),
    ]);
    expect(JSON.stringify(told.body)).not.toMatch(/张三|13800000000|刑初/);
    // The regulator still reads it, with who wrote it.
    const life = (await gw.call('GET', `/v1/regulator/decisions/${holder}`, reg)).body.recognitionLife as Rec[];
    expect(life.find((x) => x.step === 'revocationNote')).toMatchObject({ explanation: note, actor: 'mentougou-samr' });
  });

  it("T13: an agency's market-regulator feed may not write review steps in a regulator's name", async () => {
    const agency = await gw.token('agency', 'samr-data', { region: '120000', scope: 'feeds:market-regulator' });
    const r = await gw.call('POST', '/v1/feeds/market-regulator/review-steps', agency, {
      batchId: 't13',
      records: [
        {
          creditCode: heping[0]?.creditCode,
          year: 2025,
          step: 'verification',
          stepId: 'v1',
          on: '2025-09-01',
          outcome: 'failed',
          actor: 'reg:heping',
        },
      ],
    });
    expect(r.status).toBe(403);
    expect(field(r)).toMatch(/POST \/v1\/regulator\/review-steps/);
  });

  it('T17: control characters are refused by name on every free-text field, loopback spelt otherwise is no webhook, streams and badges are per caller', async () => {
    today = '2025-09-07';
    const code = hedong[0]?.creditCode as string;
    const own = await gw.token('public', code);
    const consent = await gw.call('POST', '/v1/consents', own, {
      creditCode: code,
      bank: 'bank\u0000x',
      purpose: 'credit-assessment',
      scope: ['flags'],
      expiresOn: '2026-01-01',
    });
    expect([consent.status, field(consent)]).toEqual([400, expect.stringMatching(/^bank: /)]);
    const claim = await gw.call('POST', '/v1/disputes', own, { creditCode: code, claim: 'a\u0000b' });
    expect([claim.status, field(claim)]).toEqual([400, expect.stringMatching(/^claim: /)]);
    const region = await gw.token('region', 'region:beijing', { region: '110000' });
    const transfer = await gw.call('POST', '/v1/transfers/check', region, { creditCode: 'a\u0000b', toRegion: '110105' });
    expect(transfer.status).toBe(400);
    const bank = await gw.token('bank', 'bank:t17');
    for (const url of ['http://127.1:9/h', 'http://2130706433:9/h', 'http://0x7f.0.0.1:9/h']) {
      const w = await gw.call('PUT', '/v1/credit-tags-corrections/webhook', bank, { url });
      expect([url, w.status]).toEqual([url, 400]);
    }
    const { isPrivateAddress } = await import('./webhooks.js');
    for (const a of ['64:ff9b::7f00:1', '2002:7f00:1::', 'fec0::1', '::ffff:7f00:1'])
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    expect(isPrivateAddress('2400:3200::1')).toBe(false);
    // A badge names the platform it was issued to.
    const holder = applicants[1]?.creditCode as string;
    const badge = await gw.call('GET', `/v1/badges/${holder}`, await gw.token('platform', 'platform:shop-a'));
    const payload = JSON.parse(Buffer.from(String(badge.body.token).split('.')[1] as string, 'base64url').toString()) as Rec;
    expect(payload.aud).toEqual(['getihu-badge', 'platform:shop-a']);
    // Streams are counted per role and subject: a platform named like a bank takes none of its slots.
    const { CorrectionStreams, MAX_STREAMS_PER_SUBJECT } = await import('./correctionFeeds.js');
    const streams = new CorrectionStreams();
    for (let i = 0; i < MAX_STREAMS_PER_SUBJECT; i++) streams.take('platform', 'bank:t17');
    expect(() => streams.take('bank', 'bank:t17')).not.toThrow();
  });
  it("T10: the 双随机 seed is the server's, committed before the draw: the drawer can neither choose it nor draw again, nor draw another year or a made-up area", async () => {
    today = '2025-09-08';
    const reg = await gw.token('regulator', 'tianjin-samr', { region: '120000' });
    const first = await gw.call('POST', '/v1/regulator/spot-checks/commitments', reg, { area: '120101', year: 2025 });
    expect(first.status).toBe(201);
    // Asking again does not make the server choose again.
    const second = await gw.call('POST', '/v1/regulator/spot-checks/commitments', reg, { area: '120101', year: 2025 });
    expect(second.body.commitment).toBe(first.body.commitment);
    const published = await gw.call('GET', '/v1/public/spot-checks/commitments?area=120101&year=2025');
    expect(published.body).toMatchObject({ commitment: first.body.commitment, secret: null });
    // The seed field is gone: a drawer who names one is refused by name.
    const chosen = await gw.call('POST', '/v1/regulator/spot-checks', reg, {
      area: '120101',
      year: 2025,
      publicValue: 'v',
      seed: 'mine',
    });
    expect([chosen.status, field(chosen)]).toEqual([400, expect.stringMatching(/^seed: not a field/)]);
    const drawn = await gw.call('POST', '/v1/regulator/spot-checks', reg, { area: '120101', year: 2025, publicValue: 'v' });
    expect(drawn.status).toBe(201);
    const again = await gw.call('POST', '/v1/regulator/spot-checks', reg, { area: '120101', year: 2025, publicValue: 'w' });
    expect(again.status).toBe(409);
    const national = await gw.token('regulator', 'samr', { region: '000000' });
    const nowhere = await gw.call('POST', '/v1/regulator/spot-checks/commitments', national, { area: '990000', year: 2025 });
    expect([nowhere.status, field(nowhere)]).toEqual([400, expect.stringMatching(/^area: 990000 is not a division/)]);
    const later = await gw.call('POST', '/v1/regulator/spot-checks/commitments', reg, { area: '120102', year: 2100 });
    expect(later.status).toBe(400);
  });

  it('T12: the audit verifiers tell the truth: a rewrite re-hashed, an entry edited in place, deleted checkpoints and an empty log are not "ok"', async () => {
    const reg = await gw.token('regulator', 'samr', { region: '000000' });
    const verify = async () => (await gw.call('GET', '/v1/regulator/audit/verify', reg)).body;
    // No checkpoint yet: the chain recomputes, but nothing vouches for it.
    expect(await verify()).toMatchObject({ ok: false, status: 'unverified' });
    const signer = { store: p.store, keys: gw.checkpointKeys, issuer: DEV_ISSUER };
    const kept = (await publishCheckpoint(signer))?.token as string;
    const whole = await verify();
    expect(whole).toMatchObject({ ok: true, status: 'verified', checkpoints: 1 });
    // What is after the newest checkpoint is said, not vouched for.
    expect(whole.unverifiedTail).toBe((whole.entries as number) - (whole.lastCheckpointSeq as number));
    // An entry edited in place, its stored hash left as it was: the public check recomputes.
    const [row] = await rawQuery(p.store, 'select seq, outcome from audit_log order by seq limit 1 offset 2');
    const { seq, outcome } = row as { seq: number; outcome: string };
    await rawQuery(p.store, "update audit_log set outcome = 'edited' where seq = $1", [seq]);
    const check = await gw.call('POST', '/v1/audit/checkpoints/verify', undefined, { token: kept });
    expect(check.body).toMatchObject({ consistent: false, reason: `entry ${seq} was altered` });
    await rawQuery(p.store, 'update audit_log set outcome = $1 where seq = $2', [outcome, seq]);
    // The checkpoints deleted: not verified, rather than "ok with 0 checked".
    await rawQuery(p.store, 'delete from audit_checkpoints');
    expect(await verify()).toMatchObject({ ok: false, status: 'unverified', checkpoints: 0 });
  });

  it('T12: `audit verify` on the command line fails on a chain rewritten and re-hashed, and on an empty one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'getihu-audit-'));
    const ring = await KeyRing.ephemeral();
    const store = await Store.pglite(dir);
    await store.appendAuditBatch(
      ['a', 'b', 'c'].map((x) => ({
        subject: `bank:${x}`,
        role: 'bank',
        action: 'credit-tags.read',
        purpose: null,
        creditCode: null,
        outcome: 'ok',
      })),
    );
    await publishCheckpoint({ store, keys: ring, issuer: DEV_ISSUER });
    // The rewrite: entry 2 changed and every hash from it recomputed, as someone with the database can.
    const entries = await store.auditEntries(undefined, 10);
    let prev = entries[0]?.hash as string;
    for (const e of entries.slice(1)) {
      const changed = e.seq === 2 ? { ...e, outcome: 'denied' } : e;
      const h = auditHash(prev, e.seq, e.at, changed);
      await rawQuery(store, 'update audit_log set outcome = $1, prev_hash = $2, hash = $3 where seq = $4', [
        changed.outcome,
        prev,
        h,
        e.seq,
      ]);
      prev = h;
    }
    await store.close();
    const cli = (args: string[], env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'app/cli.ts', ...args], {
        encoding: 'utf8',
        env: { ...process.env, KAFKA_BROKERS: '', ...env },
        timeout: 60_000,
      });
    const r = cli(['audit', 'verify', '--pglite', dir], { GETIHU_CHECKPOINT_KEYS: ring.serialize() });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, status: 'broken', brokenAt: 3 });
    const empty = mkdtempSync(join(tmpdir(), 'getihu-audit-empty-'));
    await (await Store.pglite(empty)).close();
    const none = cli(['audit', 'verify', '--pglite', empty], { GETIHU_CHECKPOINT_KEYS: ring.serialize() });
    expect(none.status).toBe(1);
    expect(JSON.parse(none.stdout)).toMatchObject({ ok: false, status: 'unverified', entries: 0 });
  }, 120_000);

  it("T14: one regulator cannot starve the others of jobs: a few unfinished each, callers served in turn, and a second runner fails no one's jobs", async () => {
    today = '2025-09-09';
    const district = await gw.token('regulator', 'jinghai-samr', { region: '120118' });
    const city = await gw.token('regulator', 'tianjin-samr', { region: '120000' });
    const start = () =>
      fetch(`${gw.base}/v1/regulator/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${district}`, 'content-type': 'application/json', prefer: '' },
        body: JSON.stringify({ area: '120118', asOf: '2025-08-15' }),
      });
    // Five at once: three taken, two refused with when to come back (whichever arrive first).
    const five = await Promise.all([start(), start(), start(), start(), start()]);
    const taken = five.filter((r) => r.status === 202);
    const refused = five.filter((r) => r.status === 429);
    expect([taken.length, refused.length]).toEqual([3, 2]);
    expect(refused.every((r) => Number(r.headers.get('retry-after')) > 0)).toBe(true);
    const piled = await Promise.all(taken.map(async (r) => ({ body: (await r.json()) as { id: string } })));
    expect((await gw.call('POST', '/v1/regulator/badges/sweep', city, { area: '120000' })).status).toBe(201);
    await gw.jobs.idle();
    const ended = await Promise.all(piled.map(async (r) => (await p.store.jobs.of(r.body.id as string))?.state));
    expect(ended).toEqual(['succeeded', 'succeeded', 'succeeded']);

    // The order jobs start in: a caller who piled up jobs waits behind each newcomer. (Jobs whose
    // work waits on a gate the test opens, on a runner of its own over the same store.)
    const runner = await JobRunner.start(p.store);
    const started: string[] = [];
    let open = () => {};
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const job = (subject: string, name: string) =>
      runner.submit({
        kind: 'run',
        area: '120118',
        subject,
        params: {},
        work: async () => {
          started.push(name);
          await gate;
          return {};
        },
      });
    const first = await job('jinghai-samr', 'district 1');
    await job('jinghai-samr', 'district 2');
    await job('jinghai-samr', 'district 3');
    await job('tianjin-samr', 'city sweep');
    // Another runner starting meanwhile (a second replica, a restart) fails none of these.
    const other = await JobRunner.start(p.store);
    expect((await p.store.jobs.of(first.id))?.state).toBe('running');
    open();
    await runner.idle();
    expect(started).toEqual(['district 1', 'city sweep', 'district 2', 'district 3']);
    expect((await p.store.jobs.of(first.id))?.state).toBe('succeeded');
    await other.close();
    await runner.close();
  }, 60_000);

  // Last: it leaves this address refused for forged tokens for a minute.
  it('T5: junk Authorization headers from one address lock no one else out, a verified token always passes, and every 429 says when to return', async () => {
    const bank = await gw.token('bank', 'bank:t5');
    const known = await gw.token('bank', 'bank:t5-known');
    const code = heping[0]?.creditCode as string;
    const read = (t: string) => gw.call('GET', `/v1/credit-tags/${code}?purpose=pre-approval`, t);
    expect((await read(known)).status).toBe(200);
    for (let i = 0; i < 61; i++) await gw.call('GET', '/healthz', 'x.y.z');
    // A valid token never seen before, from the same address, after 61 junk headers.
    expect((await read(bank)).status).toBe(200);
    // Tokens that cost a signature check (a published key, a forged signature) do count...
    const [head, body] = bank.split('.');
    const forged = `${head}.${body}.${Buffer.alloc(64, 1).toString('base64url')}`;
    // (The limit is 60 a minute; the tokens refused by T15 above were signature-checked too.)
    let limited = await fetch(`${gw.base}/healthz`, { headers: { authorization: `Bearer ${forged}` } });
    const statuses: number[] = [];
    while (limited.status === 401 && statuses.length < 61) {
      statuses.push(limited.status);
      limited = await fetch(`${gw.base}/healthz`, { headers: { authorization: `Bearer ${forged}` } });
    }
    expect(statuses.length).toBeGreaterThan(50);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // ...and still a token verified before is never refused for them.
    expect((await read(known)).status).toBe(200);
    expect((await read(bank)).status).toBe(200);
  });
});
