// How far V8 lets the old generation grow past what survived its last full collection. Left to itself V8 picks the
// factor from how fast the program allocates, up to 4x: a gateway answering several hundred requests a second then
// holds a heap of mostly garbage several times its live data (bench/gateway-peers: peak RSS 1.3x plain Apollo's
// at 3.5x its throughput, with about the same live heap). A fixed factor trades some collection CPU for memory.
// V8 reads this flag whenever it sizes the heap after a collection, so setting it at start takes effect.
import v8 from 'node:v8';

/** GATEWAY_HEAP_GROWTH_PERCENT: growth past the live heap, percent (default 150, i.e. 2.5x); 0 leaves V8's own policy. */
export function heapGrowthFromEnv(env: Record<string, string | undefined>): number {
  const raw = (env.GATEWAY_HEAP_GROWTH_PERCENT ?? '').trim();
  if (raw === '') return 150;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 1000)
    throw new Error(`GATEWAY_HEAP_GROWTH_PERCENT: must be a whole number from 0 to 1000 (got "${raw}")`);
  return n;
}

let applied: number | null = null;

/** Applies the growth limit to this process (once; later gateways in the same process keep the first value). */
export function limitHeapGrowth(percent: number): void {
  if (applied !== null || percent === 0) return;
  applied = percent;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
