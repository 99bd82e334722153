// Seeded pseudo-random numbers for reproducible synthetic data (mock streams, seeded tests, training sets).
// mulberry32: 32-bit state, fast, good enough for simulation (not for anything secret).

/** Uniform [0, 1) numbers from `seed`; the same seed gives the same sequence everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeededRandom {
  /** Uniform [0, 1). */
  next(): number;
  /** Uniform [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** Standard normal (Box–Muller, one draw per call). */
  normal(): number;
  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T;
}

export function seededRandom(seed: number): SeededRandom {
  const next = mulberry32(seed);
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal: () => Math.sqrt(-2 * Math.log(Math.max(next(), 1e-12))) * Math.cos(2 * Math.PI * next()),
    pick(list) {
      if (!list.length) throw new Error('pick: the list is empty');
      return list[Math.floor(next() * list.length)];
    },
  };
}
