/**
 * Small seeded PRNG used by every synthetic generator, so that the data sets (and therefore the trained
 * models and the reported metrics) are reproducible bit-for-bit from a seed.
 *
 * Uniforms: the SDK's mulberry32 (the one sequence every seeded generator in the platform shares).
 * Normals: Box-Muller (polar form not needed; we cache the second variate, so the sequence differs from the
 * SDK's seededRandom().normal(), which draws two uniforms per call: the trained models depend on this one).
 */
import { mulberry32 } from '@carbon-nexus/plugin-sdk/kit';

export class Rng {
  private readonly uniform01: () => number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.uniform01 = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uniform01();
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
