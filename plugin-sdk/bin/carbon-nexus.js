#!/usr/bin/env node
// The `carbon-nexus` CLI. The SDK ships TypeScript sources; tsx runs them.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
