// Streams end when the caller's token does: WebSocket close 4401, SSE a final error event.
import type { AuthClaims } from '@carbon-nexus/plugin-sdk';

/** WebSocket close code and reason when the connection's token expires (or is invalid at connect). */
export const CLOSE_TOKEN_EXPIRED = 4401;

// setTimeout's ceiling (~24.8 days): longer-lived tokens are re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs `onExpire` when the token's `exp` passes (nothing when it has none); returns a cancel function. */
export function armExpiry(auth: AuthClaims | null, onExpire: () => void): (() => void) | undefined {
  if (!auth?.exp) return undefined;
  let t: NodeJS.Timeout;
  const arm = () => {
    const ms = auth.exp! * 1000 - Date.now();
    t = setTimeout(() => (ms > MAX_TIMER_MS ? arm() : onExpire()), Math.max(0, Math.min(ms, MAX_TIMER_MS)));
  };
  arm();
  return () => clearTimeout(t);
}

/** WebSocket close reasons are limited to 123 bytes. */
export function closeReason(message: string): string {
  return Buffer.byteLength(message) <= 123 ? message : Buffer.from(message).subarray(0, 120).toString() + '...';
}
