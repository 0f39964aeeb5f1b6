import { mkdir } from 'node:fs/promises';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, errorResponses } from '../../../contracts/common.js';
import { FilePartBody, UploadedImage } from '../../../contracts/questions.js';
import { readFilePart } from '../platform/multipart-file.js';
import type { Guards } from '../auth/index.js';
import { UPLOAD_NAME, type UploadsService } from './uploads.service.js';

/** POST /api/v1/admin/uploads/images (staff with uploads:write). */
export const uploadRoutes: FastifyPluginAsyncTypebox<{
  uploads: UploadsService;
  guards: Guards;
  uploadLimitBytes: number;
}> = async (app, { uploads, guards, uploadLimitBytes }) => {
  app.post(
    '/uploads/images',
    {
      onRequest: guards.requirePermission('uploads:write'),
      schema: {
        tags: ['media'],
        summary: 'Upload an image for question HTML (PNG, JPEG, GIF or WebP, judged by content)',
        description:
          'multipart/form-data with the image in a part named `file`; size-limited by UPLOAD_LIMIT_BYTES.',
        consumes: ['multipart/form-data'],
        body: FilePartBody,
        security: [{ bearer: [] }],
        response: { 201: UploadedImage, ...errorResponses, 413: ErrorResponse },
      },
    },
    async (request, reply) => {
      const file = await readFilePart(request, uploadLimitBytes);
      return reply.status(201).send(await uploads.storeImage(file));
    },
  );
};

/** GET /uploads/<sha256>.<ext>: public, cached forever (a name never changes content). */
export const uploadedFiles: FastifyPluginAsyncTypebox<{ uploads: UploadsService }> = async (
  app,
  { uploads },
) => {
  await mkdir(uploads.dir, { recursive: true });
  await app.register(fastifyStatic, {
    root: uploads.dir,
    prefix: '/uploads/',
    decorateReply: false,
    index: false,
    list: false,
    dotfiles: 'deny',
    cacheControl: false,
    etag: true,
    allowedPath: (pathName) => UPLOAD_NAME.test(pathName.replace(/^\//, '')),
    setHeaders: (reply) => {
      void reply.header('Cache-Control', 'public, max-age=31536000, immutable');
      // Served bytes were sniffed as images on upload; browsers must not re-sniff them.
      void reply.header('X-Content-Type-Options', 'nosniff');
    },
  });
};
