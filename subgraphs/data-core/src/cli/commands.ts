import type { CliCommand } from '@carbon-nexus/plugin-sdk';

export const commands: Record<string, CliCommand<any>> = {};
