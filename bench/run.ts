/**
 * `npm run bench -- <lane-set> [options] [--json]`. Each set measures its lanes in one run and
 * reports ratios against a baseline measured in the same run; with `--json` the last line
 * printed is one JSON object with the figures. Each set's code is loaded when it is asked for.
 *
 * The gateway set writes the gateway's request log, every line of it, to a file (GETIHU_LOG_FILE,
 * by default getihu-bench-gateway.log in the temporary folder, emptied first) rather than to
 * stderr: read from a terminal or a pipe, those lines cost the reading process as much CPU as a
 * lane's requests on the machine's two cores, and G1 writes none (measured: G4/G1 0.602 with
 * stderr piped through grep, 0.739 with it going to a file, one run after the other).
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LaneResult } from './gateway.js';

function parseArgs(argv: readonly string[]): { name: string | undefined; args: Map<string, string | true> } {
  const args = new Map<string, string | true>();
  let name: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2) as [string, string | undefined];
      const next = argv[i + 1];
      if (v !== undefined) args.set(k, v);
      else if (next !== undefined && !next.startsWith('--') && k !== 'json') {
        args.set(k, next);
        i++;
      } else args.set(k, true);
    } else if (name === undefined) name = a;
  }
  return { name, args };
}

const SETS = ['classify', 'pipeline', 'gateway', 'support', 'continuous', 'scaleout', 'pages'] as const;

async function main(): Promise<void> {
  const { name, args } = parseArgs(process.argv.slice(2));
  if (name === 'gateway') {
    const logFile = process.env.GETIHU_LOG_FILE || join(tmpdir(), 'getihu-bench-gateway.log');
    if (process.env.GETIHU_LOG_FILE === undefined || process.env.GETIHU_LOG_FILE === '') rmSync(logFile, { force: true });
    process.env.GETIHU_LOG_FILE = logFile;
    const { benchGateway } = await import('./gateway.js');
    const r = await benchGateway(
      Number(args.get('seconds') ?? 10),
      Number(args.get('connections') ?? 50),
      Number(args.get('rounds') ?? 3),
    );
    const lane = (k: string) => r[k] as LaneResult;
    process.stdout.write(
      [
        `gateway: ${r.seconds} s per lane, ${r.rounds} rounds of G1, G4 and G4 uncached, ${r.connections} connections (autocannon, same machine)`,
        ...(r.perRound as { G1: number; G4cached: number; G4uncached: number; ratio: number; ratioUncached: number }[]).map(
          (x, i) =>
            `  round ${i + 1}: G1 ${x.G1.toLocaleString('en')} req/s, G4 ${x.G4cached.toLocaleString('en')} req/s (ratio ${x.ratio}), G4 uncached ${x.G4uncached.toLocaleString('en')} req/s (ratio ${x.ratioUncached})`,
        ),
        ...['G1', 'G4cached', 'G4uncached'].map(
          (k) =>
            `  ${k.padEnd(11)} ${lane(k).requestsPerSecond.toLocaleString('en').padStart(8)} req/s  ${lane(k).cpuMicrosPerRequest} µs CPU/req (${lane(k).mainThreadMicrosPerRequest} on the server's thread)  p50 ${lane(k).p50ms} ms  p99 ${lane(k).p99ms} ms  non-2xx ${lane(k).non2xx}`,
        ),
        `  ratio G4/G1 = ${r.ratioG4G1} cached (median of the rounds; range ${(r.ratioG4G1Range as number[]).join('–')}), goal ≥ ${r.goal}; ${r.ratioG4uncachedG1} uncached (range ${(r.ratioG4uncachedG1Range as number[]).join('–')}), goal ≥ ${r.goalUncached}; ${r.auditEntriesWritten} audit entries written`,
        `  CPU per request G1/G4 = ${r.cpuRatioG1G4} (this process, all threads)`,
        `  request log: ${logFile}`,
        '',
      ].join('\n'),
    );
    if (args.get('json') === true) process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (name === 'continuous') {
    const num = (k: string, d: number) => {
      const n = Number(args.get(k) ?? d);
      if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${k}: a positive whole number`);
      return n;
    };
    const { benchContinuous } = await import('./continuous.js');
    const r = await benchContinuous(num('businesses', 20_000), num('seconds', 60), num('rate', 1000));
    type Restart = { seconds: number; records: number };
    const restart = r.restart as { resumed: Restart; rebuilt: Restart; ratio: number };
    process.stdout.write(
      [
        `continuous: ${r.businesses} businesses, ${r.factsPerSecond} facts/s for ${r.seconds} s (asked ${r.rate}), ${r.answered} answered, ${r.unanswered} unanswered`,
        `  from a fact's acknowledgement to the serving store answering with its new decision: p50 ${r.p50ms} ms, p90 ${r.p90ms} ms, p99 ${r.p99ms} ms (goal ≤ ${r.goalP99ms}), largest ${r.maxMs} ms`,
        `  a restart until every partition is ready and caught up: ${restart.resumed.seconds} s from its checkpoints (${restart.resumed.records} fact records read), ${restart.rebuilt.seconds} s read whole (${restart.rebuilt.records}); ${restart.ratio}× faster`,
        '',
      ].join('\n'),
    );
    if (args.get('json') === true) process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (name === 'scaleout') {
    const n = Number(args.get('businesses') ?? 100_000);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error('--businesses: a positive whole number');
    const counts = String(args.get('members') ?? '1,2,3')
      .split(',')
      .map((x) => Number(x));
    if (counts.some((m) => !Number.isSafeInteger(m) || m <= 0 || m > 12))
      throw new Error('--members: member counts from 1 to 12, separated by commas (e.g. 1,2,3)');
    const { benchScaleout } = await import('./scaleout.js');
    const r = await benchScaleout(n, counts);
    type Lane = {
      members: number;
      killed: boolean;
      seconds: number;
      businessesPerSecond: number;
      events: number;
      mismatches: number;
    };
    process.stdout.write(
      [
        `scaleout: ${r.businesses} businesses, ${r.partitions} partitions, reconcile processes in one consumer group`,
        ...(r.lanes as Lane[]).map(
          (l) =>
            `  ${String(l.members).padStart(2)} member(s)${l.killed ? ', one killed' : '            '}  ${l.seconds.toFixed(1).padStart(6)} s  ${l.businessesPerSecond.toLocaleString('en').padStart(7)} businesses/s  ${l.events} decision events, ${l.mismatches} not classify's`,
        ),
        `  speed-up against one member: ${Object.entries(r.speedup as Record<string, number>)
          .map(([m, x]) => `${m}: ${x}×`)
          .join(', ')}`,
        '',
      ].join('\n'),
    );
    if (args.get('json') === true) process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (name === 'pipeline') {
    const n = Number(args.get('businesses') ?? 50_000);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error('--businesses: a positive whole number');
    const partitions = Number(args.get('partitions') ?? 12);
    if (!Number.isSafeInteger(partitions) || partitions <= 0) throw new Error('--partitions: a positive whole number');
    const { benchPipeline } = await import('./pipeline.js');
    const r = await benchPipeline(n, partitions);
    const lane = (k: string) => r[k] as { seconds: number; messagesPerSecond: number; businessesPerSecond: number };
    process.stdout.write(
      [
        `pipeline: ${r.businesses} businesses, ${r.facts} fact messages`,
        ...['L1', 'L2', 'L4'].map(
          (k) =>
            `  ${k}  ${lane(k).seconds.toFixed(1).padStart(7)} s  ${lane(k).messagesPerSecond.toLocaleString('en').padStart(9)} facts/s  ${lane(k).businessesPerSecond.toLocaleString('en').padStart(8)} businesses/s`,
        ),
        `  L4 = ingest ${(r.L4 as { ingestSeconds: number }).ingestSeconds.toFixed(1)} s + run ${(r.L4 as { runSeconds: number }).runSeconds.toFixed(1)} s (snapshot read and first batch ${(r.L4 as { runToFirstBatchSeconds: number | null }).runToFirstBatchSeconds?.toFixed(1) ?? '–'} s)`,
        `  events: ${(r.L4 as { decisionEventBytes: number }).decisionEventBytes} bytes per decision (goal ≤ 512), ${(r.L4 as { supportEventBytes: number }).supportEventBytes} bytes per support event (goal ≤ 256)`,
        `  ratio L4/L1 = ${r.ratioL4L1} (goal ≥ ${r.goal})`,
        `  peak RSS ${r.peakRssMiB} MiB; per lane (resident at start → peak): ${['L1', 'L2', 'L4']
          .map((k) => {
            const m = (r[k] as { memory: { startRssMiB: number; peakRssMiB: number } | null }).memory;
            return `${k} ${m === null ? '–' : `${m.startRssMiB} → ${m.peakRssMiB} MiB`}`;
          })
          .join(', ')}`,
        `  the run as deployed (its own process, ${r.partitions} partitions): ${(r.runProcess as { seconds: number }).seconds.toFixed(1)} s, peak ${(r.runProcess as { peakRssMiB: number | null }).peakRssMiB ?? '–'} MiB resident (goal ≤ 1,536)`,
        '',
      ].join('\n'),
    );
    if (args.get('json') === true) process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (name === 'pages') {
    const num = (k: string, d: number) => {
      const n = Number(args.get(k) ?? d);
      if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${k}: a positive whole number`);
      return n;
    };
    const { benchPages } = await import('./pages.js');
    const r = await benchPages({ businesses: num('businesses', 10_000), visits: num('visits', 20) });
    const lanes = r.lanes as Record<string, { p50ms: number; p95ms: number; overBaseline: number }>;
    const line = (k: string, what: string) =>
      `  ${k.padEnd(15)} p50 ${String(lanes[k]?.p50ms).padStart(7)} ms  p95 ${String(lanes[k]?.p95ms).padStart(7)} ms  ${String(lanes[k]?.overBaseline).padStart(5)}× baseline  ${what}`;
    process.stdout.write(
      [
        `pages: ${r.businesses} businesses of Beijing (${r.districts} districts), ${r.visits} visits a lane, each in a fresh browser context (Chromium, same machine)`,
        line('baseline', 'first paint of a one-line page from a bare node:http server'),
        line('register', 'first paint of / (the public register)'),
        line('department', 'first paint of /department'),
        line('console', 'first paint of /console (the sign-in)'),
        line('consoleOverview', 'signed in: the click to the district table filled'),
        `  goal: each page paints in under ${r.goalMs} ms`,
        '',
      ].join('\n'),
    );
    if (args.get('json') === true) process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (name === 'support') {
    const n = Number(args.get('businesses') ?? 1_000_000);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error('--businesses: a positive whole number');
    const { benchSupport } = await import('./support.js');
    const r = await benchSupport({
      businesses: n,
      region: String(args.get('region') ?? 'beijing'),
      seed: Number(args.get('seed') ?? 1),
      repeat: Number(args.get('repeat') ?? 3),
    });
    const lane = (k: string) => r[k] as { seconds: number; businessesPerSecond: number; measuresPerSecond?: number };
    process.stdout.write(
      [
        `support: ${r.businesses} businesses (${r.region}), ${Number(r.measuresMatched).toLocaleString('en')} measures matched`,
        `  classify ${lane('classify').businessesPerSecond.toLocaleString('en').padStart(9)} businesses/s (check, normalise, decide with reasons; best ${lane('classify').seconds.toFixed(2)} s)`,
        `  support  ${lane('support').businessesPerSecond.toLocaleString('en').padStart(9)} businesses/s, ${lane('support').measuresPerSecond?.toLocaleString('en')} measures/s (the same, then match; best ${lane('support').seconds.toFixed(2)} s)`,
        `  match    ${(r.match as { measuresPerSecond: number }).measuresPerSecond.toLocaleString('en').padStart(9)} measures/s (matching alone, on decisions kept)`,
        `  matching adds ${Math.round(Number(r.matchingAdds) * 1000) / 10}% to classify's time (goal ≤ ${Number(r.goal) * 100}%)`,
        `  peak RSS ${r.peakRssMiB} MiB`,
        '',
      ].join('\n'),
    );
    if (args.get('json') === true) process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (name !== 'classify') {
    process.stderr.write(`usage: npm run bench -- <${SETS.join('|')}> [--json]\n`);
    process.exitCode = 2;
    return;
  }
  const { benchClassify, classifyOptions } = await import('./classify.js');
  const o = classifyOptions(args);
  const r = await benchClassify(o);
  const core = r.core as { businessesPerSecond: number; seconds: number };
  const duck = r.duckdb as { businessesPerSecond: number; seconds: number; threads: number };
  const cli = r.cli as {
    businessesPerSecond: number;
    businesses: number;
    withReasons: { businessesPerSecond: number };
    duckdbJsonl: { businessesPerSecond: number };
    ratioToDuckdbJsonl: number;
    goal: number;
  };
  process.stdout.write(
    [
      `classify: ${r.businesses} businesses (${r.region}, ${r.ruleset}) ${JSON.stringify(r.counts)}`,
      `  core    ${core.businessesPerSecond.toLocaleString('en')} businesses/s (1 thread, best ${core.seconds.toFixed(3)} s)`,
      `  duckdb  ${duck.businessesPerSecond.toLocaleString('en')} businesses/s (${duck.threads} threads, best ${duck.seconds.toFixed(3)} s)`,
      `  ratio   core/duckdb = ${r.ratio} (goal ≥ ${r.goal})`,
      `  cli     ${cli.businessesPerSecond.toLocaleString('en')} businesses/s end to end on ${cli.businesses} JSONL lines (--reasons none); ${cli.withReasons.businessesPerSecond.toLocaleString('en')} with all reasons`,
      `  duckdb JSONL ${cli.duckdbJsonl.businessesPerSecond.toLocaleString('en')} businesses/s on the same file; cli/duckdb = ${cli.ratioToDuckdbJsonl} (goal ≥ ${cli.goal})`,
      `  peak RSS ${r.peakRssMiB} MiB`,
      '',
    ].join('\n'),
  );
  if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
