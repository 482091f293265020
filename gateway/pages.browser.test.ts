/**
 * The pages in a real browser (Debian's Chromium through playwright-core), against the real
 * gateway over HTTP on a typed register: the public register finds a business and shows the type
 * and recognition the API gives; the badge widget, embedded in a shop page on another origin,
 * verifies a platform's badge token against the published keys and shows it, and refuses it once
 * the recognition is revoked, and a forged token at once; axe-core finds no serious violation on
 * any page. Screenshots go to .data/screenshots/. Skipped where no Chromium is installed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBusinesses, openPipeline, type Pipeline } from '../app/pipeline.js';
import { CHROMIUM_ARGS, chromiumPath } from '../deploy/local/browser.js';
import { chinaDate } from '../lib/dates.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { rawQuery } from '../lib/store/testing.js';
import { DecisionPool, runTyping, topicName } from '../pipeline/reconciler.js';
import { runRecognition } from '../pipeline/round.js';
import { type Sink, startSink } from '../pipeline/sink.js';
import { createGateway } from './app.js';
import { publishCheckpoint } from './checkpoints.js';
import { AUDIENCE, DEV_ISSUER, KeyRing, tokenVerifier } from './index.js';
import { startTestGateway, type TestGateway } from './testing.js';

const CHROMIUM = chromiumPath();
const SHOTS = '.data/screenshots';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** The type names a reader sees on the register page, as the national text names them (国市监注发〔2024〕10号 一). */
const TYPE_NAMES = { survival: '生存型', growth: '成长型', development: '发展型', ineligible: '不符合分型条件' };
/** The category names, as the 名特优新 texts name them (知名、特色、优质、新兴). */
const CATEGORY_NAMES = { wellKnown: '知名', distinctive: '特色', quality: '优质', emerging: '新兴' };

let p: Pipeline;
let sink: Sink;
let gw: TestGateway;
let browser: Browser;
let shop: Server;
let shopBase: string;
/** The shop page another origin serves: the widget from the gateway, the token in the element. */
let shopToken = '';

beforeAll(async () => {
  if (CHROMIUM === undefined) return;
  p = await openPipeline({ mode: 'embedded', partitions: 3 });
  const businesses = [...generateBusinesses({ region: 'beijing', businesses: 600, seed: 33 })];
  await ingestBusinesses(p.ctx, businesses, 2024);
  sink = await startSink(p.ctx, p.store);
  const pool = new DecisionPool(0);
  await runTyping(p.ctx, { area: '110000', asOf: '2025-08-15', pool });
  await runRecognition(p.ctx, p.store, { area: '110000', asOf: '2025-08-15' });
  await sink.caughtUp();
  await pool.close();
  gw = await startTestGateway(p.store, p.ctx);
  shop = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>一家店铺</title>
<script type="module" src="${gw.base}/widget/badge.js"></script></head>
<body><main><h1>一家店铺</h1><getihu-badge token="${shopToken}"></getihu-badge></main></body></html>`);
  });
  await new Promise<void>((r) => shop.listen(0, '127.0.0.1', () => r()));
  // Another origin: another port.
  shopBase = `http://127.0.0.1:${(shop.address() as { port: number }).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
  mkdirSync(SHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (shop === undefined ? r() : shop.close(() => r())));
  await gw?.close();
  await sink?.stop();
  await p?.close();
});

/** axe-core's violations of impact serious or critical on the page as it stands. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the browser's protocol, which the pages' content policy does not govern.
  await page.evaluate(AXE);
  const found = (await page.evaluate(async () => {
    const r = await (
      globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }
    ).axe.run();
    return r.violations.map((v) => ({ id: v.id, impact: v.impact }));
  })) as { id: string; impact: string }[];
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
}

/** The first typed Beijing business by credit code. */
async function firstBeijingBusiness(): Promise<string> {
  const [row] = (await rawQuery(
    p.store,
    "select credit_code from decisions where region like '11%' order by credit_code limit 1",
  )) as {
    credit_code: string;
  }[];
  return (row as { credit_code: string }).credit_code;
}

