/** The pipeline's commands: export-feeds, ingest, run, reconcile. */
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { CheckPool, exportFeeds, FEEDS, ingestLines, statedProfile } from '../../connectors/index.js';
import { checksumAllowSet } from '../../lib/config.js';
import { parseIsoDate, yearOf } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { inputFile, readLines } from '../../lib/lines.js';
import { untilStopped } from '../../lib/signals.js';
import {
  carryTransfers,
  claimStateDir,
  DecisionPool,
  listDeadLetters,
  prefixedGroup,
  replayDeadLetters,
  runRecognition,
  runTyping,
  startContinuous,
  startSink,
} from '../../pipeline/index.js';
import { configFromEnv, openPipeline } from '../pipeline.js';
import { inputProgress } from './progress.js';

/** The file format an export's extension names. */
const FORMAT_OF_EXTENSION: Readonly<Record<string, string>> = { '.csv': 'csv', '.xlsx': 'xlsx', '.jsonl': 'jsonl' };

function distributedOnly(): ReturnType<typeof configFromEnv> {
  const config = configFromEnv();
  if (config.mode !== 'kafka') {
    throw new GetihuError(
      'INVALID_CONFIG',
      'this command talks to a broker: set KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL (eval "$(npm run -s infra -- env)"); npm start runs the embedded pipeline',
    );
  }
  return config;
}

