import fs from 'node:fs';
import { parse, type DocumentNode } from 'graphql';

/** Reads SDL from a file next to the plugin (e.g. `new URL('../schema.graphql', import.meta.url)`). */
export function loadTypeDefs(file: URL | string): DocumentNode {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return parse(text);
  } catch (err) {
    throw new Error(`${String(file)}: ${(err as Error).message}`);
  }
}