/** A console page signed in with `token` (pasted, as on the development default). */
async function signedInConsole(token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${gw.base}/console`);
  await page.getByLabel('访问令牌（监管角色；开发环境可用 npm run -s cli -- token 生成）').fill(token);
  await page.getByRole('button', { name: '登录' }).click();
  return page;
}

describe.skipIf(CHROMIUM === undefined)('the pages in Chromium', () => {
  it('the public register finds a business by part of its name and shows the type and recognition the API gives', async () => {
    const [row] = (await rawQuery(
      p.store,
      "select r.credit_code, b.name from recognitions r join businesses b using (credit_code) where r.status = 'active' limit 1",
    )) as { credit_code: string; name: string }[];
    expect(row).toBeDefined();
    const code = (row as { credit_code: string }).credit_code;
    const api = (await gw.call('GET', `/v1/public/businesses/${code}`)).body as {
      name: string;
      type: keyof typeof TYPE_NAMES;
      recognition: { category: keyof typeof CATEGORY_NAMES; validUntil: string };
    };
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${gw.base}/`);
    await page.getByLabel('名称（至少两个字）或统一社会信用代码').fill(api.name.slice(0, 4));
    await page.getByRole('button', { name: '查询' }).click();
    const result = page.getByRole('row').filter({ hasText: code });
    await expect.poll(() => result.count()).toBe(1);
    const found = (
      (await gw.call('GET', `/v1/public/search?name=${encodeURIComponent(api.name.slice(0, 4))}`)).body.results as []
    ).length;
    expect(await page.locator('#status').textContent()).toBe(`查询结果：${found}`);
    expect(await result.getByRole('cell').nth(3).textContent()).toBe(TYPE_NAMES[api.type]);
    await result.getByRole('button').click();
    await expect
      .poll(() => page.locator('#b-recognition').textContent())
      .toBe(`${CATEGORY_NAMES[api.recognition.category]} · 有效期至 ${api.recognition.validUntil}`);
    await page.screenshot({ path: `${SHOTS}/register-zh.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    // English, and a phone's width.
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.locator('h1').textContent()).toBe('Individual businesses: types and recognition');
    // What the status line says follows the switch too.
    expect(await page.locator('#status').textContent()).toBe(`Results: ${found}`);
    await page.setViewportSize({ width: 375, height: 740 });
    await page.screenshot({ path: `${SHOTS}/register-en-phone.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    // By credit code, straight to the business.
    await page.getByLabel('Name (two characters or more) or unified social credit code').fill(code);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('#b-code').textContent()).toBe(code);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a regulator records a review step of a 名特优新 candidate in the console and sees the candidate move to the next step', async () => {
    // A candidate of this year, through the market regulator's feed: an application by a Beijing
    // business, submitted on 20 August, with no review step on file yet.
    const year = Number(chinaDate(new Date()).slice(0, 4));
    const code = await firstBeijingBusiness();
    const agency = await gw.token('agency', 'samr-bj-feed', { scope: 'feeds:market-regulator', region: '110000' });
    const pushed = await gw.call('POST', '/v1/feeds/market-regulator/applications', agency, {
      batchId: 'console-candidate-1',
      records: [
        {
          creditCode: code,
          year,
          route: 'application',
          category: 'quality',
          submittedOn: `${year}-08-20`,
          operatorConsent: true,
        },
      ],
    });
    expect(pushed.status).toBe(200);
    await sink.caughtUp();

    const regulator = await gw.token('regulator', 'samr-bj', { region: '110000' });
    const page = await signedInConsole(regulator);
    await page.getByRole('button', { name: '名特优新' }).click();
    const candidate = page.locator(`#candidates tbody tr[data-code="${code}"]`);
    // The quota per district: Beijing's districts each count their own, 5% of the district's growth
    // and development businesses (门头沟区方案 附件 三(四) 数量控制在我区成长型和发展型个体工商户总数的5%以内).
    const types = (await gw.call('GET', '/v1/regulator/monitoring?area=110000&series=types', regulator)).body.types as {
      region: string;
      type: string;
      n: number;
    }[];
    const bases = new Map<string, number>();
    for (const t of types)
      bases.set(t.region, (bases.get(t.region) ?? 0) + (t.type === 'growth' || t.type === 'development' ? t.n : 0));
    const units = page.locator('#quota tbody tr');
    await expect.poll(() => units.count()).toBe(bases.size);
    for (const [i, [district, base]] of [...bases.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).entries())
      expect((await units.nth(i).getByRole('cell').allTextContents()).slice(0, 3)).toEqual([
        district,
        String(base),
        `${Math.floor(base * 0.05)} (${base} × 0.05)`,
      ]);
    // Beijing's route of application: a verification visit, then a public notice (北京市门头沟区…工作方案
    // 三(二)2 走访核实; 二(二) 信息公示), decided by 30 November (三(二)1 当年11月底前完成).
    await expect.poll(() => candidate.getAttribute('data-next')).toBe('verification');
    expect(await candidate.getByRole('cell').nth(3).textContent()).toBe('走访核实');
    expect(await candidate.getByRole('cell').nth(4).textContent()).toBe(`认定截止：${year}-11-30`);
    expect(await seriousViolations(page)).toEqual([]);

    await candidate.getByLabel(/^审核步骤/).selectOption('verification');
    await candidate.getByLabel(/^日期/).fill(`${year}-09-01`);
    await candidate.getByLabel(/^处理结果/).selectOption('passed');
    await candidate.getByRole('button', { name: `记录审核步骤：${code}` }).click();
    // On file, it waits for the notice, which must start by 25 November to run its 5 days (provisional) before the decision.
    await expect.poll(() => candidate.getAttribute('data-next'), { timeout: 20_000 }).toBe('notice');
    expect(await candidate.getByRole('cell').nth(2).textContent()).toBe(`${year}-09-01 走访核实：通过`);
    expect(await candidate.getByRole('cell').nth(4).textContent()).toBe(`认定截止：${year}-11-30；最迟公示开始：${year}-11-25`);
    // The step is the regulator's, in its own name (the token's subject).
    const listed = (await gw.call('GET', `/v1/regulator/candidates?area=110000&year=${year}`, regulator)).body.candidates as {
      creditCode: string;
      steps: { actor: string }[];
    }[];
    expect(listed.find((c) => c.creditCode === code)?.steps.map((s) => s.actor)).toEqual(['samr-bj']);
    await page.screenshot({ path: `${SHOTS}/console-mtyx.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // The level above reviews what was filed (备案): Beijing's city regulator confirms one of 2025's
    // recognitions (国市监注发〔2024〕10号 附件 二(五)2 上级市场监管部门可以通过抽查方式进行监督).
    await page.getByRole('spinbutton', { name: '年度' }).fill('2025');
    await page.getByRole('button', { name: '查看' }).click();
    const filed = page.locator('#filings tbody tr');
    await expect.poll(() => filed.count()).toBeGreaterThan(0);
    // The first one awaiting review (this register's round recognised few; the shop test below revokes one).
    const first = (await filed
      .filter({ has: page.getByRole('button', { name: /^备案审查：/ }) })
      .first()
      .getAttribute('data-code')) as string;
    const row = page.locator(`#filings tbody tr[data-code="${first}"]`);
    expect(await row.getByRole('cell').nth(3).textContent()).toBe('待审查');
    await row.getByLabel(/^处理结果/).selectOption('confirmed');
    await row.getByLabel(/^备注/).fill('抽查材料齐全');
    await row.getByRole('button', { name: `备案审查：${first}` }).click();
    await expect.poll(() => row.getByRole('cell').nth(3).textContent()).toBe('确认');
    const reviewed = (await gw.call('GET', '/v1/regulator/filings?area=110000&year=2025', regulator)).body.recognitions as {
      creditCode: string;
      review: { outcome: string; actor: string } | null;
    }[];
    expect(reviewed.find((x) => x.creditCode === first)?.review).toMatchObject({ outcome: 'confirmed', actor: 'samr-bj' });
    await page.close();
  });

  it("a shop page on another origin shows a platform's badge verified in the browser, and 'not valid' once revoked or forged", async () => {
    const [row] = (await rawQuery(p.store, "select credit_code from recognitions where status = 'active' limit 1")) as {
      credit_code: string;
    }[];
    const code = (row as { credit_code: string }).credit_code;
    const platform = await gw.token('platform', 'platform:shop-mall');
    const badge = await gw.call('GET', `/v1/badges/${code}`, platform);
    expect(badge.status).toBe(200);
    shopToken = badge.body.token as string;
    const page = await browser.newPage();
    await page.goto(`${shopBase}/`);
    const widget = page.locator('getihu-badge');
    await expect.poll(() => widget.getAttribute('data-state'), { timeout: 15_000 }).toBe('valid');
    expect(await widget.getByRole('status').textContent()).toContain(
      CATEGORY_NAMES[badge.body.category as keyof typeof CATEGORY_NAMES],
    );
    await page.screenshot({ path: `${SHOTS}/shop-badge-valid.png` });
    expect(await seriousViolations(page)).toEqual([]);

    // A token whose payload was changed: the signature no longer holds.
    const [h, payload, s] = shopToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    shopToken = [
      h,
      Buffer.from(JSON.stringify({ ...claims, category: 'wellKnown', validUntil: '2099-12-31' })).toString('base64url'),
      s,
    ].join('.');
    await page.reload();
    await expect.poll(() => widget.getAttribute('data-state'), { timeout: 15_000 }).toBe('invalid');
    expect(await widget.getAttribute('data-reason')).toBe('signature');
    await page.screenshot({ path: `${SHOTS}/shop-badge-forged.png` });

    // The same token as issued, after the regulator revokes the recognition: the status says so.
    shopToken = badge.body.token as string;
    const regulator = await gw.token('regulator', 'samr-bj');
    const revoked = await gw.call('POST', `/v1/regulator/recognitions/${code}/revoke`, regulator, {
      ground: 'fraud',
      note: '申报材料弄虚作假',
      on: chinaDate(new Date()),
    });
    expect(revoked.status).toBe(201);
    await sink.caughtUp();
    await expect
      .poll(async () => (await gw.call('GET', `/v1/badges/${code}/status`)).body.status, { timeout: 15_000 })
      .toBe('revoked');
    await page.reload();
    await expect.poll(() => widget.getAttribute('data-state'), { timeout: 15_000 }).toBe('invalid');
    expect(await widget.getAttribute('data-reason')).toBe('revoked');
    expect(await widget.getByRole('status').textContent()).toBe('✖ 徽章无效认定已撤销');
    await page.screenshot({ path: `${SHOTS}/shop-badge-revoked.png` });
    await page.close();
  });

  it('a department signs in with its token, sees what it owes in its region, and a delivery it records leaves the open list', async () => {
    // A business owed a measure it must apply for (one granted without application stands delivered already).
    type Owed = { id: string; title: string; department: string; noApplication: boolean };
    const regulator = await gw.token('regulator', 'samr-bj');
    const codes = (await rawQuery(p.store, 'select credit_code from support_owed order by credit_code limit 50')) as {
      credit_code: string;
    }[];
    let code = '';
    let measure: Owed | undefined;
    for (const row of codes) {
      const explained = await gw.call('GET', `/v1/regulator/decisions/${row.credit_code}`, regulator);
      measure = (explained.body.support as { measures: Owed[] } | null)?.measures.find((m) => !m.noApplication);
      code = row.credit_code;
      if (measure !== undefined) break;
    }
    expect(measure).toBeDefined();
    const { id, title, department: departments } = measure as Owed;
    const department = departments.split('、')[0] as string;
    const dept = await gw.token('department', `dept:${department}`, { scope: `department:${department}`, region: '110000' });
    const openItems = async () =>
      (await gw.call('GET', '/v1/department/worklist?status=open&limit=100', dept)).body.items as {
        creditCode: string;
        measureId: string;
      }[];
    const before = await openItems();
    expect(before.some((x) => x.creditCode === code && x.measureId === id)).toBe(true);

    const page = await browser.newPage();
    await page.goto(`${gw.base}/department`);
    await page.getByLabel('访问令牌（部门角色；开发环境可用 npm run -s cli -- token 生成）').fill(dept);
    await page.getByRole('button', { name: '登录' }).click();
    const rows = page.locator('#worklist tbody tr');
    await expect.poll(() => rows.count()).toBe(before.length);
    expect(await page.locator('#worklist-title').textContent()).toBe(`部门：${department} · 110000`);
    await page.screenshot({ path: `${SHOTS}/department-worklist.png`, fullPage: false });
    expect(await seriousViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 375, height: 740 });
    await page.screenshot({ path: `${SHOTS}/department-phone.png`, fullPage: false });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: `记录：${title} (${code})` }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe(`已记录：${title} · ${code} · 已落实`);
    expect(await rows.count()).toBe(before.length - 1);
    // The ledger as the API gives it: no longer open, delivered today.
    expect((await openItems()).some((x) => x.creditCode === code && x.measureId === id)).toBe(false);
    const delivered = (await gw.call('GET', '/v1/department/worklist?status=delivered&limit=100', dept)).body.items as {
      creditCode: string;
      measureId: string;
      on: string;
    }[];
    expect(delivered.find((x) => x.creditCode === code && x.measureId === id)?.on).toBe(chinaDate(new Date()));
    await page.close();
  });

  it("a regulator's console: its districts' types as the API gives them, a business explained, a dispute resolved that the public page then shows, a sweep followed to its end, the audit log paged and verified", async () => {
    const regulator = await gw.token('regulator', 'samr-bj', { region: '110000' });
    type Row = { region: string; type: keyof typeof TYPE_NAMES; n: number };
    const types = (await gw.call('GET', '/v1/regulator/monitoring?area=110000&format=json', regulator)).body.types as Row[];
    const districts = [...new Set(types.map((r) => r.region))].sort();
    expect(districts.length).toBeGreaterThan(1);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      // Before the year's draw the page asks for it and for its commitment and is told 404, as
      // the API answers for a draw not made yet; the browser logs that as an error. Nothing else may fail.
      const expected = m.text().includes('404') && /\/spot-checks(\/commitments)?\?/.test(m.location().url);
      if (m.type() === 'error' && !expected) errors.push(`${m.text()} ${m.location().url}`);
    });
    await page.goto(`${gw.base}/console`);
    await page.getByLabel('访问令牌（监管角色；开发环境可用 npm run -s cli -- token 生成）').fill(regulator);
    await page.getByRole('button', { name: '登录' }).click();
    expect(await page.locator('#jurisdiction').textContent()).toBe('辖区：110000 · samr-bj');

    // The district table: one row per district, each count the API's.
    const rows = page.locator('#types-table tbody tr');
    await expect.poll(() => rows.count()).toBe(districts.length);
    for (const [i, district] of districts.entries()) {
      const n = (type: string) => types.find((r) => r.region === district && r.type === type)?.n ?? 0;
      const expected = [district, ...Object.keys(TYPE_NAMES).map((k) => String(n(k)))];
      expected.push(String(types.filter((r) => r.region === district).reduce((a, r) => a + r.n, 0)));
      expect(await rows.nth(i).getByRole('cell').allTextContents()).toEqual(expected);
    }
    expect(await page.locator('#types-chart').getAttribute('aria-label')).toBe('各区县分型户数柱状图，数据见下表');
    // Past runs and rounds, as the API lists them: the run and the round this register was typed and recognised by.
    const runs = (await gw.call('GET', '/v1/regulator/runs?area=110000', regulator)).body.runs as {
      area: string;
      asOf: string;
      counts: Record<string, Record<string, number>>;
    }[];
    expect(runs.map((r) => [r.area, r.asOf])).toEqual([['110000', '2025-08-15']]);
    const run = page.locator('#past-runs tbody tr');
    await expect.poll(() => run.count()).toBe(1);
    // Its counts are by district and type; the page gives the totals by type.
    const byDistrict = Object.values((runs[0] as { counts: Record<string, Record<string, number>> }).counts);
    expect(await run.first().getByRole('cell').nth(3).textContent()).toBe(
      Object.entries(TYPE_NAMES)
        .map(([k, name]) => `${name} ${byDistrict.reduce((n, c) => n + (c[k] ?? 0), 0)}`)
        .join(' · '),
    );
    const rounds = (await gw.call('GET', '/v1/regulator/rounds?area=110000', regulator)).body.rounds as { year: number }[];
    expect(rounds.map((r) => r.year)).toEqual([2025]);
    expect(await page.locator('#past-rounds tbody tr').first().getByRole('cell').nth(1).textContent()).toBe('2025');
    // The shop test above revoked this register's recognition: the 名特优新 section lists it with
    // the reason its change carried, as the API does.
    await page.getByRole('button', { name: '名特优新' }).click();
    // The recognitions revoked or cancelled, with the reason their change carried, as the API lists them.
    const ended = (
      (await gw.call('GET', '/v1/regulator/recognitions?area=110000', regulator)).body.recognitions as {
        creditCode: string;
        status: string;
        reason: string | null;
      }[]
    ).filter((r) => r.status === 'revoked' || r.status === 'cancelled');
    expect(ended.length).toBeGreaterThan(0);
    await expect
      .poll(async () => (await page.locator('#ended tbody tr').allInnerTexts()).map((t) => t.split('\t').map((c) => c.trim())))
      .toEqual(
        ended.map((r) => [r.creditCode, expect.any(String), r.status === 'revoked' ? '已撤销' : '已注销', r.reason ?? '']),
      );
    await page.getByRole('button', { name: '概况' }).click();

    await page.screenshot({ path: `${SHOTS}/console-overview.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // Support delivered by department, as the monitoring series gives it.
    type Support = {
      department: string;
      matched: number;
      noApplication: number;
      delivered: number;
      declined: number;
      unreachable: number;
    };
    const support = (await gw.call('GET', '/v1/regulator/monitoring?area=110000&format=json', regulator)).body
      .support as Support[];
    expect(support.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: '帮扶' }).click();
    const supportRows = page.locator('#support-table tbody tr');
    await expect.poll(() => supportRows.count()).toBe(support.length);
    for (const [i, r] of support.entries())
      expect(await supportRows.nth(i).getByRole('cell').allTextContents()).toEqual(
        [r.department, r.matched, r.noApplication, r.delivered, r.declined, r.unreachable].map(String),
      );
    // The year's 双随机 draw: the commitment published first, then the draw, whose seed is the
    // SHA-256 of "<secret>:<public value>" (the published method), checked here from what the page shows.
    await page.getByRole('button', { name: '生成并公布承诺值' }).click();
    const year = chinaDate(new Date()).slice(0, 4);
    const published = (await gw.call('GET', `/v1/public/spot-checks/commitments?area=110000&year=${year}`)).body as {
      commitment: string;
    };
    await expect.poll(() => page.locator('#spot-spotCommitment').textContent()).toBe(published.commitment);
    await page.getByLabel('公开随机值（如当日公布的数值）').fill('上证综指收盘 3245.67');
    await page.getByRole('button', { name: '抽取' }).click();
    await expect.poll(() => page.locator('#spot-spotSeed').count()).toBe(1);
    const secret = (await page.locator('#spot-spotSecret').textContent()) as string;
    expect(createHash('sha256').update(secret).digest('hex')).toBe(published.commitment);
    expect(await page.locator('#spot-spotSeed').textContent()).toBe(
      createHash('sha256').update(`${secret}:上证综指收盘 3245.67`).digest('hex'),
    );
    const drawn = (await gw.call('GET', `/v1/regulator/spot-checks?area=110000&year=${year}`, regulator)).body as {
      list: unknown[];
    };
    expect(await page.locator('#spot-spotList').textContent()).toBe(String(drawn.list.length));
    // The periods in words: survival is drawn each half-year, 不符合分型条件 each quarter (the
    // national catalogue's plan, which 110000 takes).
    const periods = await page.locator('#spot-summary tbody tr td:nth-child(2)').allTextContents();
    expect(periods).toEqual([
      `${year}年上半年`,
      `${year}年下半年`,
      `${year}年`,
      `${year}年`,
      `${year}年第1季度`,
      `${year}年第2季度`,
      `${year}年第3季度`,
      `${year}年第4季度`,
    ]);
    await page.screenshot({ path: `${SHOTS}/console-support.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // A business explained criterion by criterion, as the API explains it.
    const [survivor] = (await rawQuery(
      p.store,
      "select credit_code from decisions where type = 'survival' and region like '11%' order by credit_code limit 1",
    )) as { credit_code: string }[];
    const code = (survivor as { credit_code: string }).credit_code;
    const explained = (await gw.call('GET', `/v1/regulator/decisions/${code}`, regulator)).body as {
      decision: { reasons: { criterion: string; clause: string }[] };
    };
    await page.getByRole('button', { name: '企业' }).click();
    await page.getByLabel('统一社会信用代码').fill(code);
    await page.getByRole('button', { name: '查看' }).click();
    const criteria = page.locator('#explanation tbody tr');
    await expect.poll(() => criteria.count()).toBe(explained.decision.reasons.length);
    const first = explained.decision.reasons[0] as { criterion: string; clause: string };
    expect(await criteria.first().getByRole('cell').first().textContent()).toBe(first.criterion);
    expect(await criteria.first().getByRole('cell').last().textContent()).toBe(first.clause);
    await page.screenshot({ path: `${SHOTS}/console-business.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // The business disputes its type; the regulator adjusts it to growth with a reply; the public
    // register then shows 成长型, and the business reads the reply.
    const business = await gw.token('public', code);
    const filed = await gw.call('POST', '/v1/disputes', business, {
      creditCode: code,
      subject: 'type',
      claim: '本户营业收入已达成长型标准',
    });
    expect(filed.status).toBe(201);
    await page.getByRole('button', { name: '异议' }).click();
    const dispute = page.locator('#disputes tbody tr').filter({ hasText: code });
    await expect.poll(() => dispute.count()).toBe(1);
    await dispute.getByLabel('处理结果').selectOption('adjust');
    await dispute.getByLabel('类型').selectOption('growth');
    await dispute.getByLabel('答复').fill('经复核，营业收入达到成长型标准，予以调整。');
    await page.screenshot({ path: `${SHOTS}/console-disputes.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await dispute.getByRole('button', { name: `处理：${code}` }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe(`已处理：${code} · 调整`);
    await sink.caughtUp();
    const replies = (await gw.call('GET', `/v1/disputes?creditCode=${code}`, business)).body.disputes as { reply: string }[];
    expect(replies[0]?.reply).toBe('经复核，营业收入达到成长型标准，予以调整。');
    const register = await browser.newPage();
    await register.goto(`${gw.base}/`);
    await register.getByLabel('名称（至少两个字）或统一社会信用代码').fill(code);
    await register.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => register.locator('#b-code').textContent()).toBe(code);
    await expect.poll(() => register.locator('#b-type').textContent()).toBe(TYPE_NAMES.growth);
    await register.close();

    // A 名特优新 validity sweep, started here and followed until it ends.
    await page.getByRole('button', { name: '任务' }).click();
    await page.getByLabel('任务类型').selectOption('sweep');
    await page.getByRole('button', { name: '开始' }).click();
    const job = page.locator('#job-rows tr').first();
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('succeeded');
    expect(await job.getByRole('cell').nth(2).textContent()).toBe('已完成');
    expect(await job.getByRole('cell').nth(3).textContent()).toMatch(/checked: \d+/);
    await page.screenshot({ path: `${SHOTS}/console-jobs.png`, fullPage: true });

    // The audit log, newest first, a page back, and verified against a signed checkpoint.
    // More than a page of entries of the region's businesses: the regulator explains 25 of them.
    const some = (await rawQuery(p.store, "select credit_code from decisions where region like '11%' limit 25")) as {
      credit_code: string;
    }[];
    for (const r of some) expect((await gw.call('GET', `/v1/regulator/decisions/${r.credit_code}`, regulator)).status).toBe(200);
    await publishCheckpoint({ store: p.store, keys: gw.checkpointKeys, issuer: 'getihu-dev' });
    await page.getByRole('button', { name: '审计日志' }).click();
    const entries = page.locator('#audit-rows tr');
    const seqs = async () => (await entries.locator('td:first-child').allTextContents()).map(Number);
    await expect.poll(() => entries.count()).toBe(20);
    const newest = await seqs();
    // Newest first, as the API pages them for this regulator.
    const apiPage = (await gw.call('GET', '/v1/regulator/audit?limit=20', regulator)).body.entries as { seq: number }[];
    expect(newest).toEqual(apiPage.map((e) => e.seq));
    await page.getByRole('button', { name: '更早' }).click();
    await expect.poll(async () => (await seqs())[0]).toBeLessThan(newest.at(-1) as number);
    await page.getByRole('button', { name: '核验' }).click();
    await expect
      .poll(() => page.locator('#audit-verified').textContent())
      .toMatch(/^核验结果：完整，已由签名检查点证明 \(\d+ \/ 1\)$/);
    await page.screenshot({ path: `${SHOTS}/console-audit.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // At a phone's width, in English.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Overview' }).click();
    await page.setViewportSize({ width: 375, height: 740 });
    await page.screenshot({ path: `${SHOTS}/console-en-phone.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a business proves itself on its register page, files a dispute and reads the reply there, and authorises a bank, whose read then holds until the business revokes it', async () => {
    const [first, second] = (await rawQuery(
      p.store,
      "select credit_code from decisions where region like '11%' order by credit_code desc limit 2",
    )) as { credit_code: string }[];
    const code = (first as { credit_code: string }).credit_code;
    const page = await browser.newPage();
    await page.goto(`${gw.base}/`);
    await page.getByLabel('名称（至少两个字）或统一社会信用代码').fill(code);
    await page.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => page.locator('#b-code').textContent()).toBe(code);
    const tokenField = page.getByLabel('本户的访问令牌', { exact: false });
    // Another business's token is not this one's.
    await tokenField.fill(await gw.token('public', (second as { credit_code: string }).credit_code));
    await page.getByRole('button', { name: '以本户身份继续' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('这不是本户的访问令牌。');
    await tokenField.fill(await gw.token('public', code));
    await page.getByRole('button', { name: '以本户身份继续' }).click();
    await expect.poll(() => page.locator('#owner-actions').isVisible()).toBe(true);

    // A dispute over its type; the regulator upholds the type with a reply, which the page then shows.
    await page.getByLabel('异议内容').fill('本户已招用两名员工并参加社会保险，应为成长型。');
    await page.getByRole('button', { name: '提出异议' }).click();
    const disputes = page.locator('#my-disputes tbody tr');
    await expect.poll(() => disputes.count()).toBe(1);
    expect(await disputes.first().getByRole('cell').nth(2).textContent()).toMatch(/^待答复 · 答复期限：\d{4}-\d{2}-\d{2}$/);
    const regulator = await gw.token('regulator', 'samr-bj', { region: '110000' });
    const open = (await gw.call('GET', `/v1/regulator/disputes?creditCode=${code}&status=open`, regulator)).body.disputes as {
      id: string;
    }[];
    const resolved = await gw.call('POST', `/v1/regulator/disputes/${open[0]?.id}/resolve`, regulator, {
      outcome: 'uphold',
      reason: '社会保险参保人数以社保部门数据为准，维持原分型。',
    });
    expect(resolved.status).toBe(200);
    await page.reload();
    await page.getByLabel('名称（至少两个字）或统一社会信用代码').fill(code);
    await page.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => disputes.count()).toBe(1);
    expect(await disputes.first().getByRole('cell').nth(2).textContent()).toBe('维持原结果');
    expect(await disputes.first().getByRole('cell').nth(3).textContent()).toBe(
      '社会保险参保人数以社保部门数据为准，维持原分型。',
    );

    // An authorisation for a bank's credit assessment: the bank's read of the basic standard holds, then not once revoked.
    const bank = await gw.token('bank', 'bank:page-test');
    const read = () => gw.call('GET', `/v1/credit-tags/${code}?purpose=credit-assessment`, bank);
    expect((await read()).status).toBe(403);
    await page.getByLabel('银行（其访问令牌中的主体标识）').fill('bank:page-test');
    await page.getByRole('button', { name: '授权', exact: true }).click();
    const consents = page.locator('#my-consents tbody tr');
    await expect.poll(() => consents.count()).toBe(1);
    expect(await consents.first().getByRole('cell').nth(1).textContent()).toBe('授信评价');
    expect((await read()).status).toBe(200);
    await page.screenshot({ path: `${SHOTS}/register-owner.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: '撤回：bank:page-test · 授信评价' }).click();
    // Still listed, as revoked.
    await expect.poll(() => consents.first().getByRole('cell').last().textContent()).toMatch(/^已撤回：\d{4}-\d{2}-\d{2}$/);
    expect(await consents.count()).toBe(1);
    expect((await read()).status).toBe(403);
    await page.close();
  });

  it('the console signs in at the identity provider (OIDC authorisation code with PKCE) and shows that regulator’s jurisdiction', async () => {
    // A real OpenID provider (oidc-provider, OpenID certified) with its development sign-in forms:
    // the console is a public client; access tokens are JWTs for the gateway (RFC 9068, ES256)
    // carrying the regulator's role and region.
    const listening = async () => {
      const server = createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      return { server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
    };
    const idp = await listening();
    const gateway = await listening();
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const provider = new Provider(idp.base, {
      clients: [
        {
          client_id: 'getihu-console',
          token_endpoint_auth_method: 'none',
          redirect_uris: [`${gateway.base}/console`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          id_token_signed_response_alg: 'ES256',
        },
      ],
      jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'idp-1' }] },
      features: {
        devInteractions: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => `${gateway.base}/`,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'openid',
            audience: AUDIENCE,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          }),
        },
      },
      extraTokenClaims: () => ({ role: 'regulator', region: '110000' }),
      findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id }) }),
    });
    idp.server.on('request', provider.callback());
    const app = createGateway({
      store: p.store,
      pipeline: p.ctx,
      verify: tokenVerifier({ issuer: idp.base, audience: AUDIENCE, jwks: new URL(`${idp.base}/jwks`) }),
      badgeKeys: await KeyRing.ephemeral(),
      issuer: DEV_ISSUER,
      consoleSignIn: { issuer: idp.base, clientId: 'getihu-console' },
    });
    gateway.server.on('request', app);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${gateway.base}/console`);
      await page.getByRole('button', { name: '通过统一身份认证登录' }).click();
      // The provider's own sign-in and consent pages.
      await page.locator('input[name="login"]').fill('reg-bj-oidc');
      await page.locator('input[name="password"]').fill('any');
      await page.locator('button[type="submit"]').click();
      await page.locator('button[type="submit"]').click();
      await expect
        .poll(() => page.locator('#jurisdiction').textContent(), { timeout: 20_000 })
        .toBe('辖区：110000 · reg-bj-oidc');
      await expect.poll(() => page.locator('#types-table tbody tr').count(), { timeout: 20_000 }).toBeGreaterThan(1);
      // Back at /console with the code traded: nothing of it is left in the address.
      expect(new URL(page.url()).search).toBe('');
      expect(errors).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/console-oidc.png` });
    } finally {
      await page.close();
      await new Promise<void>((r) => gateway.server.close(() => r()));
      await new Promise<void>((r) => idp.server.close(() => r()));
    }
  });

  it('a record a consumer could not decode shows in the console where it came from and why, within the jurisdiction, and the country’s regulator replays it', async () => {
    // Bytes that are not a framed Avro record, on the registration topic, keyed by a Beijing business.
    const code = await firstBeijingBusiness();
    await p.ctx.bus.send(topicName(p.ctx, 'registration'), [{ key: code, value: Buffer.from([0xff, 0xfe, 0x01]) }]);
    await sink.caughtUp();
    const national = await gw.token('regulator', 'samr-national');
    const beijing = await gw.token('regulator', 'samr-bj', { region: '110000' });
    const tianjin = await gw.token('regulator', 'samr-tj', { region: '120000' });
    const listed = async (token: string) =>
      (await gw.call('GET', '/v1/regulator/dead-letters?feed=sink', token)).body.deadLetters as { sourceKey: string }[];
    expect((await listed(beijing)).map((d) => d.sourceKey)).toContain(code);
    expect((await listed(tianjin)).map((d) => d.sourceKey)).not.toContain(code);
    // The replay acts on every region's topics: a province's regulator may not run it.
    const refused = await gw.call('POST', '/v1/regulator/dead-letters/replay', beijing);
    expect([refused.status, (refused.body.error as { message: string }).message]).toEqual([
      403,
      'this regulator may not act outside its region',
    ]);

    const page = await signedInConsole(national);
    await page.getByRole('button', { name: '搁置记录' }).click();
    const entry = page.locator('#dl-rows tr').filter({ hasText: code });
    await expect.poll(() => entry.count()).toBe(1);
    expect(await entry.getByRole('cell').nth(2).textContent()).toBe(
      'INVALID_INPUT: cannot decode: not a Confluent-framed Avro message',
    );
    expect(await entry.getByRole('cell').nth(3).textContent()).toBe('二进制数据 3 B');
    await page.screenshot({ path: `${SHOTS}/console-dead-letters.png`, fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: '原因已排除：重新处理' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toMatch(/^已重新处理：[1-9]\d* /);
    // Still not decodable: the sink sets it aside again, a new dead letter for a later replay.
    await sink.caughtUp();
    await expect.poll(async () => (await listed(national)).filter((d) => d.sourceKey === code).length).toBe(2);
    await page.close();
  });

  it("the gateway's own demo shop page embeds the widget with the token it is given, and refuses markup in its place", async () => {
    const page = await browser.newPage();
    await page.goto(`${gw.base}/demo/shop?token=${encodeURIComponent('"><script>alert(1)</script>')}`);
    await expect.poll(() => page.locator('getihu-badge').getAttribute('data-state'), { timeout: 15_000 }).toBe('invalid');
    expect(await page.locator('getihu-badge').getAttribute('token')).toBe('');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });
});
