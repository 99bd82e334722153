#!/usr/bin/env -S npx tsx
// Mock stream, runnable directly: npx tsx subgraphs/data-core/src/cli/stream.ts --help
import { streamCli } from '../mock/stream.ts';

process.exitCode = await streamCli(process.argv.slice(2));
