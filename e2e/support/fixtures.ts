import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * A real PNG for the question editor's image upload: a right triangle with its sides
 * coloured, drawn pixel by pixel (no image library needed).
 */
export function trianglePng(width = 320, height = 200): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  // right angle at A = (ax, ay); B = (bx, ay) along the base, C = (ax, cy) up the height
  const ax = 40,
    ay = 170,
    bx = 280,
    cy = 30;
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x++) {
      let r = 248,
        g = 250,
        b = 252;
      const inside = x >= ax && y <= ay && y >= cy && (x - ax) / (bx - ax) <= (y - cy) / (ay - cy);
      if (inside) [r, g, b] = [219, 231, 254];
      const onBase = Math.abs(y - ay) <= 2 && x >= ax && x <= bx;
      const onHeight = Math.abs(x - ax) <= 2 && y >= cy && y <= ay;
      const t = (x - ax) / (bx - ax);
      const onHyp = x >= ax && x <= bx && Math.abs(y - (cy + t * (ay - cy))) <= 2.2;
      if (onBase) [r, g, b] = [18, 133, 90];
      if (onHeight) [r, g, b] = [37, 86, 224];
      if (onHyp) [r, g, b] = [212, 42, 42];
      const p = row + 1 + x * 4;
      raw[p] = r;
      raw[p + 1] = g;
      raw[p + 2] = b;
      raw[p + 3] = 255;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface StudentRow {
  nisn: string;
  name: string;
  password: string;
}

export function studentsCsv(
  className: string,
  students: StudentRow[],
  badRows: string[] = [],
): string {
  const lines = [
    'nisn,name,password,class',
    ...students.map((s) => `${s.nisn},${s.name},${s.password},${className}`),
    ...badRows,
  ];
  return `${lines.join('\n')}\n`;
}

export interface SheetQuestion {
  kind: 'single' | 'multi' | 'text';
  text: string;
  options: string[];
  correct: string;
  points: number;
}

const csvCell = (v: string | number) =>
  /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);

export function questionsCsv(questions: SheetQuestion[]): string {
  const header = [
    'kind',
    'text',
    'option_a',
    'option_b',
    'option_c',
    'option_d',
    'correct',
    'points',
    'explanation',
    'tags',
  ];
  const rows = questions.map((q) =>
    [
      q.kind,
      q.text,
      q.options[0] ?? '',
      q.options[1] ?? '',
      q.options[2] ?? '',
      q.options[3] ?? '',
      q.correct,
      q.points,
      '',
      'e2e',
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
