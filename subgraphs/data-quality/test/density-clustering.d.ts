declare module 'density-clustering' {
  export class DBSCAN {
    run(
      dataset: number[][],
      epsilon: number,
      minPts: number,
      distance?: (a: number[], b: number[]) => number,
    ): number[][];
    noise: number[];
  }
}