/** Adds the pipeline commands to the CLI. */
export function registerPipelineCommands(program: Command): void {
  program
    .command('export-feeds')
    .description("write businesses (classify input JSON lines) as each agency's export files, one per feed")
    .requiredOption('--out <dir>', 'folder for the files')
    .requiredOption('--as-of <date>', 'the as-of date; yearly amounts are given its year − 1')
    .option('--input <file>', 'JSON lines of businesses; default stdin')
    .option('--format <format>', 'csv or jsonl', 'csv')
    .action(async (o: { out: string; asOf: string; input?: string; format: string }) => {
      if (o.format !== 'csv' && o.format !== 'jsonl')
        throw new GetihuError('INVALID_ARGUMENT', `--format: csv or jsonl, got '${o.format}'`);
      const lastYear = yearOf(parseIsoDate(o.asOf, '--as-of')) - 1;
      const input = o.input === undefined ? { stream: process.stdin, size: undefined } : inputFile(o.input, '--input');
      const progress = inputProgress('export-feeds', input.stream, input.size);
      let read = 0;
      // The businesses are written as they are read: a register of millions never sits in memory.
      async function* businesses(): AsyncGenerator<Record<string, unknown>> {
        for await (const line of readLines(input.stream)) {
          if (line.trim() === '') continue;
          yield JSON.parse(line) as Record<string, unknown>;
          if (++read % 1000 === 0) progress.records(read);
        }
      }
      let files: Awaited<ReturnType<typeof exportFeeds>>;
      try {
        files = await exportFeeds(businesses(), lastYear, o.out, o.format);
      } finally {
        progress.records(read);
        progress.stop();
      }
      for (const [feed, f] of files) process.stdout.write(`${feed}\t${f.records}\t${f.file}\n`);
    });

  program
    .command('ingest')
    .description(
      'ingest one agency feed file (CSV with header, or JSON lines) into its topic; bad records go to the dead-letter topic',
    )
    .requiredOption('--feed <agency/feed>', `one of: ${[...FEEDS.keys()].join(', ')}`)
    .requiredOption('--file <file>', 'the export file')
    .option('--format <format>', 'csv, xlsx or jsonl (default: from the file name)')
    .option(
      '--profile <file>',
      "how the agency's export is written (JSON: encoding, header names, value maps, date forms); default: the standard profile",
    )
    .option('--encoding <encoding>', 'the text encoding of a CSV export: auto, utf-8 or gb18030 (gbk); overrides the profile')
    .option('--threads <n>', 'threads checking and encoding the lines (0: on the main thread)', '1')
    .option(
      '--reported-at <time>',
      "when the agency knew the export's records (YYYY-MM-DD or an ISO date-time), for records without a reported_at of their own",
    )
    .action(
      async (o: {
        feed: string;
        file: string;
        format?: string;
        profile?: string;
        encoding?: string;
        threads: string;
        reportedAt?: string;
      }) => {
        const feed = FEEDS.get(o.feed);
        if (feed === undefined)
          throw new GetihuError('INVALID_ARGUMENT', `--feed: unknown feed '${o.feed}'; known: ${[...FEEDS.keys()].join(', ')}`);
        const format = o.format ?? FORMAT_OF_EXTENSION[extname(o.file).toLowerCase()] ?? 'jsonl';
        if (format !== 'csv' && format !== 'jsonl' && format !== 'xlsx')
          throw new GetihuError('INVALID_ARGUMENT', `--format: csv, xlsx or jsonl, got '${format}'`);
        const profile = statedProfile(feed, o.profile, o.encoding);
        const threads = Number(o.threads);
        if (!Number.isInteger(threads) || threads < 0)
          throw new GetihuError('INVALID_ARGUMENT', `--threads: a whole number ≥ 0, got '${o.threads}'`);
        const { stream: input, size } = inputFile(o.file, '--file');
        // An ingest writes topics only: it opens no store, so a store outage never holds it up.
        const p = await openPipeline(distributedOnly(), { store: false });
        const pool = threads === 0 ? undefined : new CheckPool(threads);
        const progress = inputProgress(o.feed, input, size);
        try {
          const summary = await ingestLines(input, format, {
            bus: p.ctx.bus,
            codec: p.ctx.codec,
            allowCodes: checksumAllowSet(p.ctx.config),
            feed,
            source: basename(o.file),
            topicPrefix: p.ctx.prefix,
            ...(o.reportedAt === undefined ? {} : { reportedAt: o.reportedAt }),
            profile,
            onProgress: (records) => progress.records(records),
            ...(pool === undefined ? {} : { pool }),
          });
          progress.stop();
          process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
          if (summary.rejected > 0) process.exitCode = 1;
        } finally {
          progress.stop();
          await pool?.close();
          await p.close();
        }
      },
    );

  program
    .command('run')
    .description(
      'type an area as of a date (XX0000 = a province, 000000 = everywhere) from the fact topics; emits a versioned result set',
    )
    .requiredOption('--area <code>', '6-digit division')
    .requiredOption('--as-of <date>', 'YYYY-MM-DD')
    .option('--ruleset <id>', 'apply this rule set instead of the one in force per region')
    .option('--threads <n>', 'decision worker threads', '1')
    .option('--batch-size <n>', 'businesses per decision batch', '2000')
    .action(async (o: { area: string; asOf: string; ruleset?: string; threads: string; batchSize: string }) => {
      const p = await openPipeline(distributedOnly());
      const pool = new DecisionPool(Number(o.threads));
      try {
        const s = await runTyping(p.ctx, {
          area: o.area,
          asOf: o.asOf,
          ...(o.ruleset === undefined ? {} : { ruleset: o.ruleset }),
          pool,
          batchSize: Number(o.batchSize),
        });
        process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      } finally {
        await pool.close();
        await p.close();
      }
    });

  program
    .command('round')
    .description(
      "run a year's 名特优新 round for an area from the fact topics (applications, honours, and every business for the quota) and emit its events",
    )
    .requiredOption('--area <code>', '6-digit division: XX0000 for a province, else a district')
    .requiredOption('--as-of <date>', "the typing run's as-of date; its year is the round's year")
    .option('--decided-on <date>', "the decision date (default: the rule set's last day of the round, 30 November)")
    .action(async (o: { area: string; asOf: string; decidedOn?: string }) => {
      const p = await openPipeline(distributedOnly());
      try {
        const r = await runRecognition(p.ctx, p.store, {
          area: o.area,
          asOf: o.asOf,
          ...(o.decidedOn === undefined ? {} : { decidedOn: o.decidedOn }),
        });
        process.stdout.write(
          `${JSON.stringify({ roundId: r.roundId, area: r.area, year: r.year, quota: r.quota, counts: r.counts }, null, 2)}\n`,
        );
      } finally {
        await p.close();
      }
    });

  program
    .command('carry')
    .description(
      '京津冀 carry-over into an area: each recognition a transfer check found carried, once the destination registers the business, moves into its ledger (津市场监管政务〔2024〕9号 二(六))',
    )
    .requiredOption('--area <code>', 'the destination: 6-digit division')
    .requiredOption('--on <date>', 'the day it is carried, YYYY-MM-DD')
    .action(async (o: { area: string; on: string }) => {
      const p = await openPipeline(distributedOnly());
      try {
        process.stdout.write(`${JSON.stringify(await carryTransfers(p.ctx, p.store, { area: o.area, on: o.on }), null, 2)}\n`);
      } finally {
        await p.close();
      }
    });

  program
    .command('reconcile')
    .description(
      'continuous mode: re-decide a business whenever a fact about it arrives, and keep the serving store in step (until stopped)',
    )
    .requiredOption('--as-of <date>', 'YYYY-MM-DD')
    .option('--group <id>', 'consumer group of the reconcilers (default: <prefix>.getihu-reconciler)')
    .option('--threads <n>', 'decision worker threads', '1')
    .option(
      '--state-dir <dir>',
      "where the group's members on this machine keep their state, one slot each (default: .data/reconciler/<group>)",
    )
    .action(async (o: { asOf: string; group?: string; threads: string; stateDir?: string }) => {
      const p = await openPipeline(distributedOnly());
      const pool = new DecisionPool(Number(o.threads));
      const group = o.group ?? prefixedGroup(p.ctx, 'getihu-reconciler');
      const slot = claimStateDir(o.stateDir ?? join('.data', 'reconciler', group));
      const sink = await startSink(p.ctx, p.store);
      const rec = await startContinuous(p.ctx, { asOf: o.asOf, group, pool, stateDir: slot.dir });
      process.stderr.write(`reconciling as of ${o.asOf} in group ${group}, state in ${slot.dir}; Ctrl-C stops\n`);
      await untilStopped();
      await rec.stop();
      slot.release();
      await sink.stop();
      await pool.close();
      await p.close();
    });

  const deadLetters = program
    .command('dead-letters')
    .description("records set aside: by agencies' checks (bad lines) and by consumers (records they could not decode or apply)");
  deadLetters
    .command('list')
    .description('print every dead letter as a JSON line: where it came from, why, and its original bytes (base64)')
    .option('--consumer <name>', 'only those of this consumer (reconciler, rebuild, run-snapshot, sink, ledger)')
    .action(async (o: { consumer?: string }) => {
      const p = await openPipeline(distributedOnly(), { store: false });
      try {
        for (const d of await listDeadLetters(p.ctx)) {
          if (o.consumer !== undefined && d.consumer !== o.consumer) continue;
          process.stdout.write(`${JSON.stringify({ ...d, original: d.original.toString('base64') })}\n`);
        }
      } finally {
        await p.close();
      }
    });
  deadLetters
    .command('replay')
    .description(
      'once the cause is fixed: send every consumer dead letter not replayed before back to its topic and partition (agency records are corrected and pushed again by the agency)',
    )
    .action(async () => {
      const p = await openPipeline(distributedOnly(), { store: false });
      try {
        process.stdout.write(`${JSON.stringify(await replayDeadLetters(p.ctx), null, 2)}\n`);
      } finally {
        await p.close();
      }
    });
}
