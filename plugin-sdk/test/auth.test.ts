import { describe, it, expect } from 'vitest';
import * as jose from 'jose';
import {
  createTokenVerifier,
  signDevToken,
  requireRole,
  canSeeSupplier,
  claimsFromPayload,
  DEV_JWT_SECRET,
} from '@carbon-nexus/plugin-sdk';

describe('auth', () => {
  const verify = createTokenVerifier({ secret: DEV_JWT_SECRET });

  it('verifies a dev token and maps roles and supplier scope', async () => {
    const token = await signDevToken({ sub: 'alice', roles: ['approver'], supplierIds: ['s1'] });
    const claims = await verify(token);
    expect(claims).toMatchObject({ sub: 'alice', roles: ['approver'], supplierIds: ['s1'] });
    expect(claims.token).toBe(token);
  });

  it('rejects a token signed with another secret and an expired one', async () => {
    const other = await signDevToken({ roles: ['admin'] }, 'another-secret-that-is-long-enough');
    await expect(verify(other)).rejects.toThrow(/signature/);
    const expired = await new jose.SignJWT({ roles: ['viewer'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(DEV_JWT_SECRET));
    await expect(verify(expired)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it('remembers a verified token only until it expires, and hands out claims no caller can change for the next', async () => {
    const key = new TextEncoder().encode(DEV_JWT_SECRET);
    // Expires at the next whole second after next: verified (and remembered) now, refused once that second came.
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await new jose.SignJWT({ roles: ['analyst'], supplier_ids: ['s1'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(exp)
      .sign(key);
    const first = await verify(token);
    first.roles.push('admin');
    first.supplierIds!.length = 0;
    expect(await verify(token)).toMatchObject({ roles: ['analyst'], supplierIds: ['s1'], exp, token });
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 20));
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
    // A token that failed is not remembered as failed either: the same text verifies once it is valid.
    const early = await new jose.SignJWT({ roles: ['viewer'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setNotBefore(Math.floor(Date.now() / 1000) + 1)
      .sign(key);
    await expect(verify(early)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await verify(early)).toMatchObject({ roles: ['viewer'] });
  });

  it('accepts Supabase-style claims (app_metadata.roles / supplier_ids)', () => {
    const c = claimsFromPayload({
      sub: 'u1',
      role: 'authenticated',
      app_metadata: { roles: ['analyst'], supplier_ids: ['a', 'b'] },
    });
    expect(c).toMatchObject({ sub: 'u1', roles: ['analyst'], supplierIds: ['a', 'b'] });
  });

  it('verifies RS256 tokens against a JWKS endpoint', async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair('RS256');
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const http = await import('node:http');
    const server = http.createServer((_, res) => res.end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const v = createTokenVerifier({
        jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
        issuer: 'https://example.supabase.co/auth/v1',
      });
      const token = await new jose.SignJWT({ app_metadata: { roles: ['viewer'] } })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer('https://example.supabase.co/auth/v1')
        .setSubject('u2')
        .setExpirationTime('5m')
        .sign(privateKey);
      expect(await v(token)).toMatchObject({ sub: 'u2', roles: ['viewer'] });
    } finally {
      server.close();
    }
  });

  it('requireRole: UNAUTHENTICATED without claims, FORBIDDEN without the role, admin passes', () => {
    expect(() => requireRole(null, 'approver')).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    );
    expect(() => requireRole({ sub: 'x', roles: ['viewer'], supplierIds: null }, 'approver')).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    );
    expect(requireRole({ sub: 'x', roles: ['admin'], supplierIds: null }, 'approver').sub).toBe('x');
  });

  it('supplier scope: null means all, a list restricts', () => {
    expect(canSeeSupplier({ sub: 'x', roles: [], supplierIds: null }, 's9')).toBe(true);
    expect(canSeeSupplier({ sub: 'x', roles: [], supplierIds: ['s1'] }, 's9')).toBe(false);
    expect(canSeeSupplier({ sub: 'x', roles: [], supplierIds: ['s1'] }, 's1')).toBe(true);
  });
});
