// One upstream subscription shared by every identical client subscription (same document, variables
// and auth scope), fanned out to per-client bounded buffers.
// Errors pushed to clients are real GraphQLError instances: graphql-ws serialises them with toJSON().
import { GraphQLError, type ExecutionResult } from 'graphql';
import { describeNetworkError } from '@carbon-nexus/plugin-sdk';

/** Slow-consumer policy: when a client's buffer is full the OLDEST event is dropped; the next event
 *  delivered to that client carries `extensions.slowConsumer = { dropped, bufferSize }`. */
export class Subscriber implements AsyncIterableIterator<ExecutionResult> {
  private queue: ExecutionResult[] = [];
  private wake: (() => void) | null = null;
  private done = false;
  private dropped = 0;
  /** Events dropped for this subscriber since it started. */
  droppedTotal = 0;

  constructor(
    private readonly bufferSize: number,
    private readonly onReturn: (s: Subscriber) => void,
    private readonly onDrop?: (n: number) => void,
  ) {}

  push(result: ExecutionResult): void {
    if (this.done) return;
    this.queue.push(result);
    if (this.queue.length > this.bufferSize) {
      this.queue.shift();
      this.dropped++;
      this.droppedTotal++;
      this.onDrop?.(1);
    }
    this.wakeUp();
  }

  /** Ends the stream after what is buffered has been read. */
  end(): void {
    this.done = true;
    this.wakeUp();
  }

  get buffered(): number {
    return this.queue.length;
  }

