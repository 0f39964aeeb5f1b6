import { deflateSync, crc32 } from 'node:zlib';
import type { ImageFormat } from './image-structure.js';

/**
 * Small images made by real encoders (ImageMagick 6.9, libwebp's cwebp and img2webp,
 * libjpeg-turbo's cjpeg), for tests of what uploads accept; plus builders for the shapes an
 * encoder will not make.
 */
export interface SampleImage {
  name: string;
  format: ImageFormat;
  width: number;
  height: number;
  bytes: Buffer;
}

const sample = (
  name: string,
  format: ImageFormat,
  width: number,
  height: number,
  base64: string,
): SampleImage => ({
  name,
  format,
  width,
  height,
  bytes: Buffer.from(base64, 'base64'),
});

export const SAMPLES = {
  /** baseline JPEG, 3×2 (ImageMagick) */
  jpegBaseline: sample(
    'jpegBaseline',
    'jpg',
    3,
    2,
    '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsO' +
      'CwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ' +
      'EBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBD/wAARCAACAAMDAREAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAA' +
      'CP/EABoQAAEFAQAAAAAAAAAAAAAAAAUAAhZVlNH/xAAVAQEBAAAAAAAAAAAAAAAAAAADCf/EABwRAAAHAQEAAAAA' +
      'AAAAAAAAAAADBAYXVdKTlP/aAAwDAQACEQMRAD8AA8hP3hDS/qo1GDHpknnJwAkR4Wynubsf/9k=',
  ),
  /** progressive JPEG, 16×16: ten scans (ImageMagick -interlace Plane) */
  jpegProgressive: sample(
    'jpegProgressive',
    'jpg',
    16,
    16,
    '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsO' +
      'CwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ' +
      'EBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBD/wgARCAAQABADAREAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAA' +
      'AAYH/8QAFgEBAQEAAAAAAAAAAAAAAAAAAAcD/9oADAMBAAIQAxAAAAHK8r4J69RUf//EABUQAQEAAAAAAAAAAAAA' +
      'AAAAAAAT/9oACAEBAAEFArrrrv/EABYRAAMAAAAAAAAAAAAAAAAAAAAVYf/aAAgBAwEBPwF9R9R9R9T/xAAWEQAD' +
      'AAAAAAAAAAAAAAAAAAAAFmH/2gAIAQIBAT8BXYLsF2C7D//EABQQAQAAAAAAAAAAAAAAAAAAACD/2gAIAQEABj8C' +
      'H//EABUQAQEAAAAAAAAAAAAAAAAAAABx/9oACAEBAAE/IaUpT//aAAwDAQACAAMAAAAQ2J//xAAUEQEAAAAAAAAA' +
      'AAAAAAAAAAAg/9oACAEDAQE/EAAf/8QAFBEBAAAAAAAAAAAAAAAAAAAAIP/aAAgBAgEBPxAf/wD/xAAVEAEBAAAA' +
      'AAAAAAAAAAAAAAAAEf/aAAgBAQABPxCWWWX/2Q==',
  ),
  /** baseline JPEG, 48×32, a DRI segment and RST0–RST4 inside the scan (cjpeg -restart 1B) */
  jpegRestarts: sample(
    'jpegRestarts',
    'jpg',
    48,
    32,
    '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABsSFBcUERsXFhceHBsgKEIrKCUlKFE6PTBCYFVlZF9VXVtqeJmBanGQ' +
      'c1tdhbWGkJ6jq62rZ4C8ybqmx5moq6T/2wBDARweHigjKE4rK06kbl1upKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSk' +
      'pKSkpKSkpKSkpKSkpKSkpKSkpKSkpKSkpKT/wAARCAAgADADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAA' +
      'AAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk' +
      'M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT' +
      'lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QA' +
      'HwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdh' +
      'cRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hp' +
      'anN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk' +
      '5ebn6Onq8vP09fb3+Pn6/90ABAAB/9oADAMBAAIRAxEAPwDOzRmo80ZpewPa9sf/0M7NGajzRml7A9r2x//Rzs0Z' +
      'qPNGaXsD2vbH/9LHzRmo80Zr2fYGntj/08fNGajzRmvZ9gae2P/Ux80ZqPNGa9n2Bp7Y/9k=',
  ),
  /** GIF89a, 3×2 (ImageMagick) */
  gif: sample('gif', 'gif', 3, 2, 'R0lGODlhAwACAPAAAP8AAAAAACH5BAAAAAAALAAAAAADAAIAAAIChF8AOw=='),
  /** animated GIF89a, two 2×2 frames, NETSCAPE loop extension (ImageMagick) */
  gifAnimated: sample(
    'gifAnimated',
    'gif',
    2,
    2,
    'R0lGODlhAgACAPAAAP8AAAAAACH5BAAAAAAAIf8LTkVUU0NBUEUyLjADAQAAACwAAAAAAgACAAACAoRRACH5BAAA' +
      'AAAALAAAAAACAAIAgAAA/wAAAAIChFEAOw==',
  ),
  /** RGB PNG, 3×2 (ImageMagick -strip) */
  png: sample(
    'png',
    'png',
    3,
    2,
    'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACAQMAAACnuvRZAAAABlBMVEX/AAAAAP9sof2OAAAADElEQVQI12NgYHgA' +
      'AADkAOF67cd7AAAAAElFTkSuQmCC',
  ),
  /** RGBA PNG, 3×2 (ImageMagick -strip) */
  pngAlpha: sample(
    'pngAlpha',
    'png',
    3,
    2,
    'iVBORw0KGgoAAAANSUhEUgAAAAMAAAACAQMAAACnuvRZAAAABlBMVEUAAAD/AAAb/40iAAAAAXRSTlMAQObYZgAA' +
      'AAxJREFUCNdjeMDAAAACpADhDrGEEgAAAABJRU5ErkJggg==',
  ),
  /** simple lossy WebP: one 'VP8 ' chunk (cwebp) */
  webpLossy: sample(
    'webpLossy',
    'webp',
    3,
    2,
    'UklGRjoAAABXRUJQVlA4IC4AAADwAQCdASoDAAIAAsBMJaACdLoAAwkG+4AA/vWjIsNov4oLhFi3v4czrtKjAAAA',
  ),
  /** lossless WebP: one VP8L chunk (cwebp -lossless) */
  webpLossless: sample(
    'webpLossless',
    'webp',
    3,
    2,
    'UklGRh4AAABXRUJQVlA4TBIAAAAvAkAAAA8Q87//8x8O5iCi/xE=',
  ),
  /** extended WebP: VP8X, ALPH, VP8 (cwebp, transparent source) */
  webpAlpha: sample(
    'webpAlpha',
    'webp',
    3,
    2,
    'UklGRloAAABXRUJQVlA4WAoAAAAQAAAAAgAAAQAAQUxQSAcAAAAA////AAAAAFZQOCAsAAAAkAEAnQEqAwACAALA' +
      'TCWgAnS6AAOYAP7uQx/ubHOLcFf/bQ//Wh/+tD/pQAA=',
  ),
  /** animated WebP: VP8X, ANIM, two ANMF frames (img2webp) */
  webpAnimated: sample(
    'webpAnimated',
    'webp',
    3,
    2,
    'UklGRsYAAABXRUJQVlA4WAoAAAACAAAAAgAAAQAAQU5JTQYAAAD/////AABBTk1GSgAAAAAAAAAAAAIAAAEAAGQA' +
      'AANWUDggMgAAADACAJ0BKgMAAgACADQloAJ0ugH4AAMhKiIQAP77feJos+X39uwWcur/8btxhvvQAAAAQU5NRkgA' +
      'AAAAAAAAAAACAAAAAABkAAAAVlA4IDAAAADUAQCdASoDAAEAAAA0JaACdLoB+AADsAD+8MQL/yC5YXXI1/8gP+QH' +
      '/ID/+PIAAAA=',
  ),
} satisfies Record<string, SampleImage>;

