/** The decision core's commands: classify, generate, recognize. */
import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import { checksumAllowSet, loadConfig } from '../lib/config.js';
import { parseIsoDate } from '../lib/dates.js';
import { GetihuError } from '../lib/errors.js';
import { generateBusinesses } from '../lib/generate/generator.js';
import { ChunkedWriter, readLines } from '../lib/lines.js';
import { Classifier } from './classifier.js';
import { RuleBook } from './ruleSet.js';

function asOfOption(text: string): number {
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
    .action(async (opts: { asOf: string; ruleset?: string; input?: string }) => {
      const asOf = asOfOption(opts.asOf);
      const config = loadConfig();
      const ruleBook = RuleBook.load(config.rulesDir);
      const classifier = new Classifier({
        asOf,
        ruleBook,
        ...(opts.ruleset === undefined ? {} : { ruleSet: ruleBook.byRef(opts.ruleset) }),
        checksumAllowList: checksumAllowSet(config),
      });
      const out = new ChunkedWriter(process.stdout);
      let lineNo = 0;
      let rejected = 0;
      for await (const line of readLines(opts.input === undefined ? process.stdin : createReadStream(opts.input))) {
        lineNo++;
        const r = classifier.classifyLine(line, lineNo);
        if (r.ok) {
          await out.writeLine(JSON.stringify(r.decision));
        } else {
          rejected++;
          if (r.error.error.code === 'INTERNAL') process.stderr.write(`getihu: line ${lineNo}: internal error\n`);
          await out.writeLine(JSON.stringify(r.error));
        }
      }
      await out.flush();
      if (rejected > 0) {
        process.stderr.write(`getihu classify: ${rejected} of ${lineNo} lines rejected\n`);
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
}

function wholeNumber(text: string, option: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
    throw new GetihuError('INVALID_ARGUMENT', `${option}: '${text}' is not a whole number`);
  }
  return n;
}
