#!/usr/bin/env -S npx tsx
// MySQL/MariaDB -> data-core import, runnable directly:
//   npx tsx subgraphs/data-core/src/cli/import-mysql.ts --from mysql://root@127.0.0.1:3306/test
// Uses DATABASE_URL (PostgreSQL) or PGlite at DATA_DIR like the platform does.
import { createHost } from '@carbon-nexus/plugin-sdk';
import plugin from '../plugin.ts';
import { importMysqlCli, parseImportArgs, IMPORT_USAGE } from '../importer/mysql.ts';

const argv = process.argv.slice(2);
let parsed: ReturnType<typeof parseImportArgs> | null = null;
try {
  parsed = parseImportArgs(argv);
} catch (err) {
  console.error(`${(err as Error).message}\n\n${IMPORT_USAGE}`);
  process.exitCode = 2;
}
if (parsed === 'help') console.log(IMPORT_USAGE);
else if (parsed) {
  const host = createHost({ plugins: [plugin], mode: 'standalone', scheduler: false });
  await host.start();
  try {
    process.exitCode = await importMysqlCli(argv, host.plugins.get('data-core')!.services);
  } finally {
    await host.stop();
  }
}