export const ALL_SAMPLES: SampleImage[] = Object.values(SAMPLES);

/** One PNG chunk: length, type, data, CRC. */
export function pngChunk(type: string, data: Buffer = Buffer.alloc(0)): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/**
 * A grey PNG of any claimed size (the pixels are not what is checked, so the IDAT holds one
 * row whatever the height), with `extra` chunks before the IDAT.
 */
export function buildPng(width: number, height: number, extra: Buffer[] = []): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(0, 9); // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    ...extra,
    pngChunk('IDAT', deflateSync(Buffer.alloc(Math.min(width, 64) + 1))),
    pngChunk('IEND'),
  ]);
}

/** A PNG of exactly `total` bytes: a private ancillary chunk takes up the rest. */
export function pngOfSize(total: number): Buffer {
  const base = buildPng(1, 1);
  const padding = total - base.length - 12;
  if (padding < 0) throw new Error(`a PNG cannot be as small as ${total} bytes`);
  return buildPng(1, 1, [pngChunk('zzPd', Buffer.alloc(padding, 0x20))]);
}

/** A 1×1 GIF89a with a comment extension holding `comment`. */
export function gifWithComment(comment: string): Buffer {
  const text = Buffer.from(comment, 'latin1');
  if (text.length > 255) throw new Error('one sub-block only');
  return Buffer.concat([
    Buffer.from('GIF89a', 'latin1'),
    Buffer.from([1, 0, 1, 0, 0x80, 0, 0]), // 1×1, a global table of two colours
    Buffer.from([0, 0, 0, 0xff, 0xff, 0xff]),
    Buffer.from([0x21, 0xfe, text.length]),
    text,
    Buffer.from([0]),
    Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0]), // image descriptor, no local table
    Buffer.from([2, 2, 0x44, 0x01, 0]), // LZW code size 2, one sub-block: pixel 0
    Buffer.from([0x3b]),
  ]);
}
