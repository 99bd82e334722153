// (In bench/tools: a diagnostic, not a benchmark.)
// bench/tools/profile-top: where a .cpuprofile (V8 format, from profile-load or node --cpu-prof) spends its time:
// top functions by self time, self time by package (node_modules/<pkg>, ours by folder, node internals), and the
// total time under selected frames (inclusive), as shares of the profile's busy (non-idle) samples.
//   npx tsx bench/tools/profile-top.ts FILE [--top 30] [--under executeQueryPlan,computeResponse,…]
import fs from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[] }

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
  const ours = /\/work\/main\/([^/]+(?:\/[^/]+)?)\//.exec(url) ?? /\/(gateway|plugin-sdk|bench|subgraphs)\/(src\/[^/]+|[^/]+)/.exec(url);
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
console.log(`profile ${file}: ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (${((100 * busy) / total).toFixed(0)} %)`);
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
