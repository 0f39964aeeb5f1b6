import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inspectImage, MAX_SIDE_PX } from './image-structure.js';
import { ALL_SAMPLES, buildPng, gifWithComment, pngChunk, SAMPLES } from './test-images.js';

const refusal = (file: Buffer, format: Parameters<typeof inspectImage>[1]) => {
  const verdict = inspectImage(file, format);
  return verdict.ok ? undefined : verdict.reason;
};

describe('inspectImage: what real encoders make', () => {
  it.each(ALL_SAMPLES)('accepts $name with its dimensions', ({ bytes, format, width, height }) => {
    expect(inspectImage(bytes, format)).toEqual({ ok: true, width, height });
  });

  it.each(ALL_SAMPLES)('refuses $name cut short at any byte', ({ bytes, format }) => {
    for (let length = 0; length < bytes.length; length += 1) {
      expect(
        inspectImage(bytes.subarray(0, length), format).ok,
        `first ${length} of ${bytes.length} bytes`,
      ).toBe(false);
    }
  });

  it('refuses bytes after the end of a PNG, GIF or WebP, but not after a JPEG’s EOI (phones append trailers)', () => {
    const junk = Buffer.from('PK\x03\x04 appended');
    for (const { bytes, format, name } of ALL_SAMPLES) {
      const verdict = inspectImage(Buffer.concat([bytes, junk]), format);
      expect(verdict.ok, name).toBe(format === 'jpg');
    }
  });
});

describe('inspectImage: what a probe sends', () => {
  it('refuses the 4-byte "GIF8" and a GIF/HTML polyglot', () => {
    expect(refusal(Buffer.from('GIF8'), 'gif')).toMatch(
      /^file is not a valid GIF image: it ends inside its header/,
    );
    const polyglot = Buffer.from(
      'GIF89a/*\x00\x00<html><script>alert(document.domain)</script></html>*/=1;',
    );
    expect(refusal(polyglot, 'gif')).toMatch(/^file is not a valid GIF image/);
  });

  it('refuses a structurally valid image that carries HTML, whatever its case', () => {
    expect(refusal(gifWithComment('a teacher wrote this'), 'gif')).toBeUndefined();
    for (const markup of [
      '<script>alert(1)</script>',
      '<HTML>',
      '<!DocType html>',
      '<SvG onload=alert(1)>',
    ]) {
      expect(refusal(gifWithComment(markup), 'gif'), markup).toMatch(/^file contains HTML markup/);
      expect(
        refusal(buildPng(1, 1, [pngChunk('tEXt', Buffer.from(`Comment\0${markup}`))]), 'png'),
        markup,
      ).toMatch(/^file contains HTML markup/);
    }
  });

  it('judges a file by the format it was detected as', () => {
    expect(refusal(SAMPLES.png.bytes, 'gif')).toMatch(/^file is not a valid GIF image/);
    expect(refusal(SAMPLES.gif.bytes, 'jpg')).toMatch(/^file is not a valid JPEG image/);
  });
});

describe('inspectImage: dimensions', () => {
  it('wants both sides at least 1 and at most 20000 px, and at most 50 megapixels', () => {
    expect(inspectImage(buildPng(MAX_SIDE_PX, 1), 'png')).toEqual({
      ok: true,
      width: MAX_SIDE_PX,
      height: 1,
    });
    expect(refusal(buildPng(0, 1), 'png')).toBe('file: the image claims to be 0×1 pixels');
    expect(refusal(buildPng(1, 0), 'png')).toBe('file: the image claims to be 1×0 pixels');
    expect(refusal(buildPng(MAX_SIDE_PX + 1, 1), 'png')).toMatch(
      /^file: the image is 20001×1 pixels; at most 20000 a side and 50 megapixels$/,
    );
    expect(refusal(buildPng(10_000, 10_000), 'png')).toMatch(
      /^file: the image is 10000×10000 pixels/,
    );
    expect(refusal(buildPng(0xffffffff, 0xffffffff), 'png')).toMatch(
      /^file: the image is 4294967295×4294967295 pixels/,
    );
  });

  it('reads the size where each format keeps it', () => {
    // GIF: the logical screen descriptor.
    const gif = Buffer.from(SAMPLES.gif.bytes);
    gif.writeUInt16LE(30_000, 6);
    expect(refusal(gif, 'gif')).toMatch(/30000×2 pixels/);
    // JPEG: the frame header; height 0 ("see DNL") is refused.
    const jpeg = Buffer.from(SAMPLES.jpegBaseline.bytes);
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    jpeg.writeUInt16BE(0, sof + 5);
    expect(refusal(jpeg, 'jpg')).toBe('file: the image claims to be 3×0 pixels');
    // WebP: the VP8X canvas.
    const webp = Buffer.from(SAMPLES.webpAlpha.bytes);
    webp.writeUIntLE(25_000 - 1, 12 + 8 + 4, 3);
    expect(refusal(webp, 'webp')).toMatch(/25000×2 pixels/);
  });
});

