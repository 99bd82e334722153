// DBSCAN (Ester et al. 1996) with a uniform grid index: cells of side eps, so every eps-neighbour of a point
// lies in its own or one of the 3^d adjacent cells. Labels: cluster ids 0..n-1, NOISE (-1) for outliers.
import { median } from './iqr.ts';

export const NOISE = -1;

export interface DbscanResult {
  labels: number[];
  clusters: number;
  noise: number[];
}

export function dbscan(points: readonly (readonly number[])[], eps: number, minPts: number): DbscanResult {
  if (!(eps > 0)) throw new Error(`dbscan: eps must be > 0 (got ${eps})`);
  if (!(minPts >= 1)) throw new Error(`dbscan: minPts must be ≥ 1 (got ${minPts})`);
  const n = points.length;
  const dim = n ? points[0].length : 0;
  const eps2 = eps * eps;
  const cellOf = (p: readonly number[]) => p.map((x) => Math.floor(x / eps));
  const grid = new Map<string, number[]>();
  const cells: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = cellOf(points[i]);
    cells[i] = c;
    const key = c.join(',');
    let list = grid.get(key);
    if (!list) grid.set(key, (list = []));
    list.push(i);
  }
  // Offsets of the 3^d neighbouring cells.
  const offsets: number[][] = [[]];
  for (let d = 0; d < dim; d++) {
    const next: number[][] = [];
    for (const o of offsets) for (const s of [-1, 0, 1]) next.push([...o, s]);
    offsets.splice(0, offsets.length, ...next);
  }
  const neighbours = (i: number): number[] => {
    const out: number[] = [];
    const p = points[i];
    const c = cells[i];
    for (const o of offsets) {
      const list = grid.get(c.map((x, d) => x + o[d]).join(','));
      if (!list) continue;
      for (const j of list) {
        const q = points[j];
        let s = 0;
        for (let d = 0; d < dim; d++) {
          const diff = p[d] - q[d];
          s += diff * diff;
        }
        if (s <= eps2) out.push(j);
      }
    }
    return out;
  };

  const UNVISITED = -2;
  const labels = new Array<number>(n).fill(UNVISITED);
  let cluster = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== UNVISITED) continue;
    const nb = neighbours(i);
    if (nb.length < minPts) {
      labels[i] = NOISE;
      continue;
    }
    const id = cluster++;
    labels[i] = id;
    const queue = nb.filter((j) => j !== i);
    for (let qi = 0; qi < queue.length; qi++) {
      const j = queue[qi];
      if (labels[j] === NOISE) labels[j] = id; // border point
      if (labels[j] !== UNVISITED) continue;
      labels[j] = id;
      const nbj = neighbours(j);
      if (nbj.length >= minPts) for (const k of nbj) if (labels[k] === UNVISITED || labels[k] === NOISE) queue.push(k);
    }
  }
  const noise: number[] = [];
  labels.forEach((l, i) => l === NOISE && noise.push(i));
  return { labels, clusters: cluster, noise };
}

/**
 * Robust standardization per column: (x − median) / max(1.4826 · MAD, floor[column]) — the same spread floor the
 * IQR fences use, so columns that are (almost) constant do not turn floating-point noise into large z values;
 * without a floor, a zero MAD falls back to the standard deviation and then to 1. Non-finite inputs become 0.
 */
export function robustStandardize(rows: readonly (readonly number[])[], floors: readonly number[] = []): number[][] {
  if (!rows.length) return [];
  const dim = rows[0].length;
  const centre: number[] = [];
  const scale: number[] = [];
  for (let d = 0; d < dim; d++) {
    const col = rows.map((r) => r[d]).filter(Number.isFinite);
    const med = col.length ? median(col) : 0;
    const mad = col.length ? median(col.map((x) => Math.abs(x - med))) * 1.4826 : 0;
    let s = Math.max(mad, floors[d] ?? 0);
    if (!(s > 0) && col.length > 1) {
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      s = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / (col.length - 1));
    }
    centre.push(med);
    scale.push(s > 0 ? s : 1);
  }
  return rows.map((r) => r.map((x, d) => (Number.isFinite(x) ? (x - centre[d]) / scale[d] : 0)));
}
