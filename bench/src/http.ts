import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';

/** One answer from the API: the JSON body on success, API.md's error code otherwise. */
export interface ApiResult<T> {
  status: number;
  body: T | undefined;
  errorCode: string | undefined;
  /** API.md's human sentence, for set-up failures that must be explained */
  errorMessage?: string;
  retryAfter: string | undefined;
  /** the body as received (for non-JSON answers such as /metrics) */
  rawText: string;
}

export interface ApiRequest {
  token?: string;
  json?: unknown;
  headers?: Record<string, string>;
  /** a pre-encoded body with its content type (multipart uploads) */
  raw?: { body: Buffer; contentType: string };
  /** overrides the client's default, for slow set-up calls such as bulk imports */
  timeoutMs?: number;
}

interface ErrorBody {
  error?: { code?: string; message?: string };
}

/** A transport failure (refused, reset, timed out) with a short stable code for the tables. */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function transportCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'TIMEOUT';
  if (code === 'UND_ERR_SOCKET') return 'SOCKET_CLOSED';
  return typeof code === 'string' ? code : 'NETWORK_ERROR';
}

/**
 * A thin JSON client over one undici Pool: keep-alive connections sized for the open loop
 * (a burst has hundreds in flight; a small pool would queue them *inside the generator* and
 * blame the server for the wait).
 */
export class ApiClient {
  private readonly pool: Pool;

  constructor(
    readonly baseUrl: string,
    connections: number,
    private readonly timeoutMs: number,
  ) {
    this.pool = new Pool(baseUrl, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  async call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    req: ApiRequest = {},
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    let body: string | Buffer | undefined;
    if (req.token) headers.authorization = `Bearer ${req.token}`;
    if (req.raw) {
      headers['content-type'] = req.raw.contentType;
      body = req.raw.body;
    } else if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    }
    let response;
    try {
      response = await this.pool.request({
        path,
        method,
        headers,
        body,
        headersTimeout: req.timeoutMs ?? this.timeoutMs,
        bodyTimeout: req.timeoutMs ?? this.timeoutMs,
      });
    } catch (err) {
      throw new TransportError(transportCode(err), (err as Error).message);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (err) {
      throw new TransportError(transportCode(err), (err as Error).message);
    }
    const status = response.statusCode;
    const parsed = parseJson(text);
    const retryAfter = response.headers['retry-after'];
    if (status >= 200 && status < 300) {
      return {
        status,
        body: parsed as T,
        errorCode: undefined,
        retryAfter: undefined,
        rawText: text,
      };
    }
    return {
      status,
      body: undefined,
      errorCode: (parsed as ErrorBody | undefined)?.error?.code ?? 'NO_CODE',
      errorMessage: (parsed as ErrorBody | undefined)?.error?.message,
      retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
      rawText: text,
    };
  }

  /** Like call(), but any non-2xx is an exception naming the request: for set-up steps that must work. */
  async must<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    req: ApiRequest = {},
  ): Promise<T> {
    const result = await this.call<T>(method, path, req);
    if (result.status < 200 || result.status >= 300) {
      throw new Error(
        `${method} ${path} → ${result.status} ${result.errorCode ?? ''}: ${result.errorMessage ?? ''}`,
      );
    }
    return result.body as T;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** multipart/form-data with one file part named `file` (API.md: every import takes its file this way). */
export function multipartFile(
  filename: string,
  contentType: string,
  content: Buffer,
): { body: Buffer; contentType: string } {
  const boundary = `----examhall-bench-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      `Content-Type: ${contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    body: Buffer.concat([head, content, tail]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** API.md lists may come back as a bare array or wrapped ({items}/{data}); accept both. */
export function listItems<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object') {
    for (const key of ['items', 'data', 'results', 'rows']) {
      const value = (body as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value as T[];
    }
  }
  return [];
}
