import type { FastifyRequest } from 'fastify';
import { AppError, invalid } from './errors.js';

/**
 * The one way files arrive (API.md: every upload and import takes its file in a multipart
 * part named `file`). The size limit is enforced while streaming, so an oversized upload
 * is cut off early rather than buffered whole.
 */
export async function readFilePart(request: FastifyRequest, limitBytes: number): Promise<Buffer> {
  if (!request.isMultipart()) throw invalid('file: send multipart/form-data with the file in a part named "file"');
  const part = await request.file();
  if (!part) throw invalid('file: missing; send it in a multipart part named "file"');
  if (part.fieldname !== 'file') {
    part.file.resume(); // drain it, so the connection is not left holding an unread body
    throw invalid(`file: expected a part named "file", got "${part.fieldname}"`);
  }
  try {
    return await part.toBuffer();
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError('PAYLOAD_TOO_LARGE', `file: the upload is larger than the limit of ${limitBytes} bytes`);
    }
    throw err;
  }
}
