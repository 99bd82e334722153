import { PluginStartError } from '../errors.ts';
import type { AnyPlugin } from '../plugin.ts';

/**
 * Start order: dependencies first. `available` are plugins reachable elsewhere (remote subgraphs),
 * which satisfy a `requires` without being started here.
 */
export function startOrder(plugins: AnyPlugin[], available: Iterable<string> = []): AnyPlugin[] {
  const byId = new Map<string, AnyPlugin>();
  for (const p of plugins) {
    if (byId.has(p.id)) throw new PluginStartError(p.id, 'registered twice');
    byId.set(p.id, p);
  }
  const remote = new Set(available);
  for (const p of plugins) {
    for (const dep of p.requires ?? []) {
      if (!byId.has(dep) && !remote.has(dep)) {
        throw new PluginStartError(
          p.id,
          `requires plugin "${dep}", which is not registered` +
            ` (register it, or point CARBON_NEXUS_SUBGRAPH_${dep.toUpperCase().replace(/-/g, '_')}_URL at its subgraph)`,
          'requires',
        );
      }
    }
  }
  const out: AnyPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: AnyPlugin, path: string[]) => {
    const s = state.get(p.id);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(p.id)), p.id];
      throw new PluginStartError(p.id, `dependency cycle: ${cycle.join(' -> ')}`, 'requires');
    }
    state.set(p.id, 'visiting');
    for (const dep of p.requires ?? []) {
      const d = byId.get(dep);
      if (d) visit(d, [...path, p.id]);
    }
    state.set(p.id, 'done');
    out.push(p);
  };
  for (const p of plugins) visit(p, []);
  return out;
}
