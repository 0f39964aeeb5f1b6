import zlib from 'node:zlib';

/**
 * Whether an upload is really the image its first bytes claim: the whole structure is walked
 * (every PNG chunk and its checksum, every JPEG segment up to EOI, every GIF block up to the
 * trailer, every WebP chunk against the RIFF size) and the dimensions must be sane. A file
 * that merely starts like an image (a 4-byte `GIF8`, a GIF/HTML polyglot, a PNG cut short)
 * is refused. Pure functions over the bytes: nothing is decoded into pixels.
 *
 * Not a dependency such as image-size: that reads the dimensions from the first header and
 * stops, while the point here is the structure after it, and the walk finds the dimensions
 * on its way anyway.
 */

export type ImageFormat = 'png' | 'jpg' | 'gif' | 'webp';

const FORMAT_NAMES: Record<ImageFormat, string> = {
  png: 'PNG',
  jpg: 'JPEG',
  gif: 'GIF',
  webp: 'WebP',
};

/** Larger is no question illustration, and would cost a student's browser gigabytes to show. */
export const MAX_SIDE_PX = 20_000;
export const MAX_PIXELS = 50_000_000;

/** How far into the file HTML is looked for: where headers and metadata sit. */
export const MARKUP_SCAN_BYTES = 8192;
const MARKUP = /<(html|script|svg|!doctype)/i;

export interface Dimensions {
  width: number;
  height: number;
}

export type ImageVerdict = ({ ok: true } & Dimensions) | { ok: false; reason: string };

/** The structure, the dimensions and the absence of markup, in that order; the first problem wins. */
export function inspectImage(file: Buffer, format: ImageFormat): ImageVerdict {
  let size: Dimensions;
  try {
    size = DECODERS[format](file);
  } catch (err) {
    if (err instanceof Malformed)
      return {
        ok: false,
        reason: `file is not a valid ${FORMAT_NAMES[format]} image: ${err.message}`,
      };
    // A read past the end that a bounds check above missed: still the file's fault, not a 500.
    if (err instanceof RangeError)
      return {
        ok: false,
        reason: `file is not a valid ${FORMAT_NAMES[format]} image: it ends unexpectedly`,
      };
    throw err;
  }
  const { width, height } = size;
  if (width < 1 || height < 1)
    return { ok: false, reason: `file: the image claims to be ${width}×${height} pixels` };
  if (width > MAX_SIDE_PX || height > MAX_SIDE_PX || width * height > MAX_PIXELS) {
    return {
      ok: false,
      reason: `file: the image is ${width}×${height} pixels; at most ${MAX_SIDE_PX} a side and ${MAX_PIXELS / 1e6} megapixels`,
    };
  }
  const markup = MARKUP.exec(file.toString('latin1', 0, MARKUP_SCAN_BYTES));
  if (markup)
    return {
      ok: false,
      reason: `file contains HTML markup ("${markup[0]}"); upload a plain image`,
    };
  return { ok: true, width, height };
}

class Malformed extends Error {}

function fail(reason: string): never {
  throw new Malformed(reason);
}

/** Bytes [at, at + length) must exist; `where` finishes "it ends …". */
function need(file: Buffer, at: number, length: number, where: string): void {
  if (at + length > file.length) fail(`it ends ${where}`);
}

const DECODERS: Record<ImageFormat, (file: Buffer) => Dimensions> = {
  png: decodePng,
  jpg: decodeJpeg,
  gif: decodeGif,
  webp: decodeWebp,
};

// ── PNG: signature, IHDR first, at least one IDAT, IEND last, every CRC right ─────────────

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Allowed bit depths per colour type (PNG spec, table 11.1). */
const PNG_BIT_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function decodePng(file: Buffer): Dimensions {
  need(file, 0, PNG_SIGNATURE.length, 'inside its signature');
  if (!file.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) fail('its signature is wrong');
  let at = PNG_SIGNATURE.length;
  let size: Dimensions | undefined;
  let sawImageData = false;
  for (;;) {
    need(file, at, 8, 'before its IEND chunk');
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) fail(`a chunk at byte ${at} has no valid type`);
    if (length > 0x7fffffff) fail(`its ${type} chunk is impossibly long`);
    need(file, at + 8, length + 4, `in the middle of its ${type} chunk`);
    const data = file.subarray(at + 8, at + 8 + length);
    if (crc32(file.subarray(at + 4, at + 8 + length)) !== file.readUInt32BE(at + 8 + length)) {
      fail(`its ${type} chunk is corrupt (checksum mismatch)`);
    }
    if (size === undefined) {
      if (type !== 'IHDR') fail('it does not begin with an IHDR chunk');
      size = pngHeader(data);
    } else if (type === 'IHDR') {
      fail('it has a second IHDR chunk');
    }
    if (type === 'IDAT') sawImageData = true;
    at += 12 + length;
    if (type === 'IEND') {
      if (!sawImageData) fail('it has no IDAT (image data) chunk');
      if (at !== file.length) fail(`it has ${file.length - at} bytes after its IEND chunk`);
      return size;
    }
  }
}

