import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from '../src/index.ts';

// Signed independently here (the Standard Webhooks recipe), not with the server's code.
const secret = 'whsec_' + Buffer.from('partner-test-secret-32-bytes-long!').toString('base64');
function signed(body: string, id = 'msg_1', ts = Math.floor(Date.now() / 1000)) {
  const key = Buffer.from(secret.slice(6), 'base64');
  const sig = crypto.createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` };
}
const body = JSON.stringify({
  type: 'alert.raised',
  timestamp: '2026-11-27T00:00:00Z',
  data: { alert: { id: 'a1', cursor: '7' } },
});

describe('verifyWebhook', () => {
  it('returns the event for a valid signature (plain headers, fetch Headers, Buffer body)', () => {
    expect(verifyWebhook(secret, signed(body), body)).toEqual({
      id: 'msg_1',
      type: 'alert.raised',
      timestamp: '2026-11-27T00:00:00Z',
      data: { alert: { id: 'a1', cursor: '7' } },
    });
    expect(verifyWebhook(secret, new Headers(signed(body)), Buffer.from(body)).id).toBe('msg_1');
  });

  it('accepts any valid v1 signature among several (secret rotation)', () => {
    const h = signed(body);
    h['webhook-signature'] = `v1,${Buffer.alloc(32).toString('base64')} ${h['webhook-signature']}`;
    expect(verifyWebhook(secret, h, body).type).toBe('alert.raised');
  });

  it('refuses a modified body, another id, a wrong secret, missing headers and stale or future timestamps', () => {
    const h = signed(body);
    expect(() => verifyWebhook(secret, h, body.replace('a1', 'a2'))).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(secret, { ...h, 'webhook-id': 'msg_2' }, body)).toThrow(/no valid signature/);
    expect(() => verifyWebhook('whsec_' + Buffer.from('other').toString('base64'), h, body)).toThrow(
      /no valid signature/,
    );
    expect(() => verifyWebhook(secret, { 'webhook-id': 'x' }, body)).toThrow(/missing/);
    const old = signed(body, 'msg_1', Math.floor(Date.now() / 1000) - 301);
    expect(() => verifyWebhook(secret, old, body)).toThrow(/tolerance/);
    expect(verifyWebhook(secret, old, body, { toleranceSeconds: 600 }).id).toBe('msg_1');
    const future = signed(body, 'msg_1', Math.floor(Date.now() / 1000) + 400);
    expect(() => verifyWebhook(secret, future, body)).toThrow(/tolerance/);
  });
});
