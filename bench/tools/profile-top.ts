// (In bench/tools: a diagnostic, not a benchmark.)
// bench/tools/profile-top: where a .cpuprofile (V8 format, from profile-load or node --cpu-prof) spends its time:
// top functions by self time, self time by package (node_modules/<pkg>, ours by folder, node internals), and the
// total time under selected frames (inclusive), as shares of the profile's busy (non-idle) samples.
// With --categories, every busy sample is also put in one category of gateway work (the innermost frame of its stack
// that names one: result shaping, plan execution, subgraph HTTP client, JSON, request pipeline, …).
//   npx tsx bench/tools/profile-top.ts FILE [--top 30] [--under executeQueryPlan,computeResponse,…] [--categories]
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-top.ts FILE [--top N] [--under a,b]');
const arg = (f: string, d: string) => (process.argv.includes(f) ? process.argv[process.argv.indexOf(f) + 1] : d);
const top = Number(arg('--top', '30'));
const under = arg('--under', '').split(',').filter(Boolean);
const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const idle = (n: Node) => ['(idle)', '(program)'].includes(n.callFrame.functionName);
let busy = 0;
for (const [id, t] of self) if (!idle(byId.get(id)!)) busy += t;

const where = (url: string) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const ours =
    /\/work\/main\/([^/]+(?:\/[^/]+)?)\//.exec(url) ??
    /\/(gateway|plugin-sdk|bench|subgraphs)\/(src\/[^/]+|[^/]+)/.exec(url);
  if (ours) return ours[1];
  return url ? url.replace(/^.*\/(?=[^/]+$)/, '') : '(native / node internals)';
};
const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
const add = (m: Map<string, number>, k: string, t: number) => m.set(k, (m.get(k) ?? 0) + t);

const fns = new Map<string, number>();
const pkgs = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  if (idle(n)) continue;
  const f = n.callFrame;
  add(fns, `${f.functionName || '(anonymous)'}  ${where(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`, t);
  add(pkgs, where(f.url), t);
}
const total = p.timeDeltas.reduce((a, b) => a + b, 0);
console.log(
  `profile ${file}: ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${((100 * busy) / total).toFixed(0)} %)`,
);
console.log(`\ntop ${top} functions by self time (share of busy time):`);
for (const [k, t] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
console.log('\nself time by package / module:');
for (const [k, t] of [...pkgs].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
if (under.length) {
  // Inclusive time under frames whose function name matches (a frame counted once per sample even when recursive).
  console.log('\ninclusive time under:');
  for (const name of under) {
    let t = 0;
    p.samples.forEach((id, i) => {
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        if (byId.get(cur)!.callFrame.functionName === name) {
          t += p.timeDeltas[i] ?? 0;
          break;
        }
      }
    });
    console.log(`${pct(t)}  ${name}`);
  }
}

// Categories of gateway work, matched against `functionName url` of each frame from the leaf up (first match wins).
const CATEGORIES: [string, RegExp][] = [
  ['garbage collection', /^\(garbage collector\) /],
  [
    'JSON parse / stringify',
    /^(parse|stringify|prettyJSONStringify|stringifyResult) |^ .*(server|data-sources)\.ts$|secure-json-parse/,
  ],
  [
    'result shaping (computeResponse, our shaper)',
    /^(computeResponse|applySelectionSet|updateOutputValue) |execution\/shape/,
  ],
  [
    'query-plan execution (fetch inputs, merges)',
    /^(executeQueryPlan|executeNode|executeFetch|deepMerge|executeSelectionSet|flattenResultsAtPath|moveIntoCursor|sendOperation|applyRewrites) |execution\/(run|plan|merge)|fetch-sharing/,
  ],
  [
    'subgraph HTTP client',
    /RemoteGraphQLDataSource|minipass|make-fetch-happen|agent-base|@npmcli|node-fetch|undici|_http_client|_http_agent|data-sources|execution\/fetch/,
  ],
  [
    'parse / validate / plan lookup',
    /graphql\/(language|validation)|query-planner|operationContext|buildOperationContext|execution\/document/,
  ],
  ['depth / cost limits', /graphql-query-complexity|protection\/limits/],
  ['metrics (prom-client)', /prom-client|metrics\.ts/],
  ['tracing / async context', /@opentelemetry|tracing\.ts|async_hooks|AsyncLocalStorage/],
  ['logging', /pino|logger\.ts/],
  [
    'request pipeline (HTTP framework, GraphQL server)',
    /@apollo\/server|fastify|find-my-way|apollo-route|body-parser|express|negotiator|raw-body|type-is|@whatwg-node|graphql-yoga|@graphql-hive|@graphql-mesh|@graphql-tools|execution\/http/,
  ],
  [
    'network I/O (sockets, HTTP server)',
    /^(writev|writevGeneric|writeGeneric|onStreamRead|close) |stream_base_commons|_http_server|_http_outgoing|_http_incoming|_http_common|node:net|internal\/streams/,
  ],
  ['federation-internals (schema lookups)', /@apollo\/federation-internals/],
];
const FALLBACK = 'federation-internals (schema lookups)';
if (process.argv.includes('--categories')) {
  const cat = new Map<string, number>();
  p.samples.forEach((id, i) => {
    if (idle(byId.get(id)!)) return;
    // Schema lookups count for whoever called them (computeResponse, mostly); on their own only as a last resort.
    let name = 'other';
    let fallback: string | null = null;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      const hit = CATEGORIES.find(([, re]) => re.test(`${f.functionName} ${f.url}`));
      if (hit?.[0] === FALLBACK) fallback ??= FALLBACK;
      else if (hit) {
        name = hit[0];
        break;
      }
    }
    if (name === 'other' && fallback) name = fallback;
    add(cat, name, p.timeDeltas[i] ?? 0);
  });
  console.log('\nbusy time by category (innermost matching frame):');
  for (const [k, t] of [...cat].sort((a, b) => b[1] - a[1])) console.log(`${pct(t)}  ${k}`);
}
