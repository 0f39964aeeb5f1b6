import type { FastifyRequest } from 'fastify';
import { AppError, invalid } from './errors.js';

/**
 * The one way files arrive (API.md: every upload and import takes its file in a multipart
 * part named `file`). The size limit is enforced while streaming, so an oversized upload
 * is cut off early rather than buffered whole.
 */
export async function readFilePart(request: FastifyRequest, limitBytes: number): Promise<Buffer> {
  if (!request.isMultipart())
    throw invalid('file: send multipart/form-data with the file in a part named "file"');
  const part = await parsing(limitBytes, () => request.file());
  if (!part) throw invalid('file: missing; send it in a multipart part named "file"');
  if (part.fieldname !== 'file') {
    part.file.resume(); // drain it, so the connection is not left holding an unread body
    throw invalid(`file: expected a part named "file", got "${part.fieldname}"`);
  }
  const file = await parsing(limitBytes, () => part.toBuffer());
  // busboy cuts the part at the limit and marks it truncated, but toBuffer() only notices
  // the mark while chunks still arrive: when the cut falls exactly on a chunk boundary
  // nothing follows it, and the first `limit` bytes come back as if they were the whole
  // file. So the mark (and the size, should a route pass a lower limit) is checked here.
  if (part.file.truncated || file.length > limitBytes) throw tooLarge(limitBytes);
  return file;
}

const tooLarge = (limitBytes: number) =>
  new AppError(
    'PAYLOAD_TOO_LARGE',
    `file: the upload is larger than the limit of ${limitBytes} bytes`,
  );

/**
 * busboy reports a malformed body with plain, code-less errors (no boundary in the
 * Content-Type, a boundary longer than it can search for, a body that ends before the
 * closing delimiter); they are the client's fault, not ours. @fastify/multipart's own
 * errors carry a code and are mapped in errors.ts.
 */
const MALFORMED_MULTIPART: [RegExp, string][] = [
  [/boundary not found/i, 'its Content-Type names no boundary'],
  [/unexpected end of multipart data|terminated early/i, 'it ends before its closing boundary'],
  [/needle/i, 'its boundary is too long'], // streamsearch cannot look for more than 256 bytes
];

async function parsing<T>(limitBytes: number, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof AppError) throw err;
    const { code, message } = err as { code?: string; message?: string };
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(limitBytes);
    const malformed =
      code === undefined && MALFORMED_MULTIPART.find(([pattern]) => pattern.test(message ?? ''));
    if (malformed) throw invalid(`file: the multipart body is malformed: ${malformed[1]}`);
    // The client went away mid-body (ECONNRESET "aborted"): nobody hears the answer, but
    // it is still the client's doing, not an error of ours to log as one.
    if (code === 'ECONNRESET') throw invalid('file: the upload was cut off before it ended');
    throw err;
  }
}
