/**
 * docs/items.md lists every item of each text and where it lives: every measure of every
 * catalogue and every clause a rule set cites. It is generated; this holds the committed page to
 * the files, so a measure added without regenerating it fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventoryOf } from './inventory.js';
import { RuleBook } from './ruleSet.js';
import { loadCatalogues } from './support/load.js';

const page = readFileSync(join(import.meta.dirname, '..', 'docs', 'items.md'), 'utf8');
const book = RuleBook.load();
const catalogues = loadCatalogues();

describe('docs/items.md', () => {
  it('names every measure of every catalogue by its id and clause', () => {
    let n = 0;
    for (const c of catalogues)
      for (const m of c.measures) {
        expect(page, `${c.ref} ${m.id}`).toContain(`| ${m.clause.replace(/\|/g, '\\|')} | \`${m.id}\` |`);
        n++;
      }
    expect(n).toBeGreaterThan(200);
  });

  it('names every clause each rule set cites for typing and the basic standard', () => {
    for (const rs of book.ruleSets)
      for (const [k, clause] of Object.entries(rs.typing.basic))
        expect(page, `${rs.ref} typing.basic.${k}`).toContain(`| \`typing.basic.${k}\` | ${clause} |`);
  });

  it('is the page the rule files and catalogues give today (npm run -s cli -- items > docs/items.md)', () => {
    expect(page).toBe(inventoryOf(book, catalogues));
  });
});
