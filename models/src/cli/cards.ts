/** Re-render models/cards/<name>.md from the JSON cards in models/artifacts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listModels } from '../index.js';
import { renderCardMarkdown } from '../train/cardmd.js';

const dir = fileURLToPath(new URL('../../cards/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const c of listModels()) {
  writeFileSync(`${dir}${c.name}.md`, renderCardMarkdown(c));
  console.log(`wrote cards/${c.name}.md`);
}
