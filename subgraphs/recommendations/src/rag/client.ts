// HTTP client for the external RAG service: one overall time budget per call (RAG_TIMEOUT_MS), retries with
// exponential backoff + jitter for transient failures inside that budget, response validation (zod), and a circuit
// breaker (opossum) that opens after N consecutive failed calls and lets one trial call through after a cool-down.
import CircuitBreaker from 'opossum';
import type { Logger, Metrics } from '@carbon-nexus/plugin-sdk';
import { ragResponseSchema, type RagRequest, type RagResponse } from './contract.ts';

export type RagOutcome = 'success' | 'empty' | 'timeout' | 'error' | 'malformed' | 'circuit_open';
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface RagResult {
  outcome: RagOutcome;
  response?: RagResponse;
  error?: string;
  attempts: number;
}

export interface RagClientOptions {
  url: string;
  apiKey?: string;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  breakerFailures: number;
  cooldownMs: number;
  logger: Logger;
  metrics: Metrics;
}

class RagError extends Error {
  constructor(
    readonly kind: 'timeout' | 'error' | 'malformed',
    message: string,
    readonly retryable: boolean,
    readonly attempts = 1,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RagClient {
  private breaker: CircuitBreaker<[RagRequest], { response: RagResponse; attempts: number }>;
  private consecutiveFailures = 0;
  private calls;
  private latency;
  private circuitGauge;

  constructor(private opts: RagClientOptions) {
    this.calls = opts.metrics.counter(
      'recommendations_rag_calls_total',
      'Calls to the external RAG service by outcome',
      ['outcome'],
    );
    this.latency = opts.metrics.histogram(
      'recommendations_rag_call_seconds',
      'RAG call duration including retries',
      ['outcome'],
      [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    );
    this.circuitGauge = opts.metrics.gauge(
      'recommendations_rag_circuit_state',
      'RAG circuit: 0 closed, 1 half-open, 2 open',
    );
    this.breaker = new CircuitBreaker((req: RagRequest) => this.callWithRetries(req), {
      // Time budget and retries are ours (callWithRetries); opossum only counts and gates.
      timeout: false,
      resetTimeout: opts.cooldownMs,
      // Never open on an error percentage: we open on N consecutive failures (below).
      errorThresholdPercentage: 100,
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      rollingCountTimeout: 60_000,
    });
    this.breaker.on('success', () => {
      this.consecutiveFailures = 0;
    });
    this.breaker.on('failure', () => {
      this.consecutiveFailures++;
      if (this.consecutiveFailures >= opts.breakerFailures && !this.breaker.opened) this.breaker.open();
    });
    this.breaker.on('open', () => {
      this.circuitGauge.set(2);
      opts.logger.warn(
        { consecutiveFailures: this.consecutiveFailures, cooldownMs: opts.cooldownMs },
        'recommendations: RAG circuit opened; using local retrieval until the cool-down ends',
      );
    });
    this.breaker.on('halfOpen', () => {
      this.circuitGauge.set(1);
      opts.logger.info('recommendations: RAG circuit half-open; next call is a trial');
    });
    this.breaker.on('close', () => {
      this.consecutiveFailures = 0;
      this.circuitGauge.set(0);
      opts.logger.info('recommendations: RAG circuit closed');
    });
    this.circuitGauge.set(0);
  }

  get state(): CircuitState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half_open';
    return 'closed';
  }

  /** Never throws: the outcome tells the caller whether to fall back. */
  async analyse(req: RagRequest): Promise<RagResult> {
    const t = performance.now();
    let result: RagResult;
    try {
      const r = await this.breaker.fire(req);
      result = r.response.actions.length
        ? { outcome: 'success', response: r.response, attempts: r.attempts }
        : { outcome: 'empty', response: r.response, attempts: r.attempts };
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code === 'EOPENBREAKER') result = { outcome: 'circuit_open', error: 'circuit open', attempts: 0 };
      else if (err instanceof RagError) result = { outcome: err.kind, error: err.message, attempts: err.attempts };
      else result = { outcome: 'error', error: e.message, attempts: 1 };
    }
    this.calls.inc({ outcome: result.outcome });
    this.latency.observe({ outcome: result.outcome }, (performance.now() - t) / 1000);
    if (result.outcome === 'malformed') {
      this.opts.logger.warn(
        { url: this.opts.url, error: result.error },
        'recommendations: RAG answer malformed; falling back to local retrieval',
      );
    } else if (result.outcome !== 'success' && result.outcome !== 'circuit_open') {
      this.opts.logger.warn(
        { url: this.opts.url, outcome: result.outcome, error: result.error, attempts: result.attempts },
        'recommendations: RAG call failed; falling back to local retrieval',
      );
    }
    return result;
  }

  private async callWithRetries(req: RagRequest): Promise<{ response: RagResponse; attempts: number }> {
    const deadline = Date.now() + this.opts.timeoutMs;
    let attempt = 0;
    for (;;) {
      attempt++;
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new RagError('timeout', `no answer within ${this.opts.timeoutMs} ms`, false, attempt - 1);
      try {
        return { response: await this.attemptOnce(req, remaining), attempts: attempt };
      } catch (err) {
        const e = err instanceof RagError ? err : new RagError('error', (err as Error).message, true);
        if (!e.retryable || attempt > this.opts.retries) throw new RagError(e.kind, e.message, false, attempt);
        const backoff = this.opts.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() * 0.5);
        const left = deadline - Date.now();
        if (left <= backoff) throw new RagError(e.kind, e.message, false, attempt);
        await sleep(backoff);
      }
    }
  }

  private async attemptOnce(req: RagRequest, budgetMs: number): Promise<RagResponse> {
    let res: Response;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    const signal = AbortSignal.timeout(budgetMs);
    let text: string;
    try {
      res = await fetch(this.opts.url, { method: 'POST', headers, body: JSON.stringify(req), signal });
      text = await res.text();
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        throw new RagError('timeout', `no answer within ${this.opts.timeoutMs} ms`, false);
      throw new RagError(
        'error',
        `request failed: ${(e.cause as { code?: string } | undefined)?.code ?? e.message}`,
        true,
      );
    }
    if (res.status >= 500 || res.status === 429) throw new RagError('error', `HTTP ${res.status}`, true);
    if (!res.ok) throw new RagError('error', `HTTP ${res.status}`, false);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new RagError('malformed', `answer is not JSON (${text.slice(0, 80)})`, false);
    }
    const parsed = ragResponseSchema.safeParse(body);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new RagError(
        'malformed',
        `answer does not match the contract: ${i.path.join('.') || '(root)'}: ${i.message}`,
        false,
      );
    }
    return parsed.data;
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
