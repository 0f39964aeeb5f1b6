import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { invalid } from '../platform/errors.js';

/**
 * Tables in and out (imports, exports, results): CSV or XLSX, always with a header row.
 * Row numbers are the spreadsheet's own (header = 1), so an error message points at the
 * row a teacher sees in Excel.
 */
export interface TableRow {
  row: number;
  /** by normalized header name */
  cells: Record<string, string>;
}

export interface Table {
  headers: string[];
  rows: TableRow[];
}

export type CellValue = string | number | null;

const MAX_ROWS = 10_000;
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** "Option A" → "option_a": headers match whatever capitalization a spreadsheet used. */
export function normalizeHeader(header: string): string {
  return header.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** Reads an uploaded file, recognizing XLSX by its content (a zip), anything else as CSV. */
export async function readTable(file: Buffer): Promise<Table> {
  const grid = file.subarray(0, 4).equals(ZIP_MAGIC) ? await readXlsxGrid(file) : readCsvGrid(file);
  const header = grid.find((r) => r.values.some((v) => v.trim() !== ''));
  if (!header) throw invalid('file: it is empty; the first row must name the columns');
  const headers = header.values.map(normalizeHeader);
  const rows: TableRow[] = [];
  for (const r of grid) {
    if (r.row <= header.row || r.values.every((v) => v.trim() === '')) continue;
    const cells: Record<string, string> = {};
    headers.forEach((h, i) => {
      if (h) cells[h] = r.values[i] ?? '';
    });
    rows.push({ row: r.row, cells });
  }
  if (rows.length > MAX_ROWS) throw invalid(`file: at most ${MAX_ROWS} rows per import (got ${rows.length})`);
  return { headers, rows };
}

interface GridRow {
  row: number;
  values: string[];
}

function readCsvGrid(file: Buffer): GridRow[] {
  const text = file.toString('utf8');
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      delimiter: guessDelimiter(text),
      relax_column_count: true,
      // hand-written HTML (<img src="…">) in an unquoted cell keeps its quotes
      relax_quotes: true,
      // kept, so the record index stays the spreadsheet row number
      skip_empty_lines: false,
      trim: false,
    });
  } catch (err) {
    throw invalid(`file: not a readable CSV or XLSX file (${(err as Error).message})`);
  }
  return records.map((values, i) => ({ row: i + 1, values: values.map(unescapeFormula) }));
}

/** Excel in many locales (Indonesia among them) saves "CSV" with semicolons. */
function guessDelimiter(text: string): string {
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n'));
  const count = (c: string) => firstLine.split(c).length - 1;
  const candidates = [',', ';', '\t'].sort((a, b) => count(b) - count(a));
  return candidates[0]!;
}

async function readXlsxGrid(file: Buffer): Promise<GridRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(file as unknown as ExcelJS.Buffer);
  } catch (err) {
    throw invalid(`file: not a readable XLSX file (${(err as Error).message})`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const grid: GridRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values: string[] = [];
    for (let c = 1; c <= row.cellCount; c += 1) values.push(cellText(row.getCell(c)));
    grid.push({ row: rowNumber, values });
  });
  return grid;
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return String(v);
  return cell.text;
}

// ── Writing ─────────────────────────────────────────────────────────────────────────

/**
 * A cell starting with = + - @ is a formula to Excel: a student named "=HYPERLINK(…)" must
 * not run in a teacher's spreadsheet. CSV cells get a leading apostrophe (which readTable
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

export async function toXlsx(sheetName: string, headers: string[], rows: CellValue[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.created = new Date(0); // a stable file for the same data
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31) || 'Sheet1');
  sheet.addRow(headers).font = { bold: true };
  for (const r of rows) sheet.addRow(r);
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
