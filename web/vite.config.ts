import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
// The dev server proxies the API to a running Examhall (EXAMHALL_URL, default :3000).
const target = process.env.EXAMHALL_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP allows only 'self' scripts: no inline module preload polyfill.
    modulePreload: { polyfill: false },
    assetsDir: 'assets',
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      '/api': { target, ws: true, changeOrigin: false },
      '/uploads': target,
      '/health': target,
    },
  },
});
