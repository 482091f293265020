/**
 * Every item of each text and where it lives, as Markdown (docs/items.md): each rule set's cited
 * clauses by their place in the rule file, and each catalogue's measures with their clause,
 * department, targets and channel. Pure: given the parsed files, the same page.
 */
import type { RuleBook } from './ruleSet.js';
import type { Catalogue, Measure } from './support/catalogue.js';

/** A rule file as read: its id, version, name and whatever it holds. */
export interface RuleFileForInventory {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly data: unknown;
}

/** A Markdown table cell: no pipes, no line breaks. */
const cell = (v: string) => v.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** Every clause a rule file cites, with the path of the field that holds it. */
function clausesOf(value: unknown, path: string, out: [string, string][]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      const id =
        v !== null && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : i;
      clausesOf(v, `${path}[${id}]`, out);
    });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const at = path === '' ? k : `${path}.${k}`;
    if (typeof v === 'string' && (/clause$/i.test(k) || path.endsWith('typing.basic') || path.startsWith('mtyx.basic')))
      out.push([at, v]);
    else clausesOf(v, at, out);
  }
}

function targetsOf(m: Measure): string {
  const parts = [...m.targets.types, ...m.targets.categories.map((c) => `名特优新 ${c}`)];
  const when = m.targets.when.map((w) => w.kind);
  return `${parts.join(', ')}${when.length > 0 ? ` when ${when.join(' and ')}` : ''}`;
}

function notesOf(m: Measure): string {
  const notes: string[] = [];
  if (m.departmentInferred) notes.push('department inferred');
  if (m.from !== undefined || m.until !== undefined) notes.push(`in force ${m.from ?? '…'} to ${m.until ?? '…'}`);
  for (const c of m.conditions) notes.push(`condition: ${c.condition}`);
  if (!m.targetable) notes.push(`not targetable: ${m.untargetableBecause ?? ''}`);
  return notes.join('; ');
}

/** The page. */
export function inventoryMarkdown(rules: readonly RuleFileForInventory[], catalogues: readonly Catalogue[]): string {
  const lines: string[] = [
    '# Every item of each text, and where it lives',
    '',
    'Generated from the rule files and the measure catalogues (`npm run -s cli -- items > docs/items.md`);',
    'a test holds this page to them. A rule set’s clauses are listed by the field of',
    '`matchers/rules/<region>/<year>.json` that holds them; a catalogue’s measures by their id in',
    '`matchers/rules/<region>/measures/`. `docs/rules.md` and `docs/support.md` say what they mean.',
    '',
  ];
  for (const r of rules) {
    const rows: [string, string][] = [];
    clausesOf(r.data, '', rows);
    lines.push(`## Rule set ${r.id}@${r.version}: ${r.name}`, '', '| field | clause |', '| --- | --- |');
    for (const [at, clause] of rows) lines.push(`| \`${cell(at)}\` | ${cell(clause)} |`);
    lines.push('');
  }
  for (const c of catalogues) {
    lines.push(
      `## Measures ${c.ref}: ${c.document}`,
      '',
      c.baseline === undefined ? '' : `Takes the measures of the \`${c.baseline}\` catalogue besides its own.\n`,
      '| clause | id | measure | department | for | channel | 免申即享 | notes |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const m of c.measures)
      lines.push(
        `| ${cell(m.clause)} | \`${m.id}\` | ${cell(m.title)} | ${cell(m.department)} | ${cell(targetsOf(m))} | ${m.channel} | ${m.noApplication ? 'yes' : 'no'} | ${cell(notesOf(m))} |`,
      );
    lines.push('');
  }
  return `${lines
    .filter((l, i, all) => !(l === '' && all[i - 1] === ''))
    .join('\n')
    .trimEnd()}\n`;
}

/** The page of a rule book and its catalogues. */
export function inventoryOf(book: RuleBook, catalogues: readonly Catalogue[]): string {
  const rules = book.ruleSets.map((rs) => ({
    id: rs.id,
    version: rs.version,
    name: rs.name,
    data: { typing: rs.typing, mtyx: rs.mtyx, disputes: rs.disputes },
  }));
  return inventoryMarkdown(rules, catalogues);
}
