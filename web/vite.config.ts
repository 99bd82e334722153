import { defineConfig } from 'vite';
import { resolve } from 'node:path';

// Two entries: the dashboard (/) and the GraphQL explorer (/graphql), both served by the gateway.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        explorer: resolve(import.meta.dirname, 'explorer.html'),
      },
    },
  },
  server: {
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:4000', ws: true },
      '/auth': 'http://127.0.0.1:4000',
      '/ingest': 'http://127.0.0.1:4000',
    },
  },
});
