import { describe, expect, it } from 'vitest';
import { cellText, detectSpreadsheet } from './spreadsheet.js';
import { classResolver, planStudentImport } from './student-import.js';
import { defaultClassName } from './school.service.js';

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
});

describe('import planning', () => {
  const classes = [
    { id: '11111111-1111-4111-8111-111111111111', name: 'X IPA 1' },
    { id: '22222222-2222-4222-8222-222222222222', name: 'Kelas A' },
    { id: '33333333-3333-4333-8333-333333333333', name: 'kelas a' },
  ];
  const resolve = classResolver(classes);

  it('resolves a class by id, exact name, or loose name only when that is unambiguous', () => {
    expect(resolve('11111111-1111-4111-8111-111111111111'.toUpperCase())).toBe(classes[0]!.id);
    expect(resolve('x  ipa 1')).toBe(classes[0]!.id);
    expect(resolve('Kelas A')).toBe(classes[1]!.id);
    expect(resolve('KELAS A')).toBeUndefined();
    expect(resolve('XII')).toBeUndefined();
  });

  it('maps Indonesian headers, keeps the first of a duplicated NISN and says what is wrong with each bad row', () => {
    const rows = [
      { row: 1, cells: ['Kelas', 'NISN', 'Nama', 'Kata Sandi', 'Catatan'] },
      { row: 2, cells: ['X IPA 1', '0012345678', 'Ayu', 'pw-1'] },
      { row: 4, cells: ['X IPA 1', '0012345678', 'Ayu Lagi', 'pw-2'] },
      { row: 5, cells: ['X IPA 1', '0012345679', 'Budi', 'abc'] },
      { row: 6, cells: ['X IPA 1', '0012345670', 'x'.repeat(201), 'pw-12'] },
    ];
    const plan = planStudentImport(rows, resolve);
    expect(plan.candidates).toEqual([
      { row: 2, nisn: '0012345678', name: 'Ayu', password: 'pw-1', classId: classes[0]!.id },
    ]);
    expect(plan.errors).toEqual([
      { row: 4, message: 'NISN 0012345678 already appears in row 2' },
      { row: 5, message: 'the password must be 4 to 72 characters' },
      { row: 6, message: 'the name is longer than 200 characters' },
    ]);
  });

  it('refuses a file whose header does not name the columns', () => {
    expect(() =>
      planStudentImport([{ row: 1, cells: ['1234', 'Ayu', 'pw', 'X'] }], resolve),
    ).toThrow(/missing: nisn, name, password, class/);
  });
});

describe('class names', () => {
  it('follows the Indonesian habit of Roman grade numbers', () => {
    expect(defaultClassName({ gradeLevel: 10, majorCode: 'IPA', groupNumber: 1 })).toBe('X IPA 1');
    expect(defaultClassName({ gradeLevel: 12, majorCode: 'TKJ', groupNumber: 3 })).toBe(
      'XII TKJ 3',
    );
  });
});
