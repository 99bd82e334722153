import { PluginStartError } from '../errors.ts';
import type { AnyPlugin } from '../plugin.ts';

/**
 * Start order: dependencies first — `requires` always, `uses` where no cycle forbids it. `available` are plugins
 * reachable elsewhere (remote subgraphs), which satisfy a `requires` without being started here.
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
  // Hard edges (requires) may not form a cycle.
  const state = new Map<string, 'visiting' | 'done'>();
  const check = (p: AnyPlugin, path: string[]) => {
    const s = state.get(p.id);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(p.id)), p.id];
      throw new PluginStartError(p.id, `dependency cycle: ${cycle.join(' -> ')}`, 'requires');
    }
    state.set(p.id, 'visiting');
    for (const dep of p.requires ?? []) {
      const d = byId.get(dep);
      if (d) check(d, [...path, p.id]);
    }
    state.set(p.id, 'done');
  };
  for (const p of plugins) check(p, []);
  // Soft edges (uses) order start-up where they can: a used plugin starts first unless that would close a cycle
  // (cycles among uses are allowed; those plugins only call each other at run time).
  const edges = new Map<string, string[]>(plugins.map((p) => [p.id, (p.requires ?? []).filter((d) => byId.has(d))]));
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
    from === to || (!seen.has(from) && (seen.add(from), edges.get(from)!.some((n) => reaches(n, to, seen))));
  for (const p of plugins) {
    for (const dep of Object.keys(p.uses ?? {})) {
      if (byId.has(dep) && !reaches(dep, p.id)) edges.get(p.id)!.push(dep);
    }
  }
  const out: AnyPlugin[] = [];
  const done = new Set<string>();
  const visit = (p: AnyPlugin) => {
    if (done.has(p.id)) return;
    done.add(p.id);
    for (const dep of edges.get(p.id)!) visit(byId.get(dep)!);
    out.push(p);
  };
  for (const p of plugins) visit(p);
  return out;
}
