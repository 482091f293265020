/**
 * An `.xlsx` export (read by read-excel-file): its first row (or the first that names one of the
 * feed's columns) is the header, each later row a record numbered by its row in the sheet. Cells
 * keep the type the workbook gave them — a date cell is a date, a number a number — and text
 * cells are read under the profile as CSV cells are. A dead letter keeps the row as CSV text.
 */
import type { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { readSheet } from 'read-excel-file/node';
import { GetihuError, isGetihuError } from '../lib/errors.js';
import type { Column, FeedDefinition, RawRecord } from './feed.js';
import { type ExportProfile, headerColumns, readSheetCell, sheetCellText } from './profile.js';

/** The rows of the profile's sheet of a workbook. */
async function sheetRows(input: Readable, profile: ExportProfile): Promise<readonly (readonly unknown[])[]> {
  try {
    return profile.sheet === undefined ? await readSheet(input) : await readSheet(input, profile.sheet);
  } catch (err) {
    throw new GetihuError('INVALID_INPUT', `not a readable .xlsx workbook: ${(err as Error).message}`);
  }
}

/** A workbook's rows as raw records. */
export async function* xlsxRecords(input: Readable, feed: FeedDefinition, profile: ExportProfile): AsyncGenerator<RawRecord> {
  const rows = await sheetRows(input, profile);
  let header: (Column | undefined)[] | undefined;
  for (const [i, row] of rows.entries()) {
    const line = i + 1;
    const cells = row.map(sheetCellText);
    if (cells.every((c) => c.trim() === '')) continue;
    const original = stringify([cells]).replace(/\r?\n$/, '');
    if (header === undefined) {
      try {
        header = headerColumns(cells, feed, profile);
      } catch (err) {
        if (!isGetihuError(err)) throw err;
        yield { line, original, fields: err };
      }
      continue;
    }
    const fields: Record<string, unknown> = {};
    header.forEach((c, j) => {
      if (c !== undefined) fields[c.field] = readSheetCell(row[j], c, profile);
    });
    yield { line, original, fields };
  }
}
