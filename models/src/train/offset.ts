/**
 * Physics-informed offsets: the trees learn ln(kg) − ln(offset(x)), where offset(x) is a known structural part of
 * the emission — an exposure (distance_km, area_m2) or a sum of products (units × kWh/unit × grid factor + gas m3 ×
 * 2.04 …). Trees are good at smooth corrections and poor at products spanning several orders of magnitude; the
 * ONNX graph adds ln(offset(x)) back before Exp, so the artifact stays self-contained.
 *
 * Explanations: ln(offset(x)) − ln(offset(ref)) is split over the offset's features with exact Shapley values of
 * g(S) = ln offset(x_S, ref_rest) (at most a handful of features, so 2^k evaluations), and added to the trees' SHAP
 * values — contributions stay additive and exact.
 */
export interface OffsetTerm {
  coef: number;
  /** Feature names multiplied together. */
  features: string[];
}

export interface OffsetSpec {
  /** Added to the sum (keeps ln() finite when every term is 0). */
  constant: number;
  terms: OffsetTerm[];
  /** Reference feature values (the "expected" point of explanations). */
  reference: Record<string, number>;
}

export interface CompiledOffset {
  spec: OffsetSpec;
  /** Column indexes of the features the offset uses, in first-use order. */
  features: number[];
  value(x: ArrayLike<number>, base?: number): number;
  /** ln(offset(ref)). */
  refLog: number;
  /** Per-column Shapley split of ln offset(x) − refLog (zeros for columns not in the offset). */
  phi(x: ArrayLike<number>, base?: number, out?: Float64Array): Float64Array;
}

export function compileOffset(spec: OffsetSpec, names: string[]): CompiledOffset {
  const col = (f: string) => {
    const j = names.indexOf(f);
    if (j < 0) throw new Error(`offset feature ${f} is not a model feature (${names.join(', ')})`);
    return j;
  };
  const terms = spec.terms.map((t) => ({ coef: t.coef, cols: t.features.map(col) }));
  const features = [...new Set(terms.flatMap((t) => t.cols))];
  const ref = names.map((n) => spec.reference[n] ?? 0);
  const F = names.length;
  const evalAt = (get: (j: number) => number) => {
    let s = spec.constant;
    for (const t of terms) {
      let p = t.coef;
      for (const j of t.cols) p *= get(j);
      s += p;
    }
    return s;
  };
  const refLog = Math.log(evalAt((j) => ref[j]!));
  const k = features.length;
  // Shapley weights |S|!(k−|S|−1)!/k!
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const weight = Array.from({ length: k }, (_, s) => (fact(s) * fact(k - s - 1)) / fact(k));
  return {
    spec,
    features,
    refLog,
    value: (x, base = 0) => evalAt((j) => x[base + j]!),
    phi(x, base = 0, out = new Float64Array(F)) {
      out.fill(0);
      if (k === 1) {
        out[features[0]!] = Math.log(evalAt((j) => x[base + j]!)) - refLog;
        return out;
      }
      const g = new Float64Array(1 << k);
      for (let mask = 0; mask < 1 << k; mask++) {
        g[mask] = Math.log(
          evalAt((j) => {
            const i = features.indexOf(j);
            return mask & (1 << i) ? x[base + j]! : ref[j]!;
          }),
        );
      }
      for (let i = 0; i < k; i++) {
        let v = 0;
        for (let mask = 0; mask < 1 << k; mask++) {
          if (mask & (1 << i)) continue;
          let size = 0;
          for (let b = mask; b; b &= b - 1) size++;
          v += weight[size]! * (g[mask | (1 << i)]! - g[mask]!);
        }
        out[features[i]!] = v;
      }
      return out;
    },
  };
}

/** The single-feature exposure offset (ln of one feature) in the general form. */
export function exposureOffset(feature: string, meanLog: number): OffsetSpec {
  return { constant: 0, terms: [{ coef: 1, features: [feature] }], reference: { [feature]: Math.exp(meanLog) } };
}
