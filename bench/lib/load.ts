// Closed-loop HTTP load with autocannon (bounded by duration), on loopback only.
import autocannon from 'autocannon';

export interface LoadResult {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  /** Transport errors, timeouts included (autocannon's 10 s default). */
  errors: number;
  timeouts: number;
  /** 2xx answers whose body carries GraphQL errors. */
  graphqlErrors: number;
  non2xx: number;
  requests: number;
  /** CPU time per completed request (ms) of the measured processes, when the benchmark took it. */
  cpuMsPerRequest?: { gateway: number; subgraphs: number | null };
}

export async function graphqlLoad(
  label: string,
  url: string,
  opts: {
    query: string;
    /** Draws 64 variable sets, cycled: like real traffic, some requests may repeat others. */
    variables?: () => Record<string, unknown>;
    /** Or exactly these variable sets, cycled in this order. */
    pool?: readonly Record<string, unknown>[];
    connections?: number;
    seconds?: number;
    headers?: Record<string, string>;
  },
): Promise<LoadResult> {
  const sets = opts.pool ?? Array.from({ length: 64 }, () => opts.variables!());
  const bodies = sets.map((v) => JSON.stringify({ query: opts.query, variables: v }));
  let i = 0;
  let graphqlErrors = 0;
  const r = await autocannon({
    url,
    method: 'POST',
    connections: opts.connections ?? 50,
    duration: opts.seconds ?? 10,
    headers: { 'content-type': 'application/json', ...(opts.headers ?? {}) },
    requests: [
      {
        setupRequest: (req: any) => ({ ...req, body: bodies[i++ % bodies.length] }),
        onResponse: (status: number, body: string) => {
          if (status < 300 && body.includes('"errors"')) graphqlErrors++;
        },
      },
    ],
  });
  return {
    label,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors, // autocannon counts each timeout as an error too
    timeouts: r.timeouts,
    graphqlErrors,
    non2xx: r.non2xx,
    requests: r.requests.total,
  };
}

export function table(rows: LoadResult[], baseline: LoadResult): string {
  const cpu = rows.some((r) => r.cpuMsPerRequest);
  const lines = [
    `| topology | req/s | p50 ms | p99 ms | errors |${cpu ? ' CPU ms/request: gateway + subgraphs |' : ''} vs baseline |`,
    `|---|---:|---:|---:|---:|${cpu ? '---:|' : ''}---:|`,
  ];
  for (const r of rows) {
    const c = r.cpuMsPerRequest;
    const cpuCell = !cpu
      ? ''
      : c
        ? ` ${c.subgraphs === null ? `${c.gateway.toFixed(1)} (all in one process)` : `${c.gateway.toFixed(1)} + ${c.subgraphs.toFixed(1)} = ${(c.gateway + c.subgraphs).toFixed(1)}`} |`
        : ' – |';
    lines.push(
      `| ${r.label} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors + r.non2xx + r.graphqlErrors} |${cpuCell} ${(r.rps / baseline.rps).toFixed(2)}x |`,
    );
  }
  return lines.join('\n');
}
