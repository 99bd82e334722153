/**
 * Bounded polling for asynchronous outcomes (bus deliveries, jobs): resolves with the first truthy value `probe`
 * returns, or fails naming `what` and the last error seen. It waits for an outcome; it asserts no timing.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  /** Between probes; a probe that asks a whole product (GraphQL over HTTP) wants more than the default 20 ms. */
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
