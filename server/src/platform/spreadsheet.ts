import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { invalid } from './errors.js';
import { isUnstorableText, UNSTORABLE_MESSAGE } from './validation.js';

/**
 * Tables in and out for every feature (student import, question import and export, exam
 * results): CSV or XLSX. Row numbers are the spreadsheet's own (header = row 1), so an error
 * message points at the row a teacher sees in Excel.
 */

// ── Reading ─────────────────────────────────────────────────────────────────────────

/** One non-empty row as the text a person typed, with the number a spreadsheet app shows. */
export interface SheetRow {
  row: number;
  cells: string[];
}

/** A row below the header, its cells by normalized header name. */
export interface TableRow {
  row: number;
  cells: Record<string, string>;
}

export interface Table {
  headers: string[];
  rows: TableRow[];
}

export interface ReadOptions {
  /** The most rows below the header a file may have; each feature sets its own. */
  maxRows?: number;
}

const DEFAULT_MAX_ROWS = 10_000;

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

/**
 * Every non-empty row of the first non-empty sheet (XLSX) or of the text (CSV); the first
 * of them is the header. More than `maxRows` rows below it is refused.
 */
export async function readSpreadsheet(
  file: Buffer,
  options: ReadOptions = {},
): Promise<SheetRow[]> {
  const rows = detectSpreadsheet(file) === 'xlsx' ? await readXlsx(file) : readCsv(file);
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  if (rows.length - 1 > maxRows) {
    throw invalid(
      `file: at most ${maxRows} rows per file (got ${rows.length - 1}); split it into smaller files`,
    );
  }
  const unstorable = rows.find((r) => r.cells.some(isUnstorableText));
  if (unstorable)
    throw invalid(`file: row ${unstorable.row} ${UNSTORABLE_MESSAGE}; nothing was imported`);
  return rows;
}

/** "Option A" → "option_a": headers match whatever capitalization and spacing a sheet used. */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_');
}

/** The first non-empty row names the columns; a header named twice keeps its first column. */
export async function readTable(file: Buffer, options: ReadOptions = {}): Promise<Table> {
  const [header, ...data] = await readSpreadsheet(file, options);
  if (!header) throw invalid('file: it is empty; the first row must name the columns');
  const headers = header.cells.map(normalizeHeader);
  const rows = data.map(({ row, cells }) => ({
    row,
    cells: Object.fromEntries(
      headers.flatMap((h, i) =>
        h !== '' && headers.indexOf(h) === i ? [[h, cells[i] ?? '']] : [],
      ),
    ),
  }));
  return { headers, rows };
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
      // hand-written HTML (<img src="…">) in an unquoted cell keeps its quotes
      relax_quotes: true,
      // kept, so the record index stays the spreadsheet row number
      skip_empty_lines: false,
    });
  } catch (err) {
    throw invalid(`file: the CSV could not be read (${(err as Error).message})`);
  }
  // A quoted multi-line cell is still one row in a spreadsheet app, so the record index
  // (not the text line) is the row number people see.
  return records
    .map((cells, index) => ({ row: index + 1, cells: cells.map((c) => unescapeFormula(c).trim()) }))
    .filter((r) => r.cells.some((c) => c !== ''));
}

async function readXlsx(file: Buffer): Promise<SheetRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(file as unknown as ExcelJS.Buffer);
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

// ── Writing ─────────────────────────────────────────────────────────────────────────

export type CellValue = string | number | null;

/**
 * A cell starting with = + - @ is a formula to Excel: a student named "=HYPERLINK(…)" must
 * not run in a teacher's spreadsheet. CSV cells get a leading apostrophe (which reading
 * strips again, so exports round-trip); XLSX cells are typed strings and need nothing.
 */
function escapeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function unescapeFormula(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

function csvCell(value: CellValue): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : escapeFormula(value);
  return /[",\r\n;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** UTF-8 with a BOM, so Excel shows names with accents correctly. */
export function toCsv(headers: string[], rows: CellValue[][]): string {
  const lines = [headers, ...rows].map((r) => r.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/**
 * Strings become text cells (format "@"): an id such as NISN "0012345678" keeps its leading
 * zeros, and stays text when a teacher edits the cell and imports the file again.
 */
export async function toXlsx(
  sheetName: string,
  headers: string[],
  rows: CellValue[][],
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.created = new Date(0); // a stable file for the same data
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31) || 'Sheet1');
  sheet.addRow(headers).font = { bold: true };
  for (const values of rows) {
    const row = sheet.addRow(values);
    values.forEach((v, i) => {
      if (typeof v === 'string') row.getCell(i + 1).numFmt = '@';
    });
  }
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Content-Disposition for a download, with a plain-ASCII file name. */
export function attachment(fileName: string): string {
  const safe = fileName.replace(/[^\w.-]+/g, '-').replace(/-+/g, '-');
  return `attachment; filename="${safe}"`;
}
