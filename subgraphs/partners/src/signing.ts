// Standard Webhooks signatures (https://www.standardwebhooks.com):
//   webhook-id: <delivery id>   webhook-timestamp: <unix seconds>
//   webhook-signature: v1,<base64 HMAC-SHA256(secret bytes, "<id>.<timestamp>.<body>")>
// Secrets are "whsec_" + base64 of 32 random bytes. At rest they may be encrypted with AES-256-GCM.
import crypto from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

export function newSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(32).toString('base64');
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const mac = crypto.createHmac('sha256', secretBytes(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function signedHeaders(secret: string, id: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign(secret, id, timestamp, body),
    'user-agent': 'carbon-nexus-webhooks/1',
  };
}

/** Encrypts secrets at rest when a key (any string; SHA-256 derived) is configured. */
export function secretCodec(key: string | undefined) {
  const k = key ? crypto.createHash('sha256').update(key).digest() : null;
  return {
    seal(secret: string): string {
      if (!k) return secret;
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', k, iv);
      const enc = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
      return `enc:v1:${Buffer.concat([iv, c.getAuthTag(), enc]).toString('base64')}`;
    },
    open(stored: string): string {
      if (!stored.startsWith('enc:v1:')) return stored;
      if (!k) throw new Error('webhook secret is encrypted but WEBHOOK_ENCRYPTION_KEY is not set');
      const raw = Buffer.from(stored.slice(7), 'base64');
      const d = crypto.createDecipheriv('aes-256-gcm', k, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

/** Exponential backoff with jitter: base·2^(attempt−1), capped, scaled by a random factor in [0.5, 1). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.5 + random() * 0.5));
}
