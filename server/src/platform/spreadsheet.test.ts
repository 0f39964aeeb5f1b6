import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  attachment,
  cellText,
  detectSpreadsheet,
  normalizeHeader,
  readSpreadsheet,
  readTable,
  toCsv,
  toXlsx,
} from './spreadsheet.js';

describe('spreadsheet reading', () => {
  it('detects the format by content, not by name', () => {
    expect(detectSpreadsheet(Buffer.from('504b030414000600', 'hex'))).toBe('xlsx');
    expect(detectSpreadsheet(Buffer.from('nisn,name\n1,A\n'))).toBe('csv');
    expect(() => detectSpreadsheet(Buffer.from('d0cf11e0a1b11ae1', 'hex'))).toThrow(
      /\.xls files are not supported/,
    );
    expect(() => detectSpreadsheet(Buffer.from('%PDF-1.7\n\x00\x01binary'))).toThrow(
      /neither a CSV nor an XLSX/,
    );
    expect(() => detectSpreadsheet(Buffer.alloc(0))).toThrow(/empty/);
  });

  it('turns cells into the text a person typed', () => {
    expect(cellText(1234567890)).toBe('1234567890');
    expect(cellText(123456789012345)).toBe('123456789012345');
    expect(cellText(null)).toBe('');
    expect(cellText({ richText: [{ text: 'X ' }, { text: 'IPA 1' }] })).toBe('X IPA 1');
    expect(cellText({ formula: 'A1&"1"', result: 'X IPA 1' })).toBe('X IPA 1');
    expect(cellText({ text: 'mail', hyperlink: 'mailto:x' })).toBe('mail');
  });

  it('sniffs the CSV delimiter, drops the BOM and numbers rows as a spreadsheet app does', async () => {
    const semicolons = Buffer.from(
      '\uFEFFnisn;nama\r\n0012;"Ayu\r\nLestari"\r\n\r\n;\r\n0013; Budi \r\n',
    );
    expect(await readSpreadsheet(semicolons)).toEqual([
      { row: 1, cells: ['nisn', 'nama'] },
      { row: 2, cells: ['0012', 'Ayu\r\nLestari'] },
      { row: 5, cells: ['0013', 'Budi'] },
    ]);
    const tabs = Buffer.from('a\tb\tc,d\n1\t2\t3,4\n');
    expect((await readSpreadsheet(tabs))[1]).toEqual({ row: 2, cells: ['1', '2', '3,4'] });
    // Excel on Windows: ANSI, not UTF-8
    const ansi = Buffer.from([...Buffer.from('name\nJos'), 0xe9, 0x0a]);
    expect((await readSpreadsheet(ansi))[1]!.cells).toEqual(['José']);
  });

  it('reads the first sheet that has rows, keeping spreadsheet row numbers', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Notes');
    const sheet = wb.addWorksheet('Data');
    sheet.getRow(2).values = ['NISN', 'Name'];
    sheet.getRow(4).values = [12345, ' Ayu '];
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    expect(await readSpreadsheet(file)).toEqual([
      { row: 2, cells: ['NISN', 'Name'] },
      { row: 4, cells: ['12345', 'Ayu'] },
    ]);
  });

  it('caps the rows below the header', async () => {
    const file = Buffer.from(`a\n${'x\n'.repeat(4)}`);
    expect(await readSpreadsheet(file, { maxRows: 4 })).toHaveLength(5);
    await expect(readSpreadsheet(file, { maxRows: 3 })).rejects.toThrow(
      'file: at most 3 rows per file (got 4); split it into smaller files',
    );
  });
});

describe('tables by header', () => {
  it('normalizes headers', () => {
    expect(normalizeHeader(' Option A ')).toBe('option_a');
    expect(normalizeHeader('\uFEFFKata  Sandi')).toBe('kata_sandi');
    expect(normalizeHeader('class-id')).toBe('class_id');
    expect(normalizeHeader('Class_ID')).toBe('class_id');
  });

  it('keys cells by normalized header; a header named twice keeps its first column', async () => {
    const table = await readTable(Buffer.from('Kind,Text,,kind\nsingle,Hi,ignored,multi\n'));
    expect(table.headers).toEqual(['kind', 'text', '', 'kind']);
    expect(table.rows).toEqual([{ row: 2, cells: { kind: 'single', text: 'Hi' } }]);
    await expect(readTable(Buffer.from('\n\n'))).rejects.toThrow(/first row must name the columns/);
  });
});

describe('spreadsheet writing', () => {
  const headers = ['NISN', 'Name', 'Score'];
  const rows = [
    ['0012345678', '=HYPERLINK("http://evil")', 7.5],
    ['0012345679', 'Lestari, "Ayu"', null],
  ];

  it('writes formula-safe CSV that reads back as written', async () => {
    const csv = toCsv(headers, rows);
    expect(csv).toBe(
      '\uFEFFNISN,Name,Score\r\n0012345678,"\'=HYPERLINK(""http://evil"")",7.5\r\n0012345679,"Lestari, ""Ayu""",\r\n',
    );
    const table = await readTable(Buffer.from(csv));
    expect(table.rows.map((r) => r.cells)).toEqual([
      { nisn: '0012345678', name: '=HYPERLINK("http://evil")', score: '7.5' },
      { nisn: '0012345679', name: 'Lestari, "Ayu"', score: '' },
    ]);
  });

  it('writes XLSX with ids as text cells (leading zeros kept) and numbers as numbers', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await toXlsx('Results', headers, rows)) as unknown as ExcelJS.Buffer);
    const sheet = wb.getWorksheet('Results')!;
    const nisn = sheet.getCell('A2');
    expect(nisn.value).toBe('0012345678');
    expect(nisn.numFmt).toBe('@');
    expect(sheet.getCell('B2').value).toBe('=HYPERLINK("http://evil")'); // a string, not a formula
    expect(sheet.getCell('C2').value).toBe(7.5);
    expect(sheet.getCell('C3').value).toBeNull();
  });

  it('names downloads in plain ASCII', () => {
    expect(attachment('Biologi kelas X/IPA — hasil.csv')).toBe(
      'attachment; filename="Biologi-kelas-X-IPA-hasil.csv"',
    );
  });
});