  private wakeUp() {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    while (!this.queue.length && !this.done) await new Promise<void>((r) => (this.wake = r));
    const value = this.queue.shift();
    if (value === undefined) {
      this.finishOnce();
      return { value: undefined, done: true };
    }
    if (this.dropped) {
      const dropped = this.dropped;
      this.dropped = 0;
      return {
        value: {
          ...value,
          extensions: { ...(value.extensions ?? {}), slowConsumer: { dropped, bufferSize: this.bufferSize } },
        },
        done: false,
      };
    }
    return { value, done: false };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.done || this.queue.length) {
      this.done = true;
      this.queue = [];
    }
    this.wakeUp();
    this.finishOnce();
    return { value: undefined, done: true };
  }

  private finished = false;
  private finishOnce() {
    if (this.finished) return;
    this.finished = true;
    this.onReturn(this);
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

export interface SourceHooks {
  /** The subgraph the upstream subscription runs on (named in errors; its address never is). */
  subgraph?: string;
  /** Opens the upstream subscription (primary fetch). */
  open(): Promise<AsyncIterator<ExecutionResult> | ExecutionResult>;
  /** Completes a batch of upstream events with the rest of the plan, in order. */
  complete(events: ExecutionResult[]): Promise<ExecutionResult[]>;
  onClosed(): void;
  onError(err: unknown): void;
  /** Upper bound on events completed together. */
  maxBatch: number;
  /** How long the first event of a batch waits for others to join it (ms; 0 = next tick). */
  coalesceMs: number;
}

/** Upstream events are queued while a batch is being completed, so bursts are coalesced into batches. */
export class SharedSource {
  readonly subscribers = new Set<Subscriber>();
  private upstream: AsyncIterator<ExecutionResult> | null = null;
  private pending: ExecutionResult[] = [];
  private draining: Promise<void> | null = null;
  private closed = false;
  private started = false;
  /** Batches completed / events seen (for tests and metrics). */
  batches = 0;
  events = 0;

  constructor(
    readonly key: string,
    private readonly hooks: SourceHooks,
  ) {}

  add(sub: Subscriber): void {
    this.subscribers.add(sub);
    if (!this.started) {
      this.started = true;
      void this.run();
    }
  }

  remove(sub: Subscriber): void {
    this.subscribers.delete(sub);
    if (!this.subscribers.size) void this.close();
  }

  private async run(): Promise<void> {
    try {
      const opened = await this.hooks.open();
      if (this.closed) {
        if (isIterator(opened)) await opened.return?.();
        return;
      }
      if (!isIterator(opened)) {
        // The subgraph refused the subscription (validation, auth): every subscriber gets the error.
        this.pending.push(opened);
        await this.drain();
        this.finish();
        return;
      }
      this.upstream = opened;
      for (;;) {
        const r = await opened.next();
        if (r.done || this.closed) break;
        this.events++;
        this.pending.push(r.value);
        this.kick();
      }
      while (this.draining) await this.draining;
    } catch (err) {
      this.hooks.onError(err);
      if (!this.closed) {
        while (this.draining) await this.draining;
        const error = upstreamLost(err, this.hooks.subgraph);
        for (const s of this.subscribers) s.push({ errors: [error] });
      }
    }
    this.finish();
  }

  private kick(): void {
    if (this.draining || !this.pending.length || this.closed) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    // Coalesce: events that arrive within the window are completed together (one entity fetch per plan node).
    await new Promise((r) => (this.hooks.coalesceMs > 0 ? setTimeout(r, this.hooks.coalesceMs) : setImmediate(r)));
    while (this.pending.length && !this.closed) {
      const batch = this.pending.splice(0, this.hooks.maxBatch);
      let results: ExecutionResult[];
      try {
        results = await this.hooks.complete(batch);
      } catch (err) {
        this.hooks.onError(err);
        const reason = describeNetworkError(err, 'a subgraph');
        results = batch.map(() => ({
          errors: [
            new GraphQLError(`could not complete the event: ${reason}`, {
              extensions: { code: 'INTERNAL_SERVER_ERROR' },
            }),
          ],
        }));
      }
      this.batches++;
      for (const r of results) {
        const out = withGraphQLErrors(r);
        for (const s of this.subscribers) s.push(out);
      }
    }
  }

  private finish() {
    for (const s of this.subscribers) s.end();
    void this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hooks.onClosed();
    for (const s of this.subscribers) s.end();
    const up = this.upstream;
    this.upstream = null;
    await up?.return?.().catch(() => undefined);
  }
}

/**
 * The documented error for a lost upstream: code UPSTREAM_LOST; clients resubscribe (cursor streams resume with
 * `after`). graphql-ws rejects a lost socket with its CloseEvent (not an Error): its code and reason are kept.
 */
export function upstreamLost(err: unknown, subgraph?: string): GraphQLError {
  const name = subgraph ? `subgraph "${subgraph}"` : 'the subgraph';
  const e = err as { code?: unknown; reason?: unknown; message?: unknown } | null;
  let reason: string;
  if (e && typeof e === 'object' && typeof e.code === 'number' && !(err instanceof Error)) {
    reason = `connection closed (code ${e.code}${typeof e.reason === 'string' && e.reason ? `: ${e.reason}` : ''})`;
  } else reason = describeNetworkError(err, name);
  return new GraphQLError(`upstream subscription ended: ${name}: ${reason}; subscribe again`, {
    extensions: { code: 'UPSTREAM_LOST', ...(subgraph ? { serviceName: subgraph } : {}) },
  });
}

/** Errors that came over the wire (a remote subgraph's JSON) become GraphQLError instances, once per event. */
export function withGraphQLErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length || result.errors.every((e) => e instanceof GraphQLError)) return result;
  return {
    ...result,
    errors: result.errors.map((e) => {
      if (e instanceof GraphQLError) return e;
      const plain = e as {
        message?: unknown;
        path?: readonly (string | number)[];
        extensions?: Record<string, unknown>;
      };
      return new GraphQLError(typeof plain.message === 'string' ? plain.message : 'subgraph error', {
        path: plain.path,
        extensions: plain.extensions,
      });
    }),
  };
}

function isIterator(x: unknown): x is AsyncIterator<ExecutionResult> {
  return !!x && typeof (x as AsyncIterator<unknown>).next === 'function';
}
