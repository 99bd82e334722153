// The platform config (`carbon-nexus.config.ts` at the project root) lists the plugins to run.
// The SDK loads it by path at run time, so the SDK itself never imports a plugin.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyPlugin } from './plugin.ts';

export interface PlatformConfig {
  plugins: AnyPlugin[];
}

export function findPlatformRoot(from = process.cwd()): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'carbon-nexus.config.ts'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no carbon-nexus.config.ts found in ${from} or any parent folder`);
    dir = up;
  }
}

export async function loadPlatformConfig(root = findPlatformRoot()): Promise<PlatformConfig> {
  const mod = await import(pathToFileURL(path.join(root, 'carbon-nexus.config.ts')).href);
  const cfg = (mod.default ?? mod) as PlatformConfig;
  if (!Array.isArray(cfg.plugins)) throw new Error('carbon-nexus.config.ts must export default { plugins: [...] }');
  return cfg;
}
