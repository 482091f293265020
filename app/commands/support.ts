/** The 精准帮扶 commands: support (the measures each business is owed) and spot-check (the year's 双随机 draw). */
import type { Command } from 'commander';
import { checksumAllowSet, loadConfig } from '../../lib/config.js';
import { parseIsoDate } from '../../lib/dates.js';
import { GetihuError } from '../../lib/errors.js';
import { inArea, isValidDivisionCode } from '../../lib/regions.js';
import {
  type BusinessType,
  Classifier,
  type Drawn,
  drawSpotChecks,
  inventoryOf,
  loadCatalogueBook,
  loadCatalogues,
  RuleBook,
  recognitionInEffect,
  Support,
  type SupportRecognition,
} from '../../matchers/index.js';
import { asOfOption, eachLine, readInputLines, readRecognitions, wholeNumber } from './matchers.js';

/** Each business's recognitions from `--recognitions`, the one in effect on `asOf` first. */
async function recognitionsByCode(file: string | undefined, asOf: number): Promise<Map<string, SupportRecognition>> {
  const out = new Map<string, SupportRecognition>();
  if (file === undefined) return out;
  for (const r of await readRecognitions(file)) {
    const rec: SupportRecognition = {
      category: r.category,
      recognisedOn: parseIsoDate(r.recognisedOn),
      validUntil: parseIsoDate(r.validUntil),
      revokedOn: r.revokedOn == null ? null : parseIsoDate(r.revokedOn),
    };
    const held = out.get(r.creditCode);
    // The one in effect wins; between two not in effect, the later.
    if (
      held === undefined ||
      (!recognitionInEffect(held, asOf) && (recognitionInEffect(rec, asOf) || rec.recognisedOn > held.recognisedOn))
    )
      out.set(r.creditCode, rec);
  }
  return out;
}

/** Adds the support commands to the CLI. */
export function registerSupportCommands(program: Command): void {
  program
    .command('items')
    .description(
      'every item of each text and where it lives, as Markdown: the rule sets’ clauses by field, the catalogues’ measures (docs/items.md)',
    )
    .action(() => {
      const config = loadConfig();
      process.stdout.write(inventoryOf(RuleBook.load(config.rulesDir), loadCatalogues(config.rulesDir)));
    });

  program
    .command('support')
    .description(
      'the 精准帮扶 measures each business is owed: the classify input on stdin, one line per input line on stdout, in order',
    )
    .requiredOption('--as-of <date>', 'the as-of date, YYYY-MM-DD, of the typing and of the recognitions in effect')
    .option(
      '--recognitions <file>',
      'JSON lines of 名特优新 recognitions (creditCode, operatorId, district, category, recognisedOn, validUntil, revokedOn)',
    )
    .option('--input <file>', 'read from a file instead of stdin')
    .action(async (opts: { asOf: string; recognitions?: string; input?: string }) => {
      const asOf = asOfOption(opts.asOf);
      const config = loadConfig();
      const classifier = new Classifier({
        asOf,
        ruleBook: RuleBook.load(config.rulesDir),
        checksumAllowList: checksumAllowSet(config),
      });
      const support = new Support(loadCatalogueBook(config.rulesDir), asOf);
      const recognitions = await recognitionsByCode(opts.recognitions, asOf);
      await eachLine('support', opts.input, (line, lineNo) => {
        const r = classifier.decideLine(line, lineNo);
        if (!r.ok) return r;
        const s = support.supportFor(r.decision, r.facts, recognitions.get(r.decision.creditCode) ?? null);
        return {
          ok: true,
          // The contract's fields, exactly (the catalogue matched is in the API's answers).
          out: { creditCode: s.creditCode, type: s.type, mtyx: s.mtyx, measures: s.measures },
        };
      });
    });

  program
    .command('spot-check')
    .description(
      "draw an area's 双随机、一公开 inspection list for a year from a published seed: types the businesses on stdin, writes each drawn business, then a summary line per type",
    )
    .requiredOption('--area <code>', '6-digit division: XX0000 for a whole province, else a district')
    .requiredOption('--year <yyyy>', 'the year of the draw', (v) => wholeNumber(v, '--year'))
    .requiredOption('--seed <s>', 'the published seed: anyone with it and the register draws the same list')
    .option('--as-of <date>', "the typing's as-of date (default 15 August of the year, after the annual-report season)")
    .option('--input <file>', 'read from a file instead of stdin')
    .action(async (opts: { area: string; year: number; seed: string; asOf?: string; input?: string }) => {
      if (!/^\d{6}$/.test(opts.area) || !(opts.area.endsWith('0000') || isValidDivisionCode(opts.area)))
        throw new GetihuError('INVALID_ARGUMENT', `--area: '${opts.area}' is not a province (XX0000) or a known district code`);
      if (opts.year < 2024 || opts.year > 2100)
        throw new GetihuError('INVALID_ARGUMENT', `--year: ${opts.year} is outside 2024–2100`);
      if (opts.seed.trim() === '' || opts.seed.length > 200)
        throw new GetihuError('INVALID_ARGUMENT', '--seed: give 1 to 200 characters');
      const asOf = asOfOption(opts.asOf ?? `${opts.year}-08-15`);
      const config = loadConfig();
      const classifier = new Classifier({
        asOf,
        ruleBook: RuleBook.load(config.rulesDir),
        checksumAllowList: checksumAllowSet(config),
      });
      const { catalogue } = loadCatalogueBook(config.rulesDir).forDivision(opts.area, asOf);
      if (catalogue.spotCheck === undefined)
        throw new GetihuError('INVALID_CATALOGUE', `${catalogue.ref} sets no spot-check ratios for ${opts.area}`);
      const typed: { creditCode: string; type: BusinessType }[] = [];
      const rejected: string[] = [];
      await readInputLines('spot-check', opts.input, (line, lineNo) => {
        const r = classifier.classifyLine(line, lineNo);
        if (!r.ok) rejected.push(JSON.stringify(r.error));
        else if (inArea(opts.area, r.decision.region)) typed.push({ creditCode: r.decision.creditCode, type: r.decision.type });
      });
      // A draw that left out a business could not be redone from the register: none is drawn.
      if (rejected.length > 0) {
        process.stderr.write(`${rejected.join('\n')}\ngetihu spot-check: ${rejected.length} lines rejected; no draw made\n`);
        process.exitCode = 1;
        return;
      }
      const draw = drawSpotChecks(typed, { area: opts.area, year: opts.year, seed: opts.seed, rule: catalogue.spotCheck });
      const lines = [
        ...draw.list.map((d: Drawn) => JSON.stringify(d)),
        ...draw.summary.map((s) =>
          JSON.stringify({
            ...s,
            area: draw.area,
            year: draw.year,
            seed: draw.seed,
            clause: draw.clause,
            setBy: draw.setBy,
            catalogue: catalogue.ref,
          }),
        ),
      ];
      process.stdout.write(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
    });
}
