import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { loadConfig } from '../config.js';
import { metricsAccess } from './metrics.js';

const TOKEN = 'scrape-me-scrape-me-scrape-me-42';

describe('GET /metrics with METRICS_TOKEN set', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => t?.close());
  const scrape = (headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: '/metrics', headers });

  it('answers 401 UNAUTHENTICATED without the bearer token, a wrong one or another scheme', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${TOKEN}` },
    ];
    for (const headers of attempts) {
      const res = await scrape(headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: { code: 'UNAUTHENTICATED', message: expect.any(String) },
      });
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body).not.toContain('examhall_http_request_duration_seconds');
    }
  });

  it('serves the Prometheus text to the bearer of the token', async () => {
    const res = await scrape({ authorization: `Bearer ${TOKEN}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('examhall_http_request_duration_seconds');
  });
});

describe('metricsAccess', () => {
  it('lets everyone in when no token is configured (the default)', () => {
    expect(metricsAccess(undefined)(undefined)).toBe(true);
  });

  it('wants exactly the token, not a prefix or an extension of it', () => {
    const may = metricsAccess(TOKEN);
    expect(may(`Bearer ${TOKEN}`)).toBe(true);
    expect(may(`bearer ${TOKEN}`)).toBe(true);
    expect(may(`Bearer ${TOKEN.slice(0, -1)}`)).toBe(false);
    expect(may(`Bearer ${TOKEN}0`)).toBe(false);
    expect(may('Bearer')).toBe(false);
    expect(may(undefined)).toBe(false);
  });

  it('is read from METRICS_TOKEN, which must be at least 16 characters', () => {
    expect(loadConfig({ METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});
