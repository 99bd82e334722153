import { z } from 'zod';
import { PluginConfigError } from './errors.ts';
import type { AnyPlugin } from './plugin.ts';

/** Parses a plugin's config schema from the environment; errors name the plugin and the setting. */
export function parsePluginConfig(plugin: AnyPlugin, env: Record<string, string | undefined>): unknown {
  if (!plugin.config) return {};
  const r = (plugin.config as z.ZodType).safeParse(env);
  if (r.success) return r.data;
  throw new PluginConfigError(
    plugin.id,
    r.error.issues.map((i) => ({
      setting: i.path.join('.') || '(root)',
      message:
        i.message + (i.path.length && env[String(i.path[0])] !== undefined ? ` (got "${env[String(i.path[0])]}")` : ''),
    })),
  );
}

/** Env helpers for config schemas: numbers and booleans arrive as strings. */
export const env = {
  number: (def: number) => z.coerce.number().default(def),
  int: (def: number) => z.coerce.number().int().default(def),
  bool: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  string: (def: string) => z.string().min(1).default(def),
  url: () => z.string().url().optional(),
};
