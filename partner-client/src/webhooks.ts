// Verifies Carbon Nexus webhook deliveries (Standard Webhooks: webhook-id, webhook-timestamp,
// webhook-signature = space-separated "v1,<base64 HMAC-SHA256(secret, id.timestamp.body)>").
import crypto from 'node:crypto';

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

export interface VerifyOptions {
  /** Accepted clock difference, seconds (default 300): older or future-dated deliveries are refused (replay attacks). */
  toleranceSeconds?: number;
  /** Current time in ms (tests). */
  now?: number;
}

export interface WebhookEvent<T = Record<string, unknown>> {
  /** The delivery id (webhook-id): identical across retries and replays — deduplicate on it. */
  id: string;
  type: string;
  timestamp: string;
  data: T;
}

type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(headers: Headers, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function')
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const h = headers as Record<string, string | string[] | undefined>;
  const v = h[name] ?? h[name.toLowerCase()] ?? Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(v) ? v[0] : v;
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/**
 * Verifies a delivery and returns its parsed event; throws WebhookVerificationError otherwise.
 * `body` must be the raw request body exactly as received (string or bytes), not re-serialised JSON.
 */
export function verifyWebhook<T = Record<string, unknown>>(
  secret: string,
  headers: Headers,
  body: string | Uint8Array,
  opts: VerifyOptions = {},
): WebhookEvent<T> {
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sig = header(headers, 'webhook-signature');
  if (!id || !ts || !sig)
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  if (!/^\d+$/.test(ts)) throw new WebhookVerificationError('webhook-timestamp is not a unix timestamp');
  const tolerance = opts.toleranceSeconds ?? 300;
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  const timestamp = Number(ts);
  if (Math.abs(now - timestamp) > tolerance)
    throw new WebhookVerificationError(`webhook-timestamp is outside the ${tolerance} s tolerance`);
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const expected = crypto.createHmac('sha256', secretBytes(secret)).update(`${id}.${ts}.${text}`).digest();
  // Several signatures may be present (secret rotation): any valid v1 one is enough.
  const ok = sig.split(' ').some((part) => {
    const [version, value] = part.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
  if (!ok) throw new WebhookVerificationError('no valid signature: wrong secret or modified body');
  let parsed: { type: string; timestamp: string; data: T };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WebhookVerificationError('body is not JSON');
  }
  return { id, type: parsed.type, timestamp: parsed.timestamp, data: parsed.data };
}
