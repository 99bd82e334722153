// Server-side request forgery guard for partner webhooks: a registered URL must not lead the platform into its own
// network (loopback, private ranges, link-local cloud metadata at 169.254.169.254, unique-local IPv6, …). Checked at
// registration (clear error naming `url`) and again on every connection the delivery worker opens, through a DNS
// lookup that refuses such addresses — so a name that later re-resolves to an internal address (DNS rebinding)
// is refused too. Development (the dev JWT secret) allows private networks so local receivers work.
import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch } from 'undici';

/** ipaddr.js range names that are routable on the public internet. */
const PUBLIC = new Set(['unicast']);

/** Why this address may not receive webhooks, or null when it is public. */
export function privateReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  return PUBLIC.has(range) ? null : `${address} is a ${range} address`;
}

const stripBrackets = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/** The URL's host, and for an IP literal (which connects without DNS) why it is not public (null when it is). */
function hostOf(url: string): { host: string; literal: boolean; why: string | null } {
  const host = stripBrackets(new URL(url).hostname);
  const literal = net.isIP(host) !== 0;
  return { host, literal, why: literal ? privateReason(host) : null };
}

/** Resolves the URL's host and throws (message for the `url` field) when any address is not public. */
export async function assertPublicDestination(url: string): Promise<void> {
  const { host, literal, why } = hostOf(url);
  if (why) throw new Error(`must not point into a private network: ${why}`);
  if (literal) return;
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true });
  } catch (err) {
    throw new Error(`host ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'lookup failed'})`);
  }
  for (const a of addresses) {
    const why = privateReason(a.address);
    if (why) throw new Error(`must not point into a private network: ${host} resolves to ${why}`);
  }
}

/** dns.lookup that fails for hosts resolving to a non-public address (used for every delivery connection). */
export const publicOnlyLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as dns.LookupAddress[];
    const bad = list.map((a) => privateReason(a.address)).find(Boolean);
    if (bad) {
      const e = Object.assign(new Error(`refused: ${hostname} resolves to ${bad}`), { code: 'EPRIVATEADDR' });
      return callback(e, '', 0);
    }
    // With `all`, Node's lookup callback takes the address list (net.LookupFunction types only the single form).
    if ((options as dns.LookupOptions).all)
      return (callback as (e: null, addresses: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0].address, list[0].family);
  });
};

export type DeliveryFetch = (url: string, init: RequestInit) => Promise<Response>;

/** The fetch deliveries use: anything when private networks are allowed, else public destinations only. */
export function deliveryFetch(allowPrivate: boolean): DeliveryFetch {
  if (allowPrivate) return (url, init) => fetch(url, init);
  const dispatcher = new Agent({ connect: { lookup: publicOnlyLookup } });
  return async (url, init) => {
    // IP literals skip DNS (and so the lookup guard): check them here.
    const { why } = hostOf(url);
    if (why) throw new Error(`refused: ${why}`);
    // The global fetch's RequestInit and undici's differ only in types (same implementation).
    const undiciInit = init as Parameters<typeof undiciFetch>[1];
    return (await undiciFetch(url, { ...undiciInit, dispatcher })) as unknown as Response;
  };
}
