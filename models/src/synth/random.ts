/**
 * Small seeded PRNG used by every synthetic generator, so that the data sets (and therefore the trained
 * models and the reported metrics) are reproducible bit-for-bit from a seed.
 *
 * mulberry32: 32-bit state, period 2^32, passes the usual smoke tests; good enough for synthetic data.
 * Normals: Box-Muller (polar form not needed; we cache the second variate).
 */
export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Log-uniform in [lo, hi] (lo > 0): spreads samples evenly over orders of magnitude. */
  logUniform(lo: number, hi: number): number {
    return Math.exp(this.uniform(Math.log(lo), Math.log(hi)));
  }

  int(lo: number, hiInclusive: number): number {
    return lo + Math.floor(this.next() * (hiInclusive - lo + 1));
  }

  bernoulli(p: number): number {
    return this.next() < p ? 1 : 0;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Standard normal via Box-Muller. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Normal clipped to ±k standard deviations (keeps multiplicative noise strictly positive). */
  clippedNormal(k = 3): number {
    const z = this.normal();
    return z > k ? k : z < -k ? -k : z;
  }
}

export function rng(seed: number): Rng {
  return new Rng(seed);
}