function pngHeader(ihdr: Buffer): Dimensions {
  if (ihdr.length !== 13) fail('its IHDR chunk has the wrong length');
  const bitDepth = ihdr.readUInt8(8);
  const colourType = ihdr.readUInt8(9);
  if (!PNG_BIT_DEPTHS[colourType]?.includes(bitDepth))
    fail(`its IHDR has an invalid colour type ${colourType} / bit depth ${bitDepth}`);
  const [compression, filter, interlace] = [
    ihdr.readUInt8(10),
    ihdr.readUInt8(11),
    ihdr.readUInt8(12),
  ];
  if (compression !== 0 || filter !== 0 || interlace > 1)
    fail('its IHDR names an unknown compression, filter or interlace method');
  return { width: ihdr.readUInt32BE(0), height: ihdr.readUInt32BE(4) };
}

/** CRC-32 as PNG defines it (ISO 3309): zlib's where Node has it (20.15+), else a table. */
const crc32: (bytes: Buffer) => number =
  typeof zlib.crc32 === 'function' ? (bytes) => zlib.crc32(bytes) : tableCrc32;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function tableCrc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ── JPEG: SOI, segments, a frame header (SOF) before the first scan (SOS), EOI ────────────

const SOF_MARKERS = new Set([
  0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf,
]);
const SOS = 0xda;
const EOI = 0xd9;
const isRestart = (marker: number) => marker >= 0xd0 && marker <= 0xd7;

/** Bytes after EOI are allowed: phone cameras append their own trailers (motion photos). */
function decodeJpeg(file: Buffer): Dimensions {
  need(file, 0, 2, 'inside its SOI marker');
  if (file.readUInt16BE(0) !== 0xffd8) fail('it does not begin with an SOI marker');
  let at = 2;
  let size: Dimensions | undefined;
  let sawScan = false;
  for (;;) {
    need(file, at, 1, 'before its EOI marker');
    if (file.readUInt8(at) !== 0xff) fail(`there is no marker where one belongs (byte ${at})`);
    while (at < file.length && file.readUInt8(at) === 0xff) at += 1; // fill bytes before a marker
    need(file, at, 1, 'before its EOI marker');
    const marker = file.readUInt8(at);
    at += 1;
    if (marker === EOI) {
      if (!size) fail('it has no frame header (SOF)');
      if (!sawScan) fail('it has no image data (SOS)');
      return size;
    }
    if (marker === 0x00 || marker === 0xd8)
      fail(`it has a stray marker 0xFF${hex(marker)} at byte ${at - 2}`);
    if (isRestart(marker) || marker === 0x01) continue; // standalone markers: no length
    need(file, at, 2, `inside the length of segment 0xFF${hex(marker)}`);
    const length = file.readUInt16BE(at);
    if (length < 2) fail(`segment 0xFF${hex(marker)} has an impossible length`);
    need(file, at, length, `in the middle of segment 0xFF${hex(marker)}`);
    const segment = file.subarray(at + 2, at + length);
    at += length;
    if (SOF_MARKERS.has(marker)) {
      if (size) fail('it has a second frame header (SOF)');
      size = jpegFrame(segment);
    } else if (marker === SOS) {
      if (!size) fail('its image data (SOS) comes before a frame header (SOF)');
      sawScan = true;
      at = endOfScan(file, at);
    }
  }
}

function jpegFrame(sof: Buffer): Dimensions {
  if (sof.length < 6) fail('its frame header (SOF) is too short');
  const components = sof.readUInt8(5);
  if (components < 1 || sof.length !== 6 + 3 * components)
    fail('its frame header (SOF) has the wrong length');
  // Height 0 means "given later in a DNL segment", which browsers do not support.
  return { width: sof.readUInt16BE(3), height: sof.readUInt16BE(1) };
}

/** Entropy-coded data runs to the next marker that is neither a stuffed 0xFF00 nor a restart. */
function endOfScan(file: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const ff = file.indexOf(0xff, at);
    if (ff < 0 || ff + 1 >= file.length)
      fail('it ends in the middle of its image data, before the EOI marker');
    const next = file.readUInt8(ff + 1);
    if (next === 0x00 || isRestart(next)) at = ff + 2;
    else if (next === 0xff) at = ff + 1;
    else return ff;
  }
}

const hex = (byte: number) => byte.toString(16).toUpperCase().padStart(2, '0');

// ── GIF: header, logical screen descriptor, blocks, at least one image, trailer last ──────

const GIF_TRAILER = 0x3b;
const GIF_EXTENSION = 0x21;
const GIF_IMAGE = 0x2c;

