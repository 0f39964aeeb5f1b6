import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths the single-page app never answers: the API and the operator's endpoints. */
const SERVER_PREFIXES = ['/api', '/health', '/metrics', '/docs', '/openapi.json', '/uploads'];

/** Vite fingerprints everything under assets/, so it can be cached for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface WebPluginOptions {
  /** the built SPA (web/dist); found next to the sources or the build when unset */
  root?: string;
}

/** web/dist from server/src/web (tsx) or dist/server/src/web (the build), else the working directory. */
export function findWebDist(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    process.env.WEB_DIST,
    path.resolve(here, '../../../web/dist'),
    path.resolve(here, '../../../../web/dist'),
    path.resolve(process.cwd(), 'web/dist'),
  ];
  for (const dir of candidates) if (dir && existsSync(path.join(dir, 'index.html'))) return dir;
  return null;
}

/** index.html is never cached (a deploy must reach every browser); hashed assets are forever. */
function cacheControlFor(root: string, filePath: string): string {
  const relative = path.relative(root, filePath);
  if (relative === 'index.html') return 'no-cache';
  if (relative.startsWith(`assets${path.sep}`)) return IMMUTABLE;
  return 'public, max-age=3600';
}

function isServerPath(url: string): boolean {
  const pathname = url.split('?')[0] ?? '/';
  return SERVER_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/**
 * Serves the web app at `/`: fingerprinted assets with a long cache, the few top-level files
 * (favicon) with a short one, and index.html — never cached, so a deploy reaches every browser
 * — for any other GET that asks for HTML (client-side routes such as /session/…).
 * Everything else falls through to the API's 404.
 */
export async function webPlugin(
  app: FastifyInstance,
  options: WebPluginOptions = {},
): Promise<void> {
  const root = options.root ?? findWebDist();
  if (!root) {
    app.log.warn('web app not built (run `npm run build:web`): serving the API only');
    return;
  }

  await app.register(fastifyStatic, {
    root: path.join(root, 'assets'),
    prefix: '/assets/',
    decorateReply: true,
    index: false,
    cacheControl: false,
    // Also applies to reply.sendFile below, so decide by the file being sent.
    setHeaders: (reply, filePath) => {
      void reply.header('Cache-Control', cacheControlFor(root, filePath));
    },
  });

  // Top-level files other than index.html (favicon.svg, robots.txt…), read once at start.
  const topLevel = new Set(
    readdirSync(root).filter(
      (name) => name !== 'index.html' && statSync(path.join(root, name)).isFile(),
    ),
  );

  const sendIndex = (reply: FastifyReply) => reply.sendFile('index.html', root);

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const pathname = decodeURIComponent(request.url.split('?')[0] ?? '/');
    if (isServerPath(pathname)) return reply.callNotFound();
    const name = pathname.slice(1);
    if (topLevel.has(name)) {
      return reply.sendFile(name, root);
    }
    // The root is always the app; deeper unknown paths are app routes only for a browser
    // asking for a page (an API client's typo still gets the JSON 404).
    const accept = request.headers.accept ?? '';
    if (pathname !== '/' && !accept.includes('text/html')) return reply.callNotFound();
    return sendIndex(reply);
  };

  app.get('/', { schema: { hide: true } }, handler);
  app.get('/*', { schema: { hide: true } }, handler);
}
