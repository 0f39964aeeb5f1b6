import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createStaff, createTestApp, login, type TestApp } from '../../test/harness.js';
import { ALL_SAMPLES, buildPng, gifWithComment } from './test-images.js';

/** A 1×1 PNG (ImageMagick; the hand-made one before it had a broken IDAT checksum). */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415408d763f8cfc0d0000004810180d750a1ca0000000049454e44ae426082',
  'hex',
);

function filePart(content: Buffer, filename: string, contentType: string, field = 'file') {
  const boundary = `----examhall${Math.random().toString(16).slice(2)}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`;
  return {
    payload: Buffer.concat([Buffer.from(head), content, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

let t: TestApp;
let teacher: string;
beforeAll(async () => {
  t = await createTestApp({ UPLOAD_LIMIT_BYTES: '4096' });
  const s = await createStaff(t.sql, { role: 'Teacher' });
  teacher = (await login(t.app, { email: s.email, password: s.password })).accessToken;
});
afterAll(async () => {
  await t?.close();
  if (t) await rm(t.config.dataDir, { recursive: true, force: true });
});

const upload = (part: ReturnType<typeof filePart>, token = teacher) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/admin/uploads/images',
    payload: part.payload,
    headers: { ...part.headers, ...bearer(token) },
  });

describe('image upload', () => {
  it('stores a PNG under a content-hash name and serves it with long cache headers', async () => {
    const res = await upload(filePart(PNG, 'photo.jpg', 'image/jpeg'));
    expect(res.statusCode).toBe(201);
    const { url } = res.json() as { url: string };
    expect(url).toMatch(/^\/uploads\/[a-f0-9]{64}\.png$/); // judged by content, not by the name or declared type

    const again = await upload(filePart(PNG, 'other.png', 'image/png'));
    expect(again.json()).toEqual({ url }); // same bytes, same file

    const served = await t.app.inject({ method: 'GET', url }); // public: no token
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(PNG)).toBe(true);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses a text file named .png', async () => {
    const res = await upload(
      filePart(Buffer.from('<svg onload="alert(1)"></svg> just text'), 'evil.png', 'image/png'),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/^file must be a PNG, JPEG, GIF or WebP/),
      },
    });
  });

  it.each(ALL_SAMPLES)('stores $name under its format’s extension', async ({ bytes, format }) => {
    const res = await upload(filePart(bytes, 'picture.bin', 'application/octet-stream'));
    expect(res.statusCode, res.body).toBe(201);
    expect((res.json() as { url: string }).url).toMatch(
      new RegExp(`^/uploads/[a-f0-9]{64}\\.${format}$`),
    );
  });

  it('refuses a file that only starts like an image, with 400 and the reason', async () => {
    const cases: [string, Buffer, RegExp][] = [
      [
        'a 4-byte GIF8',
        Buffer.from('GIF8'),
        /^file is not a valid GIF image: it ends inside its header/,
      ],
      [
        'a GIF/HTML polyglot',
        Buffer.from('GIF89a/*\x00\x00<html><script>alert(1)</script>*/'),
        /^file is not a valid GIF image/,
      ],
      [
        'a valid GIF carrying a script',
        gifWithComment('<script>alert(1)</script>'),
        /^file contains HTML markup/,
      ],
      [
        'a PNG cut short',
        PNG.subarray(0, PNG.length - 12),
        /^file is not a valid PNG image: it ends before its IEND chunk/,
      ],
      ['a PNG claiming 30000×1 px', buildPng(30_000, 1), /^file: the image is 30000×1 pixels/],
    ];
    for (const [what, bytes, message] of cases) {
      const res = await upload(filePart(bytes, 'a.gif', 'image/gif'));
      expect(res.statusCode, what).toBe(400);
      expect(res.json(), what).toEqual({
        error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(message) },
      });
    }
  });

  it('refuses an oversized file with 413 in the API.md shape', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(5000, 1)]);
    const res = await upload(filePart(big, 'big.png', 'image/png'));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('4096') },
    });
  });

  it('wants the part named "file" and multipart at all', async () => {
    expect(
      (await upload(filePart(PNG, 'a.png', 'image/png', 'image'))).json().error.message,
    ).toMatch(/part named "file"/);
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/uploads/images',
      payload: { file: 'x' },
      headers: bearer(teacher),
    });
    expect(json.statusCode).toBe(400);
  });

  it('needs uploads:write', async () => {
    const proctor = await createStaff(t.sql, { role: 'Proctor' });
    const res = await upload(
      filePart(PNG, 'a.png', 'image/png'),
      (await login(t.app, { email: proctor.email, password: proctor.password })).accessToken,
    );
    expect(res.statusCode).toBe(403);
  });

  it('serves only content-hash names', async () => {
    for (const url of [
      '/uploads/../secret',
      '/uploads/abc.png',
      '/uploads/',
      `/uploads/.${'a'.repeat(64)}.png.tmp`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
  });
});
