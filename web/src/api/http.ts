import { ApiError } from './api-error';
import { authStore } from './auth-store';
import type { ApiErrorBody, ErrorCode, TokenPair } from './types';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** multipart bodies go as they are */
  form?: FormData;
  headers?: Record<string, string>;
  /** skip the bearer token (login, refresh) */
  anonymous?: boolean;
  signal?: AbortSignal;
  /** for the exam runner: keep the request alive through a page unload */
  keepalive?: boolean;
}

let refreshing: Promise<boolean> | null = null;

/**
 * One refresh at a time: concurrent 401s wait for the same rotation, because reusing a
 * refresh token revokes the whole family (API.md).
 */
export function refreshTokens(): Promise<boolean> {
  if (refreshing) return refreshing;
  const auth = authStore.get();
  if (!auth) return Promise.resolve(false);
  refreshing = (async () => {
    try {
      const pair = await request<TokenPair>('/api/v1/auth/refresh', {
        method: 'POST',
        body: { refreshToken: auth.refreshToken },
        anonymous: true,
      });
      authStore.setPair(pair);
      return true;
    } catch (err) {
      if (err instanceof ApiError && !err.isNetwork)
        authStore.clear(err.code === 'SESSION_REPLACED' ? 'replaced' : 'expired');
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** A valid access token, refreshed first when it is about to expire. */
export async function freshAccessToken(): Promise<string | null> {
  const auth = authStore.get();
  if (!auth) return null;
  if (auth.expiresAt - Date.now() < 30_000) await refreshTokens();
  return authStore.get()?.accessToken ?? null;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  let body: BodyInit | undefined;
  if (options.form) body = options.form;
  else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const token = options.anonymous ? null : authStore.get()?.accessToken;
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(path, {
      method: options.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      signal: options.signal,
      keepalive: options.keepalive,
      cache: 'no-store',
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(
      0,
      'NETWORK',
      navigator.onLine ? 'The server could not be reached.' : 'You are offline.',
    );
  }
}

async function toError(res: Response): Promise<ApiError> {
  let code: ErrorCode = res.status === 401 ? 'UNAUTHENTICATED' : `HTTP_${res.status}`;
  let message = res.statusText || `Request failed (${res.status})`;
  try {
    const data = (await res.json()) as Partial<ApiErrorBody>;
    if (data.error?.code) code = data.error.code;
    if (data.error?.message) message = data.error.message;
  } catch {
    // not JSON: keep the status line
  }
  const retryAfter = Number(res.headers.get('Retry-After'));
  return new ApiError(
    res.status,
    code,
    message,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}

/** A raw authenticated response (used for file downloads). Refreshes once on a 401. */
export async function requestRaw(path: string, options: RequestOptions = {}): Promise<Response> {
  let res = await send(path, options);
  if (res.status === 401 && !options.anonymous) {
    const err = await toError(res.clone());
    if (err.code === 'SESSION_REPLACED') {
      authStore.clear('replaced');
      throw err;
    }
    if (await refreshTokens()) res = await send(path, options);
  }
  if (!res.ok) {
    const err = await toError(res);
    if (err.code === 'SESSION_REPLACED') authStore.clear('replaced');
    else if (err.status === 401 && !options.anonymous) authStore.clear('expired');
    throw err;
  }
  return res;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await requestRaw(path, options);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Lists may come bare or paginated; the screens want the items. */
export function itemsOf<T>(data: T[] | { items: T[] } | null | undefined): T[] {
  if (!data) return [];
  return Array.isArray(data) ? data : data.items;
}
