import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPlugin } from './web.plugin.js';

let app: FastifyInstance;
let root: string;
const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'examhall-web-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Examhall</title>');
  writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  app = Fastify();
  app.get('/api/v1/exams', async () => ({ items: [] }));
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: request.url } }),
  );
  await app.register(webPlugin, { root });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the web app plugin', () => {
  it('serves index.html at / and at client-side routes, never cached', async () => {
    for (const url of [
      '/',
      '/exams',
      '/session/5b2de164-3d07-44bd-9989-868cf6620668',
      '/admin/exams/new?x=1',
    ]) {
      const res = await app.inject({ url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<title>Examhall</title>');
    }
  });

  it('serves fingerprinted assets for a year and top-level files for an hour', async () => {
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('leaves the API and the operator paths alone', async () => {
    expect((await app.inject({ url: '/api/v1/exams', headers: html })).json()).toEqual({
      items: [],
    });
    for (const url of [
      '/api/v1/nope',
      '/health/nope',
      '/metrics',
      '/docs/x',
      '/openapi.json',
      '/uploads/x.png',
    ]) {
      const res = await app.inject({ url, headers: html });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
  });

  it('answers 404 to a non-HTML request for an unknown path and to a missing asset', async () => {
    expect(
      (await app.inject({ url: '/nope', headers: { accept: 'application/json' } })).statusCode,
    ).toBe(404);
    // …but the root is always the app, whatever the client accepts (curl, monitors).
    expect((await app.inject({ url: '/', headers: { accept: '*/*' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/assets/missing.js', headers: html })).statusCode).toBe(404);
  });
});
