import type { FastifyError, FastifyInstance } from 'fastify';

/** The stable codes of API.md with their HTTP status. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  SESSION_REPLACED: 401,
  FORBIDDEN: 403,
  NOT_ELIGIBLE: 403,
  BAD_ENTRY_TOKEN: 403,
  NOT_FOUND: 404,
  EXAM_NOT_OPEN: 409,
  TIME_UP: 409,
  SESSION_CLOSED: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A domain error: a stable code, a sentence for humans, optionally Retry-After seconds. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (why = 'You do not have permission to do that') =>
  new AppError('FORBIDDEN', why);
export const invalid = (message: string) => new AppError('VALIDATION_FAILED', message);
export const conflict = (message: string) => new AppError('CONFLICT', message);

export interface ErrorBody {
  error: { code: string; message: string };
}

export const errorBody = (code: string, message: string): ErrorBody => ({
  error: { code, message },
});

/** Fastify's own client-error codes, mapped onto ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  // @fastify/multipart: the body ended mid-part, a field named like an Object.prototype
  // member, a field declared application/json that is not (it would answer 406).
  FST_MP_PREMATURE_CLOSE: 'VALIDATION_FAILED',
  FST_PROTO_VIOLATION: 'VALIDATION_FAILED',
  FST_INVALID_JSON_FIELD_ERROR: 'VALIDATION_FAILED',
};

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
// ON DELETE RESTRICT refuses with its own code, not the foreign-key one.
const RESTRICT_VIOLATION = '23001';

/** One error handler for the whole app: API.md's shape, internals of 5xx hidden. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(errorBody('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`));
  });

  app.setErrorHandler(
    (err: FastifyError & { validation?: unknown; validationContext?: string }, request, reply) => {
      if (err instanceof AppError) {
        if (err.retryAfterSeconds !== undefined)
          void reply.header('Retry-After', String(err.retryAfterSeconds));
        return reply.status(err.status).send(errorBody(err.code, err.message));
      }
      if (err.validation) {
        return reply.status(400).send(errorBody('VALIDATION_FAILED', describeValidation(err)));
      }
      const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
      if (mapped) return reply.status(ERROR_STATUS[mapped]).send(errorBody(mapped, err.message));
      const pgCode = (err as { code?: string }).code;
      if (pgCode === UNIQUE_VIOLATION) {
        return reply
          .status(409)
          .send(
            errorBody(
              'CONFLICT',
              `Already exists: ${(err as { detail?: string }).detail ?? 'duplicate value'}`,
            ),
          );
      }
      if (pgCode === FOREIGN_KEY_VIOLATION || pgCode === RESTRICT_VIOLATION) {
        return reply
          .status(409)
          .send(
            errorBody('CONFLICT', 'It is still in use, or refers to something that does not exist'),
          );
      }
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        // Fastify client errors: malformed JSON, bad content type, etc.
        const code =
          err.statusCode === 413
            ? 'PAYLOAD_TOO_LARGE'
            : err.statusCode === 404
              ? 'NOT_FOUND'
              : 'VALIDATION_FAILED';
        return reply.status(err.statusCode).send(errorBody(code, err.message));
      }
      request.log.error({ err }, 'unhandled error');
      return reply
        .status(500)
        .send(errorBody('INTERNAL', 'Something went wrong on our side; it has been logged'));
    },
  );
}

function describeValidation(err: FastifyError & { validationContext?: string }): string {
  // Fastify puts "body/answers/0 must be string"-style text in message; make it read like
  // API.md asks: name the field.
  return err.message
    .replace(
      /^(body|querystring|params|headers)\/?/,
      (_m, part: string) => `${part}${_m.endsWith('/') ? '.' : ''}`,
    )
    .replace(/\//g, '.');
}

/**
 * Requests Node's HTTP parser refuses before any route runs (a broken request line, NUL in a
 * header, a body cut short): answered in API.md's shape too, then the connection is closed.
 */
export function clientErrorHandler(
  err: NodeJS.ErrnoException,
  socket: import('node:stream').Duplex,
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'VALIDATION_FAILED', 'The request did not arrive in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'PAYLOAD_TOO_LARGE', 'The request headers are too large']
        : [400, 'VALIDATION_FAILED', 'The request is not well-formed HTTP'];
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : status === 408 ? 'Request Timeout' : 'Request Header Fields Too Large'}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
