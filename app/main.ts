/**
 * `npm start`: the whole system on the embedded default, with no infrastructure. A generated
 * sample region goes through the agencies' connectors onto the in-process bus, the reconciler
 * types it (run mode) and the sink writes the decisions to PGlite; then the year's 名特优新
 * round, and one decision explained criterion by criterion, from the store.
 * Set KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL to run the same on Kafka and PostgreSQL.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEEDS, ingestRecords } from '../connectors/index.js';
import { AUDIENCE, DEV_ISSUER, devKeyRings, startGateway } from '../gateway/index.js';
import { addYears, chinaDate, formatIsoDate, parseIsoDate, yearOf } from '../lib/dates.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { divisionName } from '../lib/regions.js';
import { untilStopped } from '../lib/signals.js';
import type { StoredDecision } from '../lib/store/index.js';
import { TYPE_LABELS } from '../matchers/index.js';
import { DecisionPool, revokeRecognition, runRecognition, runTyping, startSink } from '../pipeline/index.js';
import { configFromEnv, ingestBusinesses, openPipeline } from './pipeline.js';
import { gatewaySettings } from './settings.js';

const region = process.env.GETIHU_SAMPLE_REGION ?? 'tianjin';
const businesses = Number(process.env.GETIHU_SAMPLE_BUSINESSES ?? 10_000);
const asOfText = process.env.GETIHU_AS_OF ?? '2025-08-15';
const asOf = parseIsoDate(asOfText, 'GETIHU_AS_OF');
const area = region === 'beijing' ? '110000' : region === 'hebei' ? '130000' : '120000';
const out = (s = '') => process.stdout.write(`${s}\n`);

const fromEnv = configFromEnv();
// Without GETIHU_DATA_DIR the store lives in a scratch folder removed on exit, not in memory:
// PGlite in memory keeps every table and WAL segment on the heap, on disk the OS's page cache does.
const scratch =
  fromEnv.mode === 'embedded' && fromEnv.pgliteDir === undefined ? mkdtempSync(join(tmpdir(), 'getihu-store-')) : undefined;
const config = scratch === undefined ? fromEnv : { ...fromEnv, pgliteDir: scratch };
// The demo: tokens minted with the development keys (`cli token`), on whichever bus.
const settings = gatewaySettings(process.env, { production: process.env.NODE_ENV === 'production', devKeys: true });
const pipeline = await openPipeline(config);
const pool = new DecisionPool(1);
try {
  out(`getihu — ${config.mode === 'embedded' ? 'embedded (in-process bus, PGlite)' : `Kafka ${config.brokers.join(',')}`}`);
  out(`${businesses.toLocaleString('en')} generated businesses of ${region}, typed as of ${asOfText}`);
  out();
  out('Agency feeds through the connectors:');
  for (const r of await ingestSample()) {
    out(
      `  ${`${r.agency}/${r.feed}`.padEnd(36)} read ${String(r.read).padStart(6)}  accepted ${String(r.accepted).padStart(6)}  rejected ${r.rejected}`,
    );
  }
  // What an agency's bad export looks like: each bad record goes to the dead-letter topic with why.
  const bad = await ingestRecords(
    [
      {
        line: 1,
        original: '{"creditCode":"92120101MA05T8WQ3X","year":2024,"insuredHeadcount":2}',
        fields: { creditCode: '92120101MA05T8WQ3X', year: 2024, insuredHeadcount: 2 },
      },
      {
        line: 2,
        original: '{"creditCode":"92120101MA05T8WQ38","year":2024,"insuredHeadcount":-1}',
        fields: { creditCode: '92120101MA05T8WQ38', year: 2024, insuredHeadcount: -1 },
      },
    ],
    {
      bus: pipeline.ctx.bus,
      codec: pipeline.ctx.codec,
      feed: FEEDS.get('social-insurance/headcount')!,
      source: 'bad-export.jsonl',
      topicPrefix: pipeline.ctx.prefix,
      keepOutcomes: true,
    },
  );
  for (const o of bad.outcomes ?? []) out(`  dead-letter: bad-export.jsonl line ${o.line}: ${o.reasonCode} — ${o.reason}`);
  out();

  const sink = await startSink(pipeline.ctx, pipeline.store);
  const run = await runTyping(pipeline.ctx, { area, asOf: asOfText, pool });
  // The gateway does not use the run's thread: give its memory back before serving.
  await pool.close();
  const pipelineRound = await runRecognition(pipeline.ctx, pipeline.store, { area, asOf: asOfText });
  await sink.caughtUp();
  out(`Run ${run.runId}: ${run.decisions} decisions`);
  out(
    `${'district'.padEnd(22)}${(['development', 'growth', 'survival', 'ineligible'] as const).map((t) => TYPE_LABELS[t].padStart(10)).join('')}`,
  );
  for (const [code, row] of Object.entries(run.counts).sort()) {
    out(
      `${`${code} ${divisionName(code)}`.padEnd(22)}${(['development', 'growth', 'survival', 'ineligible'] as const).map((t) => String(row[t] ?? 0).padStart(12)).join('')}`,
    );
  }

  const round = pipelineRound;
  out();
  out(`名特优新 round ${round.year} (decided ${round.decidedOn}):`);
  for (const q of round.quota)
    out(
      `  quota unit ${q.unit}: ${q.recognisedThisRound} recognised of a limit of ${q.limit} (5% of ${q.growthAndDevelopment} growth + development)`,
    );
  out(`  candidates: ${JSON.stringify(round.counts)}`);

  const { shown, disputing } = await demoDecisions();
  if (shown !== undefined) {
    out();
    out(`Why ${shown.creditCode} is ${shown.label} (${shown.ruleset}, as of ${shown.asOf}), from the serving store:`);
    for (const r of shown.reasons as { criterion: string; met: boolean; clause: string }[])
      out(`  ${r.met ? '✓' : '·'} ${r.criterion.padEnd(30)} ${r.clause}`);
    out(`  source records: ${shown.sources.join(', ')}`);
  }
  const recognised = round.candidates.find((c) => c.recognised)?.creditCode;
  // Demo data for the regulator's dispute queue: a survival business disputes its type.
  if (disputing !== undefined) {
    await pipeline.store.disputes.file({
      id: 'demo-dispute-1',
      creditCode: disputing.creditCode,
      filedBy: disputing.creditCode,
      claim: '上年度已为2名员工缴纳社保，请复核分型结果',
    });
  }
  // Demo data for badge status: one recognition revoked for fraud (津市场监管政务〔2024〕9号 附件2 五), so platforms see a
  // revoked badge and the corrections feed has something to tell.
  const revokedCode = round.candidates.filter((c) => c.recognised).at(-1)?.creditCode;
  if (revokedCode !== undefined && revokedCode !== recognised) {
    await revokeRecognition(pipeline.ctx, pipeline.store, {
      creditCode: revokedCode,
      on: round.decidedOn,
      ground: 'fraud',
    });
    await pipeline.store.recordRevocationNote({
      creditCode: revokedCode,
      revokedOn: round.decidedOn,
      ground: 'fraud',
      note: '演示数据：申报材料弄虚作假',
      actor: 'regulator:demo',
    });
    await sink.caughtUp();
  }
  // Demo data for the bank's read: the business shown authorises bank:demo to read its
  // basic-standard flags for credit assessment for a year, as it would with POST /v1/consents.
  if (shown !== undefined)
    await pipeline.store.consents.grant({
      id: 'demo-consent-1',
      creditCode: shown.creditCode,
      bank: 'bank:demo',
      purpose: 'credit-assessment',
      scope: ['basic-standard'],
      expiresOn: formatIsoDate(addYears(parseIsoDate(chinaDate(new Date())), 1)),
      grantedBy: shown.creditCode,
    });
  const gateway = await startGateway({
    store: pipeline.store,
    pipeline: pipeline.ctx,
    settings,
  });
  const example = shown === undefined ? null : await pipeline.store.business(shown.creditCode);
  const shopPage = recognised === undefined ? undefined : await demoShopPage(gateway.url, recognised);
  out();
  out(`Gateway: ${gateway.url}   (API docs ${gateway.url}/docs, OpenAPI ${gateway.url}/openapi.json)`);
  out(`Pages: the public register ${gateway.url}/   (no account; search a name such as '${example?.name?.slice(0, 4) ?? ''}')`);
  if (shopPage !== undefined) out(`       a shop page with its 名特优新 badge, checked in the browser: ${shopPage}`);
  out(
    `       a department's worklist ${gateway.url}/department   (sign in with: npm run -s cli -- token --role department --sub dept:demo --scope department:各相关部门 --region ${area})`,
  );
  out(
    `       the regulator's console ${gateway.url}/console   (sign in with: npm run -s cli -- token --role regulator --sub regulator:demo --region ${area})`,
  );
  out('Mint a development token, then call the API, e.g.:');
  out('  TOKEN=$(npm run -s cli -- token --role bank --sub bank:demo)');
  out(
    `  curl -H "Authorization: Bearer $TOKEN" '${gateway.url}/v1/credit-tags/${shown?.creditCode ?? ''}?purpose=credit-assessment'`,
  );
  out(
    `  curl -X PUT -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"url":"http://127.0.0.1:9000/getihu"}' ${gateway.url}/v1/credit-tags-corrections/webhook   # corrections pushed to your endpoint`,
  );
  if (recognised !== undefined) {
    out('  TOKEN=$(npm run -s cli -- token --role platform --sub platform:demo)');
    out(`  curl -H "Authorization: Bearer $TOKEN" ${gateway.url}/v1/badges/${recognised}`);
    if (revokedCode !== undefined && revokedCode !== recognised)
      out(`  curl -H "Authorization: Bearer $TOKEN" ${gateway.url}/v1/badges/${revokedCode}/status   # revoked`);
  }
  if (recognised !== undefined) {
    const other = area === '120000' ? '110105' : '120101';
    out(`  TOKEN=$(npm run -s cli -- token --role region --sub region:demo --region ${other.slice(0, 2)}0000)`);
    out(
      `  curl -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"creditCode":"${recognised}","toRegion":"${other}"}' ${gateway.url}/v1/transfers/check`,
    );
  }
  out(`  TOKEN=$(npm run -s cli -- token --role regulator --sub regulator:demo --region ${area})`);
  out(`  curl -H "Authorization: Bearer $TOKEN" ${gateway.url}/v1/regulator/disputes`);
  out(
    `  curl -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"area":"${area}"}' ${gateway.url}/v1/regulator/badges/sweep   # today's sweep`,
  );
  out('Roles: agency (scope feeds:<agency>), bank, platform, public, regulator, region. Ctrl-C stops.');
  await untilStopped();
  await gateway.close();
  await sink.stop();
} finally {
  await pool.close();
  await pipeline.close();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
}

// The sample's records and the store's full list of decisions are read in functions of their own
// and only what the walkthrough prints is kept: the process then serves without holding either.

/**
 * The demo shop page's address with a badge token in it, fetched as a platform would (a development
 * platform token, GET /v1/badges/:code); undefined when the gateway gives none.
 */
