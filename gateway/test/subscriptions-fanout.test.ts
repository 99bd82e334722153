// The fan-out pieces on their own: bounded client buffers (slow-consumer policy) and the shared source.
import { describe, expect, it } from 'vitest';
import type { ExecutionResult } from 'graphql';
import { SharedSource, Subscriber } from '../src/subscriptions/index.ts';

const ev = (n: number): ExecutionResult => ({ data: { n } });

describe('slow consumers', () => {
  it('drops the oldest events beyond the buffer and flags the next delivered event', async () => {
    let dropped = 0;
    const sub = new Subscriber(
      3,
      () => undefined,
      (n) => (dropped += n),
    );
    for (let i = 1; i <= 5; i++) sub.push(ev(i));
    expect(sub.buffered).toBe(3);
    expect(dropped).toBe(2);
    const first = await sub.next();
    expect(first.value).toEqual({ data: { n: 3 }, extensions: { slowConsumer: { dropped: 2, bufferSize: 3 } } });
    expect((await sub.next()).value).toEqual({ data: { n: 4 } });
    sub.push(ev(6));
    expect((await sub.next()).value).toEqual({ data: { n: 5 } });
    expect((await sub.next()).value).toEqual({ data: { n: 6 } });
    sub.end();
    expect((await sub.next()).done).toBe(true);
  });
});

describe('shared source', () => {
  it('opens the upstream once for several subscribers, completes each event once, and closes with the last subscriber', async () => {
    let opened = 0;
    let returned = 0;
    let completions = 0;
    const queue: ExecutionResult[] = [];
    let wake: (() => void) | null = null;
    const upstream: AsyncIterator<ExecutionResult> = {
      async next() {
        while (!queue.length && !returned) await new Promise<void>((r) => (wake = r));
        return returned ? { done: true, value: undefined } : { done: false, value: queue.shift()! };
      },
      async return() {
        returned++;
        wake?.();
        return { done: true, value: undefined };
      },
    };
    let closed = false;
    const source = new SharedSource('k', {
      maxBatch: 10,
      coalesceMs: 5,
      open: async () => {
        opened++;
        return upstream;
      },
      complete: async (events) => {
        completions++;
        return events.map((e) => ({ data: { ...(e.data as object), completed: true } }));
      },
      onClosed: () => (closed = true),
      onError: () => undefined,
    });
    const subs = [0, 1, 2].map(() => new Subscriber(100, (s) => source.remove(s)));
    subs.forEach((s) => source.add(s));
    await new Promise((r) => setTimeout(r, 10));
    for (let i = 1; i <= 4; i++) queue.push(ev(i));
    (wake as (() => void) | null)?.();
    for (const s of subs) {
      const got = [];
      for (let i = 0; i < 4; i++) got.push((await s.next()).value);
      expect(got).toEqual([1, 2, 3, 4].map((n) => ({ data: { n, completed: true } })));
    }
    expect(opened).toBe(1);
    // Four events that arrived together were completed in fewer calls than events.
    expect(completions).toBeLessThan(4);
    expect(source.events).toBe(4);
    await subs[0].return();
    await subs[1].return();
    expect(closed).toBe(false);
    await subs[2].return();
    expect(closed).toBe(true);
    expect(returned).toBe(1);
  });
});
