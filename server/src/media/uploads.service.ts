import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { invalid } from '../platform/errors.js';
import { inspectImage, type ImageFormat } from './image-structure.js';

/**
 * What we accept, judged by the bytes, never by name or declared type: the magic number
 * names the format, then its whole structure must hold (image-structure.ts).
 */
const IMAGE_TYPES: Record<string, ImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** Served names: a sha256 and a known extension, nothing else (temp files never match). */
export const UPLOAD_NAME = /^[a-f0-9]{64}\.(png|jpg|gif|webp)$/;

/**
 * Images for question HTML, stored under DATA_DIR/uploads with content-hash names: the same
 * image uploaded twice is one file, and a name never changes content (so it can be cached
 * forever).
 */
export function createUploadsService(deps: { dataDir: string }) {
  const dir = path.join(deps.dataDir, 'uploads');

  async function storeImage(file: Buffer): Promise<{ url: string }> {
    if (file.length === 0) throw invalid('file is empty');
    const type = await fileTypeFromBuffer(file);
    const ext = type ? IMAGE_TYPES[type.mime] : undefined;
    if (!ext) throw invalid('file must be a PNG, JPEG, GIF or WebP image (judged by its content)');
    const verdict = inspectImage(file, ext);
    if (!verdict.ok) throw invalid(verdict.reason);
    const name = `${createHash('sha256').update(file).digest('hex')}.${ext}`;
    const target = path.join(dir, name);
    if (!(await exists(target))) {
      await fs.mkdir(dir, { recursive: true });
      // Write then rename: a reader never sees half a file under the final name.
      const temp = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
      await fs.writeFile(temp, file, { mode: 0o644 });
      await fs.rename(temp, target);
    }
    return { url: `/uploads/${name}` };
  }

  return { dir, storeImage };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

export type UploadsService = ReturnType<typeof createUploadsService>;