async function demoShopPage(url: string, code: string): Promise<string | undefined> {
  const { access } = await devKeyRings();
  const platform = await access.sign(
    { role: 'platform' },
    { issuer: DEV_ISSUER, audience: AUDIENCE, subject: 'platform:demo', expiresIn: '10m' },
  );
  const res = await fetch(`${url}/v1/badges/${code}`, { headers: { authorization: `Bearer ${platform}` } });
  if (!res.ok) return undefined;
  const { token } = (await res.json()) as { token: string };
  return `${url}/demo/shop?token=${token}`;
}

/** Generates the sample region and sends it through the agencies' connectors; answers their receipts. */
async function ingestSample(): Promise<Awaited<ReturnType<typeof ingestBusinesses>>> {
  const records = [...generateBusinesses({ region, businesses, seed: 2024, asOf })];
  return ingestBusinesses(pipeline.ctx, records, yearOf(asOf) - 1);
}

/** The decision the walkthrough explains (a development business eligible for 名特优新), and one to dispute. */
async function demoDecisions(): Promise<{ shown?: StoredDecision; disputing?: StoredDecision }> {
  const all = await pipeline.store.allDecisions();
  const shown = all.find((d) => d.type === 'development' && d.mtyxBasicEligible) ?? all[0];
  const disputing = all.find((d) => d.type === 'survival');
  return { ...(shown === undefined ? {} : { shown }), ...(disputing === undefined ? {} : { disputing }) };
}
