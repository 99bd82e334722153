// Gateway /readyz: the gateway is ready when it can answer — its embedded plugins are ready (database, bus) and its
// remote subgraphs answer their own /readyz. Each remote check is cached for READY_CACHE_MS (default 2 s) and shared
// by concurrent probes, so probes (several replicas × kubelet × load balancer) never multiply into subgraph load.
// A subgraph that is not ready is reported by name (`degraded`); the gateway itself stays ready while at least one
// subgraph answers at all (it serves partial data with SUBGRAPH_UNAVAILABLE errors — taking every replica out of the
// load balancer because one subgraph, or the bus every subgraph checks, is down would turn that one failure into a
// full outage). READY_REQUIRE_ALL_SUBGRAPHS=true makes any subgraph that is not ready fail the probe.
import { request } from 'undici';

export interface ReadyReport {
  ok: boolean;
  checks: Record<string, boolean>;
  /** Present when some subgraphs are down but the gateway still serves the rest. */
  degraded?: string[];
}

export interface SubgraphReadinessOptions {
  /** subgraph name -> its GraphQL URL (…/graphql); /readyz is probed beside it. */
  urls: Record<string, string>;
  cacheMs?: number;
  timeoutMs?: number;
  requireAll?: boolean;
}

export function readyUrlOf(graphqlUrl: string): string {
  const u = new URL(graphqlUrl);
  u.pathname = u.pathname.replace(/\/graphql\/?$/, '') + '/readyz';
  u.search = '';
  return u.toString();
}

export function subgraphReadiness(opts: SubgraphReadinessOptions): () => Promise<ReadyReport> {
  const cacheMs = opts.cacheMs ?? 2000;
  const timeoutMs = opts.timeoutMs ?? 2000;
  type Probe = { reachable: boolean; ready: boolean };
  const cache = new Map<string, { at: number; ok: Promise<Probe> }>();

  const probe = async (url: string): Promise<Probe> => {
    try {
      const r = await request(readyUrlOf(url), { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      await r.body.dump();
      return { reachable: true, ready: r.statusCode === 200 };
    } catch {
      return { reachable: false, ready: false };
    }
  };
  const check = (name: string, url: string): Promise<Probe> => {
    const hit = cache.get(name);
    if (hit && Date.now() - hit.at < cacheMs) return hit.ok;
    const entry = { at: Date.now(), ok: probe(url) };
    cache.set(name, entry);
    return entry.ok;
  };

  return async () => {
    const names = Object.keys(opts.urls);
    const results = await Promise.all(names.map((n) => check(n, opts.urls[n])));
    const checks: Record<string, boolean> = {};
    names.forEach((n, i) => (checks[`subgraph:${n}`] = results[i].ready));
    const down = names.filter((_, i) => !results[i].ready);
    const ok = names.length === 0 || (opts.requireAll ? down.length === 0 : results.some((r) => r.reachable));
    return { ok, checks, ...(down.length && ok ? { degraded: down } : {}) };
  };
}
