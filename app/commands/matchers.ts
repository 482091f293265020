/** The decision core's commands: classify, generate, recognize. */

import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import { checksumAllowSet, loadConfig } from '../../lib/config.js';
import { formatIsoDate, parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { generateBusinesses } from '../../lib/generate/generator.js';
import { ChunkedWriter, inputFile, readLines } from '../../lib/lines.js';
import {
  type ClassifyErrorLine,
  type ExistingRecognition,
  MTYX_CATEGORIES,
  RuleBook,
  runRecognitionRound,
} from '../../matchers/index.js';
import { classifyLines, type ReasonsShown } from '../classify/index.js';
import { inputProgress } from './progress.js';

export function asOfOption(text: string): number {
  return parseIsoDate(text, '--as-of');
}

/** Adds the matcher commands to the CLI. */
export function registerMatcherCommands(program: Command): void {
  program
    .command('classify')
    .description('type businesses: one JSON object per line on stdin, one decision (or error) per line on stdout, in order')
    .requiredOption('--as-of <date>', 'the as-of date, YYYY-MM-DD ("last year" is its year − 1)')
    .option('--ruleset <id>', 'apply this rule set (id or id@version) to every line instead of the one in force for its region')
    .option('--input <file>', 'read from a file instead of stdin')
    .option(
      '--reasons <which>',
      'the reasons each decision carries: all, failed (the criteria not met) or none (no reasons field)',
      'all',
    )
    .option('--threads <n>', 'threads typing chunks of lines (0: this one only); default one per core')
    .action(async (opts: { asOf: string; ruleset?: string; input?: string; reasons: string; threads?: string }) => {
      const asOf = asOfOption(opts.asOf);
      const reasons = reasonsOption(opts.reasons);
      const threads = opts.threads === undefined ? availableParallelism() : wholeNumber(opts.threads, '--threads');
      const config = loadConfig();
      // Checked here, before any line is read: an unknown rule set is the command's error, not each line's.
      if (opts.ruleset !== undefined) RuleBook.load(config.rulesDir).byRef(opts.ruleset);
      const job = {
        asOf: formatIsoDate(asOf),
        ruleset: opts.ruleset ?? null,
        reasons,
        rulesDir: config.rulesDir ?? null,
        allowCodes: [...checksumAllowSet(config)],
      };
      const totals = await classifyLines(
        job,
        threads,
        async (each) => {
          await readInputLines('classify', opts.input, (line) => each(line));
        },
        process.stdout,
      );
      if (totals.rejected > 0) {
        process.stderr.write(`getihu classify: ${totals.rejected} of ${totals.lines} lines rejected\n`);
        process.exitCode = 1;
      }
    });

  program
    .command('generate')
    .description('write N seeded, realistic business fact snapshots of a region as JSON lines (the classify input)')
    .requiredOption('--region <code>', 'beijing|tianjin|hebei, a province code (11, 120000) or a 6-digit district code')
    .requiredOption('--businesses <n>', 'how many businesses', (v) => wholeNumber(v, '--businesses'))
    .option('--seed <s>', 'random seed (same seed, same data)', (v) => wholeNumber(v, '--seed'), 1)
    .option('--as-of <date>', 'the snapshot date the facts describe', '2025-08-15')
    .action(async (opts: { region: string; businesses: number; seed: number; asOf: string }) => {
      const out = new ChunkedWriter(process.stdout);
      for (const b of generateBusinesses({
        region: opts.region,
        businesses: opts.businesses,
        seed: opts.seed,
        asOf: asOfOption(opts.asOf),
      })) {
        await out.writeLine(JSON.stringify(b));
      }
      await out.flush();
    });

  program
    .command('recognize')
    .description(
      "run a year's 名特优新 round for an area: types every business read (the quota base), then decides the year's applications and recommendations in the area",
    )
    .requiredOption('--area <code>', '6-digit division: XX0000 for a whole province, else a district')
    .requiredOption('--as-of <date>', "the typing run's as-of date; its year is the round's year")
    .option('--decided-on <date>', 'date of recognition (default 30 November of the round year)')
    .option(
      '--input <file>',
      'JSON lines of businesses (the classify input with optional honours and application); default stdin',
    )
    .option(
      '--recognitions <file>',
      'JSON lines of earlier recognitions (creditCode, operatorId, district, category, recognisedOn, validUntil, revokedOn)',
    )
    .option('--summary', 'print quota use and counts only, without each candidate')
    .action(
      async (opts: {
        area: string;
        asOf: string;
        decidedOn?: string;
        input?: string;
        recognitions?: string;
        summary?: boolean;
      }) => {
        const config = loadConfig();
        const records: unknown[] = [];
        const lineOf: number[] = [];
        let lineNo = 0;
        const rejectedLines: { line: number; error: { code: string; message: string } }[] = [];
        const input = opts.input === undefined ? { stream: process.stdin, size: undefined } : inputFile(opts.input, '--input');
        const progress = inputProgress('recognize', input.stream, input.size);
        try {
          for await (const line of readLines(input.stream)) {
            lineNo++;
            if (lineNo % 1000 === 0) progress.records(lineNo);
            if (line.trim() === '') continue;
            try {
              records.push(JSON.parse(line));
              lineOf.push(lineNo);
            } catch (err) {
              rejectedLines.push({
                line: lineNo,
                error: { code: 'INVALID_JSON', message: `not JSON: ${(err as Error).message}` },
              });
            }
          }
        } finally {
          progress.records(lineNo);
          progress.stop();
        }
        const existing = opts.recognitions === undefined ? [] : await readRecognitions(opts.recognitions);
        const result = runRecognitionRound({
          ruleBook: RuleBook.load(config.rulesDir),
          asOf: asOfOption(opts.asOf),
          ...(opts.decidedOn === undefined ? {} : { decidedOn: parseIsoDate(opts.decidedOn, '--decided-on') }),
          area: opts.area,
          records,
          existing,
          checksumAllowList: checksumAllowSet(config),
        });
        // The round numbers records from 1 in the order given; report input line numbers instead.
        const rejected = result.rejected.map(({ index, ...rest }) => ({ line: lineOf[index - 1] as number, ...rest }));
        const invalidLines = [...rejectedLines, ...rejected].sort((a, b) => a.line - b.line);
        const { rejected: _byIndex, candidates, ...summary } = result;
        const out = opts.summary === true ? { ...summary, invalidLines } : { ...summary, invalidLines, candidates };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        if (rejectedLines.length > 0 || result.rejected.length > 0) process.exitCode = 1;
      },
    );
}

const recognitionLine = z.object({
  creditCode: z.string().length(18),
  operatorId: z.string().nullable(),
  district: z.string().regex(/^\d{6}$/),
  category: z.enum(MTYX_CATEGORIES),
  recognisedOn: z.string(),
  validUntil: z.string(),
  revokedOn: z.string().nullish(),
});

export async function readRecognitions(file: string): Promise<ExistingRecognition[]> {
  const out: ExistingRecognition[] = [];
  let n = 0;
  for await (const line of readLines(inputFile(file, '--recognitions').stream)) {
    n++;
    if (line.trim() === '') continue;
    let parsed: ReturnType<typeof recognitionLine.safeParse>;
    try {
      parsed = recognitionLine.safeParse(JSON.parse(line));
    } catch {
      throw new GetihuError('INVALID_INPUT', `${file}:${n}: not JSON`);
    }
    if (!parsed.success)
      throw new GetihuError(
        'INVALID_INPUT',
        `${file}:${n}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
      );
    for (const k of ['recognisedOn', 'validUntil'] as const) parseIsoDate(parsed.data[k], `${file}:${n}: ${k}`);
    if (parsed.data.revokedOn != null) parseIsoDate(parsed.data.revokedOn, `${file}:${n}: revokedOn`);
    out.push(parsed.data);
  }
  return out;
}

function reasonsOption(text: string): ReasonsShown {
  if (text === 'all' || text === 'failed' || text === 'none') return text;
  throw new GetihuError('INVALID_ARGUMENT', `--reasons: all, failed or none, got '${text}'`);
}

export function wholeNumber(text: string, option: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
    throw new GetihuError('INVALID_ARGUMENT', `${option}: '${text}' is not a whole number`);
  }
  return n;
}

/** What a line-by-line command makes of one input line: its output, or its error line. */
export type LineResult = { readonly ok: true; readonly out: unknown } | { readonly ok: false; readonly error: ClassifyErrorLine };

/** Reads JSON lines from `--input` or stdin, with progress on a terminal; `fn` sees each with its 1-based number. */
export async function readInputLines(
  command: string,
  file: string | undefined,
  fn: (line: string, lineNo: number) => Promise<void> | void,
): Promise<number> {
  const input = file === undefined ? { stream: process.stdin, size: undefined } : inputFile(file, '--input');
  const progress = inputProgress(command, input.stream, input.size);
  let lineNo = 0;
  try {
    for await (const line of readLines(input.stream)) {
      lineNo++;
      if (lineNo % 1000 === 0) progress.records(lineNo);
      await fn(line, lineNo);
    }
  } finally {
    progress.records(lineNo);
    progress.stop();
  }
  return lineNo;
}

/**
 * The classify contract's loop, for every command that keeps it: writes exactly one JSON line per
 * input line, in order — the result, or the line's error — and exits 1 when any line was rejected.
 */
export async function eachLine(
  command: string,
  file: string | undefined,
  handle: (line: string, lineNo: number) => LineResult,
): Promise<void> {
  const out = new ChunkedWriter(process.stdout);
  let rejected = 0;
  const lines = await readInputLines(command, file, async (line, lineNo) => {
    const r = handle(line, lineNo);
    if (r.ok) return out.writeLine(JSON.stringify(r.out));
    rejected++;
    if (r.error.error.code === 'INTERNAL') process.stderr.write(`getihu: line ${lineNo}: internal error\n`);
    return out.writeLine(JSON.stringify(r.error));
  });
  await out.flush();
  if (rejected > 0) {
    process.stderr.write(`getihu ${command}: ${rejected} of ${lines} lines rejected\n`);
    process.exitCode = 1;
  }
}
