// Ridge regression by the normal equations (XᵀX + λI) β = Xᵀy, solved with Gaussian elimination
// (partial pivoting). The intercept (column 0) is not penalized.
export function ridgeFit(X: readonly (readonly number[])[], y: readonly number[], lambda: number): number[] {
  const p = X[0].length;
  const A = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  for (let r = 0; r < X.length; r++) {
    const x = X[r];
    for (let i = 0; i < p; i++) {
      A[i][p] += x[i] * y[r];
      for (let j = i; j < p; j++) A[i][j] += x[i] * x[j];
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) A[i][j] = A[j][i];
  for (let i = 1; i < p; i++) A[i][i] += lambda;
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    [A[c], A[piv]] = [A[piv], A[c]];
    const d = A[c][c];
    if (Math.abs(d) < 1e-12) throw new Error(`ridgeFit: singular system at column ${c}`);
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = A[r][c] / d;
      if (f === 0) continue;
      for (let k = c; k <= p; k++) A[r][k] -= f * A[c][k];
    }
  }
  return A.map((row, i) => row[p] / row[i]);
}
