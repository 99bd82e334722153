// Shared by the REST tests: the whole platform behind the gateway, role tokens (and a supplier-scoped one), the
// operations manifest, and a REST call / GraphQL call pair for the same operation and variables.
import fs from 'node:fs';
import { signDevToken } from '@carbon-nexus/plugin-sdk';
import type { TestDatabaseTarget } from '@carbon-nexus/db';
import { startTestPlatform } from '@carbon-nexus/gateway/testkit';
import { operationsManifestPath } from '../src/rest/trusted-documents.ts';
import type { RestOperation } from '../src/rest/operations.ts';

export const operations: RestOperation[] = JSON.parse(fs.readFileSync(operationsManifestPath, 'utf8')).operations;
export const op = (name: string) => operations.find((o) => o.name === name)!;

/** The platform's plugins behind the gateway on a fresh database, in this process only (no Redis, no shared bus). */
export function startPlatform(target: TestDatabaseTarget, env: Record<string, string | undefined> = {}) {
  const alone = { DATABASE_URL: undefined, REDIS_URL: undefined, BUS_URL: undefined };
  return startTestPlatform({ target, env: { ...alone, ...env } });
}

export type Caller = 'anonymous' | 'viewer' | 'analyst' | 'approver' | 'admin' | 'partner' | 'scoped';

export async function tokens(scopedSupplier: string): Promise<Record<Caller, string | null>> {
  const t = (role: string, supplierIds?: string[]) =>
    signDevToken({ sub: `rest-${role}${supplierIds ? '-scoped' : ''}`, roles: [role], supplierIds });
  return {
    anonymous: null,
    viewer: await t('viewer'),
    analyst: await t('analyst'),
    approver: await t('approver'),
    admin: await t('admin'),
    partner: await t('partner'),
    scoped: await t('approver', [scopedSupplier]),
  };
}

export interface RestCall {
  status: number;
  type: string;
  body: any;
  headers: Headers;
}

/** Calls an operation's REST endpoint: path parameters substituted, the rest in the query string or JSON body. */
export async function rest(
  base: string,
  o: RestOperation,
  variables: Record<string, unknown>,
  token: string | null,
  headers: Record<string, string> = {},
): Promise<RestCall> {
  let path = o.path;
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(variables)) {
    if (o.pathParams.includes(k)) path = path.replace(`{${k}}`, encodeURIComponent(String(v)));
    else rest[k] = v;
  }
  const init: RequestInit = {
    method: o.method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  };
  if (o.method === 'GET') {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(rest)) {
      if (Array.isArray(v)) for (const item of v) qs.append(k, String(item));
      else if (v !== null && typeof v === 'object') qs.append(k, JSON.stringify(v));
      else qs.append(k, v === null ? '' : String(v));
    }
    if ([...qs.keys()].length) path += `?${qs}`;
  } else {
    init.body = JSON.stringify(rest);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: text ? JSON.parse(text) : null,
    headers: res.headers,
  };
}

/** The same operation over GraphQL (the manifest's document, by text). */
export async function graphql(
  base: string,
  o: RestOperation,
  variables: Record<string, unknown>,
  token: string | null,
): Promise<{ data?: any; errors?: any[] }> {
  const res = await fetch(base + '/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: o.document, operationName: o.name, variables }),
  });
  return (await res.json()) as any;
}

export const STATUS_OF: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  QUERY_TOO_COSTLY: 400,
  QUERY_TOO_DEEP: 400,
  NOT_FOUND: 404,
  NOT_ENOUGH_DATA: 422,
  SUBGRAPH_UNAVAILABLE: 503,
};