describe('inspectImage: broken structure', () => {
  it('PNG: a wrong checksum, no IHDR first, no IDAT, a bad IHDR', () => {
    const corrupt = Buffer.from(SAMPLES.png.bytes);
    corrupt.writeUInt8(corrupt.readUInt8(20) ^ 1, 20); // inside IHDR's data
    expect(refusal(corrupt, 'png')).toBe(
      'file is not a valid PNG image: its IHDR chunk is corrupt (checksum mismatch)',
    );
    const signature = SAMPLES.png.bytes.subarray(0, 8);
    expect(refusal(Buffer.concat([signature, pngChunk('IEND')]), 'png')).toMatch(
      /does not begin with an IHDR chunk/,
    );
    const png = buildPng(1, 1);
    const withoutIdat = Buffer.concat([png.subarray(0, 33), pngChunk('IEND')]);
    expect(refusal(withoutIdat, 'png')).toMatch(/no IDAT/);
    const badDepth = Buffer.from(png.subarray(8, 33));
    badDepth.writeUInt8(3, 8 + 8); // bit depth 3
    badDepth.writeUInt32BE(crc32(badDepth.subarray(4, 21)), 21);
    expect(refusal(Buffer.concat([signature, badDepth, png.subarray(33)]), 'png')).toMatch(
      /invalid colour type 0 \/ bit depth 3/,
    );
  });

  it('JPEG: a scan before the frame header, no scan, a stray marker', () => {
    const jpeg = SAMPLES.jpegBaseline.bytes;
    const soi = Buffer.from([0xff, 0xd8]);
    const eoi = Buffer.from([0xff, 0xd9]);
    const sos = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]);
    expect(refusal(Buffer.concat([soi, sos, Buffer.from([0x12, 0x34]), eoi]), 'jpg')).toMatch(
      /image data \(SOS\) comes before a frame header/,
    );
    const headers = jpeg.subarray(0, jpeg.indexOf(Buffer.from([0xff, 0xda])));
    expect(refusal(Buffer.concat([headers, eoi]), 'jpg')).toMatch(/no image data \(SOS\)/);
    expect(refusal(Buffer.concat([soi, Buffer.from('not a marker'), eoi]), 'jpg')).toMatch(
      /no marker where one belongs/,
    );
  });

  it('GIF: no image before the trailer, an unknown block', () => {
    const headerOnly = SAMPLES.gif.bytes.subarray(
      0,
      13 + 3 * 2 ** ((SAMPLES.gif.bytes.readUInt8(10) & 7) + 1),
    );
    expect(refusal(Buffer.concat([headerOnly, Buffer.from([0x3b])]), 'gif')).toMatch(
      /has no image/,
    );
    expect(refusal(Buffer.concat([headerOnly, Buffer.from('<')]), 'gif')).toMatch(
      /unknown block 0x3C/,
    );
  });

  it('WebP: a RIFF size that does not match, a first chunk that is no image, VP8X without a frame', () => {
    const webp = Buffer.from(SAMPLES.webpLossy.bytes);
    webp.writeUInt32LE(webp.readUInt32LE(4) + 2, 4);
    expect(refusal(webp, 'webp')).toMatch(/its RIFF header says 68 bytes but the file has 66/);
    expect(refusal(riff(chunk('EXIF', Buffer.alloc(4))), 'webp')).toMatch(
      /first chunk is not VP8, VP8L or VP8X/,
    );
    const vp8x = SAMPLES.webpAlpha.bytes.subarray(12, 12 + 18);
    expect(refusal(riff(vp8x), 'webp')).toMatch(/no image data/);
  });
});

function riff(...chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WEBP'), ...chunks]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(body.length);
  return Buffer.concat([Buffer.from('RIFF'), size, body]);
}

function chunk(type: string, data: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32LE(data.length);
  return Buffer.concat([Buffer.from(type, 'latin1'), size, data, Buffer.alloc(data.length % 2)]);
}
