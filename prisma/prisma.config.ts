import { defineConfig } from 'prisma/config';

// Only `prisma generate` is used from the CLI; migrations are diffed and applied by src/migrate.ts (offline).
export default defineConfig({
  schema: './schema',
});
