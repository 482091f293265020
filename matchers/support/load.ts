/**
 * Reads the measure catalogues: every `<region>/measures/*.json` under the rules folder. The one
 * file of the support core that reads files; the core receives the catalogues loaded.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetihuError } from '../../lib/errors.js';
import { RULES_DIR } from '../ruleSet.js';
import { type Catalogue, CatalogueBook, parseCatalogue } from './catalogue.js';

/** Loads the catalogues under `dir` (the rules folder). */
export function loadCatalogues(dir: string = RULES_DIR): Catalogue[] {
  const out: Catalogue[] = [];
  for (const region of readdirSync(dir, { withFileTypes: true })) {
    if (!region.isDirectory()) continue;
    const folder = join(dir, region.name, 'measures');
    if (!existsSync(folder)) continue;
    for (const f of readdirSync(folder).sort()) {
      if (!f.endsWith('.json')) continue;
      const rel = `${region.name}/measures/${f}`;
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(join(folder, f), 'utf8'));
      } catch (err) {
        throw new GetihuError('INVALID_CATALOGUE', `${rel}: not valid JSON`, { file: rel }, { cause: err });
      }
      const c = parseCatalogue(data, rel);
      const expected = c.jurisdiction === region.name || (/^\d{6}$/.test(c.jurisdiction) && f.startsWith(`${c.jurisdiction}-`));
      if (!expected)
        throw new GetihuError('INVALID_CATALOGUE', `${rel}: jurisdiction '${c.jurisdiction}' does not match its place`, {
          file: rel,
        });
      out.push(c);
    }
  }
  return out;
}

/** The catalogues under `dir`, ready to pick from. */
export function loadCatalogueBook(dir?: string): CatalogueBook {
  return new CatalogueBook(loadCatalogues(dir));
}
