// Bearer-token verification shared by the gateway and standalone subgraphs.
// HS256 with a shared secret (dev default, or a Supabase project's JWT secret) or RS256/ES256 via JWKS.
import * as jose from 'jose';
import type { AuthClaims } from '../context.ts';
import { forbidden, unauthenticated } from '../errors.ts';

export const DEV_JWT_SECRET = 'carbon-nexus-dev-secret-change-me-in-production';

export interface AuthConfig {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export function authConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  return {
    secret: env.JWT_SECRET ?? (env.JWT_JWKS_URL ? undefined : DEV_JWT_SECRET),
    jwksUrl: env.JWT_JWKS_URL,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
  };
}

export type TokenVerifier = (token: string) => Promise<AuthClaims>;

export function createTokenVerifier(cfg: AuthConfig): TokenVerifier {
  const jwks = cfg.jwksUrl ? jose.createRemoteJWKSet(new URL(cfg.jwksUrl)) : null;
  const secret = cfg.secret ? new TextEncoder().encode(cfg.secret) : null;
  if (!jwks && !secret) throw new Error('auth: set JWT_SECRET or JWT_JWKS_URL');
  // A shared secret cannot change under a verified token, so its verification (an HMAC in the thread pool, a
  // noticeable share of a request's CPU under load) is remembered until the token's exp; JWKS keys may rotate, so
  // those tokens are verified every time. Failures are never remembered (a not-yet-valid token is tried again).
  const verified = secret ? new Map<string, { claims: AuthClaims; exp: number }>() : null;
  return async (token) => {
    const hit = verified?.get(token);
    // jose's own rule: expired once exp <= now in whole seconds.
    if (hit && Math.floor(Date.now() / 1000) < hit.exp) return copyClaims(hit.claims);
    const opts: jose.JWTVerifyOptions = { issuer: cfg.issuer, audience: cfg.audience };
    const { payload } = jwks ? await jose.jwtVerify(token, jwks, opts) : await jose.jwtVerify(token, secret!, opts);
    const claims: AuthClaims = { ...claimsFromPayload(payload), token };
    if (verified) {
      if (verified.size >= VERIFIED_TOKENS) verified.delete(verified.keys().next().value!);
      const exp = typeof payload.exp === 'number' ? payload.exp : Infinity;
      verified.set(token, { claims: copyClaims(claims), exp });
    }
    return claims;
  };
}

/** Tokens whose verification is remembered (oldest forgotten first). */
const VERIFIED_TOKENS = 1000;
const copyClaims = (c: AuthClaims): AuthClaims => ({
  ...c,
  roles: [...c.roles],
  supplierIds: c.supplierIds && [...c.supplierIds],
});

/** Our claims and Supabase's (`app_metadata.roles`, `app_metadata.supplier_ids`) both map here. */
export function claimsFromPayload(p: jose.JWTPayload & Record<string, any>): AuthClaims {
  const meta = (p.app_metadata ?? {}) as Record<string, any>;
  const roles: string[] = Array.isArray(p.roles) ? p.roles : Array.isArray(meta.roles) ? meta.roles : [];
  const suppliers = p.supplier_ids ?? meta.supplier_ids;
  return {
    sub: String(p.sub ?? 'anonymous'),
    roles: roles.map(String),
    supplierIds: Array.isArray(suppliers) ? suppliers.map(String) : null,
    exp: p.exp,
  };
}

export async function signDevToken(
  claims: { sub?: string; roles: string[]; supplierIds?: string[] | null; expiresIn?: string },
  secret = process.env.JWT_SECRET ?? DEV_JWT_SECRET,
): Promise<string> {
  const body: Record<string, unknown> = { roles: claims.roles };
  if (claims.supplierIds) body.supplier_ids = claims.supplierIds;
  return new jose.SignJWT(body)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub ?? 'dev-user')
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(secret));
}

export const ROLES = ['viewer', 'analyst', 'approver', 'admin', 'partner'] as const;
export type Role = (typeof ROLES)[number];

/** Throws UNAUTHENTICATED without claims, FORBIDDEN without one of `roles` (admin and system pass). */
export function requireRole(auth: AuthClaims | null | undefined, ...roles: Role[]): AuthClaims {
  if (!auth) throw unauthenticated();
  if (auth.roles.includes('admin') || auth.roles.includes('system')) return auth;
  if (!roles.some((r) => auth.roles.includes(r)))
    throw forbidden(`this operation needs one of the roles: ${roles.join(', ')}`);
  return auth;
}

/** True when the caller may see this supplier's data. */
export function canSeeSupplier(auth: AuthClaims | null | undefined, supplierId: string | null | undefined): boolean {
  if (!auth || auth.supplierIds === null) return true;
  return !!supplierId && auth.supplierIds.includes(supplierId);
}
