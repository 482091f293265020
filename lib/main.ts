/**
 * `npm start`: the decision core on the embedded default, with no infrastructure. Generates a
 * realistic sample region, types every business, runs that year's 名特优新 round, and prints
 * what a regulator would look at first: counts per type and district, quota use, and one
 * business explained criterion by criterion.
 */

import { Classifier } from '../matchers/classifier.js';
import { runRecognitionRound } from '../matchers/mtyx/round.js';
import { RuleBook } from '../matchers/ruleSet.js';
import { type BusinessType, TYPE_LABELS } from '../matchers/typing.js';
import { parseIsoDate } from './dates.js';
import { generateBusinesses } from './generate/generator.js';
import { divisionName } from './regions.js';

const region = process.env.GETIHU_SAMPLE_REGION ?? 'tianjin';
const businesses = Number(process.env.GETIHU_SAMPLE_BUSINESSES ?? 20_000);
const asOfText = process.env.GETIHU_AS_OF ?? '2025-08-15';
const asOf = parseIsoDate(asOfText, 'GETIHU_AS_OF');
const book = RuleBook.load();
const records = [...generateBusinesses({ region, businesses, seed: 2024, asOf })];
const classifier = new Classifier({ asOf, ruleBook: book });
const perDistrict = new Map<string, Record<BusinessType, number>>();
let explained: ReturnType<Classifier['classifyRecord']> | undefined;
for (const r of records) {
  const d = classifier.classifyRecord(r);
  const row = perDistrict.get(d.region) ?? { development: 0, growth: 0, survival: 0, ineligible: 0 };
  row[d.type]++;
  perDistrict.set(d.region, row);
  if (explained === undefined && d.type === 'development' && d.mtyxBasicEligible) explained = d;
}
const area = region === 'beijing' ? '110000' : region === 'hebei' ? '130000' : '120000';
const round = runRecognitionRound({ ruleBook: book, asOf, area, records });

const out: string[] = [];
out.push(`getihu — ${businesses.toLocaleString('en')} generated businesses of ${region}, typed as of ${asOfText}`, '');
out.push(
  `${'district'.padEnd(22)}${(['development', 'growth', 'survival', 'ineligible'] as const).map((t) => TYPE_LABELS[t].padStart(10)).join('')}`,
);
for (const [code, row] of [...perDistrict].sort()) {
  out.push(
    `${`${code} ${divisionName(code)}`.padEnd(22)}${[row.development, row.growth, row.survival, row.ineligible].map((n) => String(n).padStart(12)).join('')}`,
  );
}
out.push('', `名特优新 round ${round.year} (decided ${round.decidedOn}):`);
for (const q of round.quota)
  out.push(
    `  quota unit ${q.unit}: ${q.recognisedThisRound} recognised of a limit of ${q.limit} (5% of ${q.growthAndDevelopment} growth + development)`,
  );
out.push(`  candidates: ${JSON.stringify(round.counts)}`);
if (explained !== undefined) {
  out.push('', `Why ${explained.creditCode} is ${explained.label} under ${explained.ruleset}:`);
  for (const r of explained.reasons) out.push(`  ${r.met ? '✓' : '·'} ${r.criterion.padEnd(30)} ${r.clause}`);
}
out.push(
  '',
  'Try: npm run -s cli -- generate --region beijing --businesses 5 --seed 1 | npm run -s cli -- classify --as-of 2025-08-15',
);
process.stdout.write(`${out.join('\n')}\n`);
