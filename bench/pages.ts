/**
 * `npm run bench -- pages [--businesses N] [--visits K] [--json]`
 *
 * The pages in a real Chromium (Debian's, through playwright-core) against the gateway on the
 * embedded pipeline, with N generated Beijing businesses typed and recognised (default 10,000,
 * as `npm start` loads). Each visit opens a fresh browser context (nothing cached). Lanes:
 *   baseline    a one-line HTML page from a bare node:http server on this machine: what painting
 *               any page costs this browser here;
 *   register    `/`, the public register: first contentful paint;
 *   department  `/department`: first contentful paint;
 *   console     `/console`: first contentful paint of the sign-in; then, signed in as the Beijing
 *               regulator, the time from the click until the district table is filled (its
 *               monitoring, runs and rounds reads, and the chart).
 * Each lane's median and 95th percentile of K visits, and its median over the baseline's.
 * Goal (the pages issue): the first page paints in under a second on the embedded default.
 */
import { createServer, type Server } from 'node:http';
import { type Browser, chromium } from 'playwright-core';
import { ingestBusinesses, openPipeline } from '../app/index.js';
import { CHROMIUM_ARGS, chromiumPath } from '../deploy/local/browser.js';
import { AUDIENCE, createGateway, DEV_ISSUER, DecisionCache, KeyRing, tokenVerifier } from '../gateway/index.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { DecisionPool, runRecognition, runTyping, startSink } from '../pipeline/index.js';

export interface PagesBenchOptions {
  readonly businesses: number;
  readonly visits: number;
}

const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};
const round1 = (x: number) => Math.round(x * 10) / 10;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** The first contentful paint of `url` in a fresh context, in ms after navigation began. */
async function firstPaint(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    // Evaluated in the page (a string: this project's type check has no DOM).
    return Number(
      await page.evaluate(`new Promise((resolve) => {
        const seen = performance.getEntriesByName('first-contentful-paint')[0];
        if (seen !== undefined) return resolve(seen.startTime);
        new PerformanceObserver((list) => {
          const e = list.getEntriesByName('first-contentful-paint')[0];
          if (e !== undefined) resolve(e.startTime);
        }).observe({ type: 'paint', buffered: true });
      })`),
    );
  } finally {
    await context.close();
  }
}

/** From the sign-in click until the console's district table holds `rows` rows, in ms. */
async function overviewReady(browser: Browser, url: string, token: string, rows: number): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.locator('#token').fill(token);
    return Number(
      await page.evaluate(`new Promise((resolve) => {
        const body = document.querySelector('#types-table tbody');
        const start = performance.now();
        new MutationObserver(() => {
          if (body.children.length >= ${rows}) resolve(performance.now() - start);
        }).observe(body, { childList: true });
        document.querySelector('#signin-form button[type="submit"]').click();
      })`),
    );
  } finally {
    await context.close();
  }
}

/** Runs the pages benchmark and returns its figures. */
export async function benchPages(o: PagesBenchOptions): Promise<Record<string, unknown>> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const executablePath = chromiumPath();
  if (executablePath === undefined)
    throw new Error('no Chromium here: the test command installs Debian’s chromium, or apt-get install chromium');
  log(`typing ${o.businesses} generated businesses of Beijing…`);
  const p = await openPipeline({ mode: 'embedded', partitions: 3 });
  const baseline = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>基线</title></head><body><p>基线页面</p></body></html>',
    );
  });
  let gateway: Server | undefined;
  let browser: Browser | undefined;
  try {
    await ingestBusinesses(p.ctx, [...generateBusinesses({ region: 'beijing', businesses: o.businesses, seed: 2024 })], 2024);
    const sink = await startSink(p.ctx, p.store);
    const pool = new DecisionPool(0);
    await runTyping(p.ctx, { area: '110000', asOf: '2025-08-15', pool });
    await runRecognition(p.ctx, p.store, { area: '110000', asOf: '2025-08-15' });
    await sink.caughtUp();
    await sink.stop();
    await pool.close();
    const access = await KeyRing.ephemeral();
    const app = createGateway(
      {
        store: p.store,
        pipeline: p.ctx,
        verify: tokenVerifier({ issuer: DEV_ISSUER, audience: AUDIENCE, jwks: () => access.jwks() }),
        badgeKeys: await KeyRing.ephemeral(),
        issuer: DEV_ISSUER,
        requestsPerMinute: 1_000_000,
      },
      new DecisionCache(),
    );
    gateway = createServer(app);
    const base = await listen(gateway);
    const baseUrl = await listen(baseline);
    const token = await access.sign(
      { role: 'regulator', region: '110000' },
      { issuer: DEV_ISSUER, audience: AUDIENCE, subject: 'regulator:bench', expiresIn: '1h' },
    );
    const districts = (
      (await p.store.monitoring.types('110000')).reduce((s, x) => s.add(x.region), new Set<string>()) as Set<string>
    ).size;
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
    const lanes: Record<string, () => Promise<number>> = {
      baseline: () => firstPaint(browser as Browser, `${baseUrl}/`),
      register: () => firstPaint(browser as Browser, `${base}/`),
      department: () => firstPaint(browser as Browser, `${base}/department`),
      console: () => firstPaint(browser as Browser, `${base}/console`),
      consoleOverview: () => overviewReady(browser as Browser, `${base}/console`, token, districts),
    };
    // One visit of each to warm the browser and the server, then the visits, lane after lane in turn.
    for (const lane of Object.values(lanes)) await lane();
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(lanes).map((k) => [k, []]));
    for (let i = 0; i < o.visits; i++) for (const [k, lane] of Object.entries(lanes)) times[k]?.push(await lane());
    const base50 = quantile(times.baseline as number[], 0.5);
    const figures = Object.fromEntries(
      Object.entries(times).map(([k, xs]) => [
        k,
        { p50ms: round1(quantile(xs, 0.5)), p95ms: round1(quantile(xs, 0.95)), overBaseline: round1(quantile(xs, 0.5) / base50) },
      ]),
    );
    return { businesses: o.businesses, visits: o.visits, districts, goalMs: 1000, lanes: figures };
  } finally {
    await browser?.close();
    await new Promise<void>((r) => (gateway === undefined ? r() : gateway.close(() => r())));
    await new Promise<void>((r) => baseline.close(() => r()));
    await p.close();
  }
}
