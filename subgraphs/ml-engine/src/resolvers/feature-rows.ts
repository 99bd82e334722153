// predict / predictBatch input: [[{name, value}]] → one Float32Array in the model card's feature order.
import type { Batch } from '../engine/inference.ts';
import { inputError } from '../engine/inference.ts';
import type { EngineModel, ValidationError } from '../engine/models-adapter.ts';

/**
 * Unknown and repeated names are errors naming the feature (and row); absent or null values become NaN and are
 * reported as missing by the engine.
 */
export function toBatch(
  m: EngineModel,
  rows: readonly (readonly { name: string; value?: number | null }[])[],
  single: boolean,
): Batch {
  const F = m.featureNames.length;
  const index = m.nameIndex;
  const X = new Float32Array(rows.length * F).fill(NaN);
  const errors: ValidationError[] = [];
  const seen = new Uint8Array(F);
  for (let i = 0; i < rows.length; i++) {
    seen.fill(0);
    const r = rows[i]!;
    for (let k = 0; k < r.length; k++) {
      const f = r[k]!;
      // fast path: features listed in card order
      const j = k < F && m.featureNames[k] === f.name ? k : index.get(f.name);
      const row = single ? {} : { row: i };
      if (j === undefined) {
        const message = `${f.name} is not a feature of model ${m.graph} (expected: ${m.featureNames.join(', ')})`;
        errors.push({ feature: f.name, code: 'unknown_feature', message, ...row });
        continue;
      }
      if (seen[j]) {
        errors.push({ feature: f.name, code: 'unknown_feature', message: `${f.name} is given more than once`, ...row });
        continue;
      }
      seen[j] = 1;
      X[i * F + j] = f.value ?? NaN;
    }
    if (errors.length >= 50) break;
  }
  if (errors.length) throw inputError(m.graph, errors);
  return { X, n: rows.length };
}