function decodeGif(file: Buffer): Dimensions {
  need(file, 0, 13, 'inside its header and logical screen descriptor');
  const version = file.toString('latin1', 0, 6);
  if (version !== 'GIF87a' && version !== 'GIF89a') fail('its header is neither GIF87a nor GIF89a');
  const size = { width: file.readUInt16LE(6), height: file.readUInt16LE(8) };
  let at = 13 + colourTableBytes(file.readUInt8(10));
  let sawImage = false;
  for (;;) {
    need(file, at, 1, 'before its trailer (0x3B)');
    const block = file.readUInt8(at);
    at += 1;
    if (block === GIF_TRAILER) {
      if (!sawImage) fail('it has no image');
      if (at !== file.length) fail(`it has ${file.length - at} bytes after its trailer`);
      return size;
    }
    if (block === GIF_EXTENSION) {
      need(file, at, 1, 'inside an extension block');
      at = skipSubBlocks(file, at + 1);
    } else if (block === GIF_IMAGE) {
      need(file, at, 9, 'inside an image descriptor');
      at += 9 + colourTableBytes(file.readUInt8(at + 8));
      need(file, at, 1, 'before the image data');
      const lzwMinimumCodeSize = file.readUInt8(at);
      if (lzwMinimumCodeSize < 1 || lzwMinimumCodeSize > 11)
        fail('an image has an invalid LZW code size');
      at = skipSubBlocks(file, at + 1);
      sawImage = true;
    } else {
      fail(`there is an unknown block 0x${hex(block)} at byte ${at - 1}`);
    }
  }
}

/** The colour table that follows a descriptor whose packed byte has the "table present" bit. */
const colourTableBytes = (packed: number) => (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);

function skipSubBlocks(file: Buffer, from: number): number {
  let at = from;
  for (;;) {
    need(file, at, 1, 'inside a data block');
    const length = file.readUInt8(at);
    at += 1;
    if (length === 0) return at;
    need(file, at, length, 'inside a data block');
    at += length;
  }
}

// ── WebP: RIFF size = file size, a VP8 / VP8L / VP8X chunk first, every chunk in bounds ───

function decodeWebp(file: Buffer): Dimensions {
  need(file, 0, 12, 'inside its RIFF header');
  if (file.toString('latin1', 0, 4) !== 'RIFF' || file.toString('latin1', 8, 12) !== 'WEBP')
    fail('its RIFF header is wrong');
  const riffSize = file.readUInt32LE(4);
  if (riffSize + 8 !== file.length)
    fail(`its RIFF header says ${riffSize + 8} bytes but the file has ${file.length}`);
  let at = 12;
  let size: Dimensions | undefined;
  let extended = false;
  let sawImage = false;
  while (at < file.length) {
    need(file, at, 8, 'inside a chunk header');
    const type = file.toString('latin1', at, at + 4);
    const length = file.readUInt32LE(at + 4);
    need(file, at + 8, length + (length % 2), `in the middle of its ${type.trim()} chunk`);
    const data = file.subarray(at + 8, at + 8 + length);
    at += 8 + length + (length % 2); // chunks are padded to an even length
    if (size === undefined) {
      if (type === 'VP8X') {
        extended = true;
        size = webpCanvas(data);
        continue;
      }
      size = webpBitstream(type, data) ?? fail('its first chunk is not VP8, VP8L or VP8X');
      sawImage = true;
    } else if (extended && (type === 'VP8 ' || type === 'VP8L')) {
      if (!webpBitstream(type, data)) fail(`its ${type.trim()} chunk is invalid`);
      sawImage = true;
    } else if (extended && type === 'ANMF') {
      sawImage = true;
    }
  }
  if (!size || !sawImage) fail('it has no image data');
  return size;
}

/** The size in a lossy (VP8) or lossless (VP8L) bitstream header; undefined for other chunks. */
function webpBitstream(type: string, data: Buffer): Dimensions | undefined {
  if (type === 'VP8 ') {
    if (data.length < 10) fail('its VP8 chunk is too short');
    if ((data.readUInt8(0) & 1) !== 0) fail('its VP8 data does not start with a key frame');
    if (data.readUIntBE(3, 3) !== 0x9d012a) fail('its VP8 data has no start code');
    return { width: data.readUInt16LE(6) & 0x3fff, height: data.readUInt16LE(8) & 0x3fff };
  }
  if (type === 'VP8L') {
    if (data.length < 5) fail('its VP8L chunk is too short');
    if (data.readUInt8(0) !== 0x2f) fail('its VP8L data has no signature');
    const bits = data.readUInt32LE(1);
    if (bits >>> 29 !== 0) fail('its VP8L data has an unknown version');
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return undefined;
}

function webpCanvas(vp8x: Buffer): Dimensions {
  if (vp8x.length < 10) fail('its VP8X chunk is too short');
  return { width: vp8x.readUIntLE(4, 3) + 1, height: vp8x.readUIntLE(7, 3) + 1 };
}
