// Supplier row-level scope in resolvers. A caller's claims may restrict it to some suppliers (supplierIds; null = all).
// The database enforces the same scope through row-level security; these helpers make a query ask only for what
// the caller may see, and make the refusal explicit when it asks for nothing else.
import type { AuthClaims } from '../context.ts';
import { forbidden, unauthenticated } from '../errors.ts';

/** The caller's claims, or UNAUTHENTICATED. */
export function requireAuth(auth: AuthClaims | null | undefined): AuthClaims {
  if (!auth) throw unauthenticated();
  return auth;
}

/**
 * The suppliers a query may read: `requested` (deduplicated) intersected with `scope` (the caller's supplierIds;
 * null = no restriction). null = no restriction at all. When the caller asked only for suppliers outside its scope:
 * FORBIDDEN (`outside: 'forbid'`, default) or an empty list (`outside: 'empty'`).
 */
export function scopedSuppliers(
  scope: readonly string[] | null,
  requested: readonly string[] | null | undefined,
  opts: { outside?: 'forbid' | 'empty' } = {},
): string[] | null {
  const req = requested && requested.length ? [...new Set(requested)] : null;
  if (scope === null) return req;
  if (!req) return [...scope];
  const allowed = req.filter((id) => scope.includes(id));
  if (!allowed.length && (opts.outside ?? 'forbid') === 'forbid')
    throw forbidden('you may not see data of the requested suppliers');
  return allowed;
}

/**
 * SQL condition limiting rows to `suppliers` (null = no condition): pushes the uuid[] parameter and returns
 * `<column> = ANY($n::uuid[])`, or `TRUE`.
 */
export function supplierScopeSql(
  suppliers: readonly string[] | null,
  params: unknown[],
  column = 'supplier_id',
): string {
  if (suppliers === null) return 'TRUE';
  params.push(suppliers);
  return `${column} = ANY($${params.length}::uuid[])`;
}
