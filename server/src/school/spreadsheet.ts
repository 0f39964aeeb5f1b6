import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { invalid } from '../platform/errors.js';

/** One spreadsheet row as text cells, with the number a spreadsheet app would show. */
export interface SheetRow {
  row: number;
  cells: string[];
}

// The first bytes decide the format, never the file name or the browser's MIME guess.
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

export type SpreadsheetKind = 'xlsx' | 'csv';

export function detectSpreadsheet(file: Buffer): SpreadsheetKind {
  if (file.length === 0) throw invalid('file: the file is empty');
  if (file.subarray(0, 4).equals(ZIP_MAGIC)) return 'xlsx';
  if (file.subarray(0, 4).equals(OLE_MAGIC)) {
    throw invalid('file: old Excel .xls files are not supported; save it as .xlsx or CSV');
  }
  if (looksBinary(file)) throw invalid('file: this is neither a CSV nor an XLSX file');
  return 'csv';
}

/** Every non-empty row of the first non-empty sheet (XLSX) or of the text (CSV). */
export async function readSpreadsheet(file: Buffer): Promise<SheetRow[]> {
  return detectSpreadsheet(file) === 'xlsx' ? readXlsx(file) : readCsv(file);
}

function looksBinary(file: Buffer): boolean {
  const head = file.subarray(0, 8192);
  for (const byte of head) {
    // NUL and the C0 controls no text file has (tab, LF, CR and form feed are fine).
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c)
      return true;
  }
  return false;
}

function decodeText(file: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(file);
  } catch {
    // Excel on Windows saves "CSV" in the ANSI code page, not UTF-8.
    return new TextDecoder('windows-1252').decode(file);
  }
}

/** Excel in many locales (Indonesian among them) writes `;`-separated "CSV". */
function guessDelimiter(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const counts = [',', ';', '\t'].map((d) => ({ d, n: firstLine.split(d).length - 1 }));
  counts.sort((a, b) => b.n - a.n);
  return counts[0]!.n > 0 ? counts[0]!.d : ',';
}

function readCsv(file: Buffer): SheetRow[] {
  const text = decodeText(file).replace(/^\uFEFF/, '');
  let records: string[][];
  try {
    records = parseCsv(text, {
      delimiter: guessDelimiter(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    });
  } catch (err) {
    throw invalid(`file: the CSV could not be read (${(err as Error).message})`);
  }
  // A quoted multi-line cell is still one row in a spreadsheet app, so the record index
  // (not the text line) is the row number people see.
  return records
    .map((cells, index) => ({ row: index + 1, cells: cells.map((c) => c.trim()) }))
    .filter((r) => r.cells.some((c) => c !== ''));
}

async function readXlsx(file: Buffer): Promise<SheetRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(file as unknown as Parameters<typeof workbook.xlsx.load>[0]);
  } catch {
    throw invalid('file: this ZIP file is not a readable XLSX workbook');
  }
  const sheet = workbook.worksheets.find((ws) => ws.actualRowCount > 0);
  if (!sheet) return [];
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c += 1) cells.push(cellText(row.getCell(c).value).trim());
    if (cells.some((c) => c !== '')) rows.push({ row: rowNumber, cells });
  });
  return rows;
}

/** A cell as the text a person typed; numbers without exponent or grouping. */
export function cellText(value: ExcelJS.CellValue | { richText: ExcelJS.RichText[] }): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('hyperlink' in value) return cellText(value.text as ExcelJS.CellValue);
  if ('result' in value) return cellText(value.result);
  return '';
}
