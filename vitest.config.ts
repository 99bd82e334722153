// One vitest run, a project per package. Integration suites run on PGlite always and on PostgreSQL,
// Redis and Chromium too when DATABASE_URL / REDIS_URL / CHROMIUM_PATH are set (CI sets all three).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

const packages = [
  'plugin-sdk',
  'prisma',
  'gateway',
  'models',
  'web',
  'partner-client',
  ...fs.readdirSync('subgraphs').map((s) => `subgraphs/${s}`),
];

export default defineConfig({
  // One graphql instance: CommonJS dependencies (@apollo/*) load graphql's CJS build, so our code must too.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2-core CI machines: a few files at a time; each file gets its own database.
    maxWorkers: 2,
    projects: packages
      .filter((p) => fs.existsSync(`${p}/test`))
      .map((p) => ({
        extends: true as const,
        test: {
          name: p.replace(/^subgraphs\//, ''),
          root: p,
          include: ['test/**/*.test.ts'],
        },
      })),
  },
});
