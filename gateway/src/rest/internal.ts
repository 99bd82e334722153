// REST calls run as GraphQL requests on the gateway's own /graphql route (in-process, no socket), so they take exactly
// the path GraphQL clients take. Such an inner request carries this per-process marker, which no outside caller can
// know, so that what was already done for the outer REST request (rate limiting) is not done twice.
import crypto from 'node:crypto';

export const INTERNAL_HEADER = 'x-carbon-nexus-internal';
const marker = crypto.randomBytes(16).toString('hex');

export function internalHeaders(): Record<string, string> {
  return { [INTERNAL_HEADER]: marker };
}

export function isInternalRequest(req: { headers: Record<string, unknown> }): boolean {
  return req.headers[INTERNAL_HEADER] === marker;
}
