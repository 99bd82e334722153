// Two ways the gateway avoids repeating subgraph work, neither of which keeps anything after a fetch completes
// (no cache, so nothing can be stale):
//  - SharedFetches: concurrent gateway requests that need the same query fetch (same subgraph, document, variables
//    and caller) share one upstream execution; each caller gets its own copy, because the query-plan executor
//    merges into and rewrites what it receives.
//  - dedupeRepresentations: an entity fetch sends each distinct representation once (a list of hotspots of the
//    same supplier asks for that supplier once) and the answer is expanded back to the original positions.

/**
 * Writes (mutations, uploads, REST writes) this process has answered so far. Sharing keys include the count, so a
 * read that arrives after a write was answered never joins work that began before it: a caller reads its own writes.
 */
let writes = 0;
export const writeCount = (): number => writes;
export function countWrite(): void {
  writes++;
}

/** Shares identical in-flight work; `copy` makes each additional caller's private copy of the result. */
export class SharedFetches<T> {
  private readonly inflight = new Map<
    string,
    { followers: { resolve: (v: T) => void; reject: (e: unknown) => void }[] }
  >();
  constructor(private readonly copy: (v: T) => T) {}

  async run(key: string, work: () => Promise<T>): Promise<T> {
    const entry = this.inflight.get(key);
    if (entry) return new Promise<T>((resolve, reject) => entry.followers.push({ resolve, reject }));
    const mine = { followers: [] as { resolve: (v: T) => void; reject: (e: unknown) => void }[] };
    this.inflight.set(key, mine);
    let result: T;
    try {
      result = await work();
    } catch (err) {
      this.inflight.delete(key);
      for (const f of mine.followers) f.reject(err);
      throw err;
    }
    this.inflight.delete(key);
    // Copies are made now, before the first caller's continuation can mutate the result.
    for (const f of mine.followers) {
      try {
        f.resolve(this.copy(result));
      } catch (err) {
        f.reject(err);
      }
    }
    return result;
  }
}

/** A query (not a mutation or subscription): the only fetches that may be shared. */
export function isQueryOperation(document: string): boolean {
  return /^\s*(?:query\b|\{)/.test(document);
}

/** Deep copy of a GraphQL result: plain data is copied; error objects are kept (the executor only reads them). */
export function cloneResult<T>(r: T): T {
  const res = r as { data?: unknown; errors?: readonly unknown[] };
  if (!res || typeof res !== 'object') return r;
  return { ...res, data: cloneData(res.data), ...(res.errors ? { errors: [...res.errors] } : {}) } as T;
}

function cloneData(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneData);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = cloneData((v as Record<string, unknown>)[k]);
  return out;
}

type Result = { data?: Record<string, unknown> | null; errors?: readonly unknown[] };

/**
 * When an entity fetch repeats representations, returns the variables with each one once and `expand`, which maps
 * the answer (entities and the indices in error paths) back to the original positions. Null when nothing repeats.
 */
export function dedupeRepresentations(variables: Record<string, unknown> | undefined | null) {
  const reps = variables?.representations;
  if (!Array.isArray(reps) || reps.length < 2) return null;
  const index = new Map<string, number>();
  const unique: unknown[] = [];
  const position = reps.map((r) => {
    const k = representationKey(r);
    let i = index.get(k);
    if (i === undefined) {
      index.set(k, (i = unique.length));
      unique.push(r);
    }
    return i;
  });
  if (unique.length === reps.length) return null;
  return {
    variables: { ...variables, representations: unique },
    expand<R extends Result>(result: R): R {
      const entities = result.data?._entities;
      const used = new Set<number>();
      // The first use of each entity keeps the object; repeats get copies (the executor merges into each one).
      const data =
        Array.isArray(entities) && entities.length === unique.length
          ? {
              ...result.data,
              _entities: position.map((i) => (used.has(i) ? cloneData(entities[i]) : (used.add(i), entities[i]))),
            }
          : result.data;
      const errors = result.errors?.flatMap((e) => {
        const path = (e as { path?: readonly (string | number)[] }).path;
        if (!path || path[0] !== '_entities' || typeof path[1] !== 'number') return [e];
        const at = path[1];
        return position.flatMap((u, orig) => (u === at ? [withPath(e, [path[0], orig, ...path.slice(2)])] : []));
      });
      return { ...result, data, ...(errors ? { errors } : {}) };
    },
  };
}

/**
 * Identity of a representation: `{ __typename, id }` (the usual key) without serialising it, anything else as its
 * JSON (a different first character, so the two forms never collide).
 */
function representationKey(r: unknown): string {
  if (r && typeof r === 'object') {
    const o = r as Record<string, unknown>;
    let n = 0;
    for (const _ in o) n++;
    if (n === 2 && typeof o.__typename === 'string' && typeof o.id === 'string')
      return `\u0001${o.__typename}\u0000${o.id}`;
  }
  return JSON.stringify(r);
}

/** The same error at another path (GraphQLError's path is read-only, so a plain copy of its JSON form). */
function withPath(e: unknown, path: (string | number)[]): unknown {
  const j =
    typeof (e as { toJSON?: () => unknown }).toJSON === 'function'
      ? (e as { toJSON: () => object }).toJSON()
      : (e as object);
  return { ...j, path };
}
