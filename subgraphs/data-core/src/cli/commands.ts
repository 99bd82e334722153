import type { CliCommand } from '@carbon-nexus/plugin-sdk';
import type { Config } from '../config.ts';
import { streamCli, STREAM_USAGE } from '../mock/stream.ts';
import { importMysqlCli, IMPORT_USAGE } from '../importer/mysql.ts';

export const commands: Record<string, CliCommand<Config>> = {
  stream: {
    description: 'Send seeded mock supplier events (with a planned hotspot) through the ingestion API',
    usage: STREAM_USAGE,
    offline: true,
    run: (argv) => streamCli(argv),
  },
  'import-mysql': {
    description: 'Copy legacy MySQL/MariaDB supplier and event tables into data-core (resumable, counts verified)',
    usage: IMPORT_USAGE,
    run: (argv, services) => importMysqlCli(argv, services),
  },
};
