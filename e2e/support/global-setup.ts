import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The server serves web/dist: build it once per run (E2E_SKIP_BUILD=1 reuses the last build). */
export default function setup(): void {
  if (process.env.E2E_SKIP_BUILD === '1' && existsSync(path.join(repo, 'web/dist/index.html')))
    return;
  execFileSync(
    process.execPath,
    [
      path.join(repo, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    {
      cwd: repo,
      stdio: 'inherit',
    },
  );
}
