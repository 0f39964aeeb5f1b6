import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerErrorHandling } from './errors.js';

describe('PostgreSQL refusals', () => {
  it('answers a foreign key that refuses a delete (NO ACTION or RESTRICT) with 409 CONFLICT', async () => {
    const app = Fastify();
    registerErrorHandling(app);
    app.get('/:code', async (request) => {
      throw Object.assign(new Error('update or delete violates a foreign key'), {
        code: (request.params as { code: string }).code,
      });
    });
    for (const code of ['23503', '23001']) {
      const res = await app.inject({ method: 'GET', url: `/${code}` });
      expect(res.statusCode, code).toBe(409);
      expect(res.json().error.code).toBe('CONFLICT');
    }
    await app.close();
  });
});
