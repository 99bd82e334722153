// Roles declared in SDL with @auth, enforced by the host in the plugin's own subgraph.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin, gql, type AuthClaims } from '@carbon-nexus/plugin-sdk';
import { createSubgraphTestkit, runConformance, type SubgraphTestkit } from '@carbon-nexus/plugin-sdk/testkit';

const who = (sub: string, roles: string[]): AuthClaims => ({ sub, roles, supplierIds: null });
const VIEWER = who('v', ['viewer']);
const ANALYST = who('a', ['analyst']);
const APPROVER = who('p', ['approver']);
const ADMIN = who('root', ['admin']);

const notes = new Map<string, string>([['n1', 'first']]);

const ledger = definePlugin({
  id: 'authz-ledger',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    "A private note: every field and lookup needs approver."
    type Note @key(fields: "id") @auth(roles: [approver]) {
      id: ID!
      text: String!
    }
    type Query {
      "Anyone."
      publicCount: Int!
      signedIn: String! @auth(roles: [])
      note(id: ID!): Note @auth(roles: [approver, analyst])
    }
    type Mutation {
      "Adds a note."
      addNote(text: String!): String! @auth(roles: [analyst])
    }
    type Subscription {
      noteAdded: String! @auth(roles: [approver])
    }
  `,
  resolvers: {
    Query: {
      publicCount: () => notes.size,
      signedIn: (_: unknown, __: unknown, ctx: any) => ctx.auth.sub,
      note: (_: unknown, a: { id: string }) => (notes.has(a.id) ? { id: a.id, text: notes.get(a.id) } : null),
    },
    Mutation: {
      addNote: (_: unknown, a: { text: string }) => {
        const id = `n${notes.size + 1}`;
        notes.set(id, a.text);
        return id;
      },
    },
    Subscription: {
      noteAdded: {
        async *subscribe() {
          yield { noteAdded: 'hello' };
        },
      },
    },
    Note: {
      __resolveReference: (ref: { id: string }) => (notes.has(ref.id) ? { id: ref.id, text: notes.get(ref.id) } : null),
    },
  },
});

const code = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;

describe('@auth(roles: [...]) declared in SDL', () => {
  let kit: SubgraphTestkit;
  beforeAll(async () => {
    kit = await createSubgraphTestkit(ledger);
  });
  afterAll(async () => kit?.stop());

  it('refuses a mutation without a token (UNAUTHENTICATED) and without the role (FORBIDDEN); the role and admin pass', async () => {
    const add = `mutation { addNote(text: "x") }`;
    expect(code(await kit.execute(add, {}, { auth: null }))).toBe('UNAUTHENTICATED');
    expect(code(await kit.execute(add, {}, { auth: VIEWER }))).toBe('FORBIDDEN');
    const before = notes.size;
    expect((await kit.execute(add, {}, { auth: APPROVER })).errors?.[0].message).toMatch(/analyst/);
    expect(notes.size).toBe(before); // the resolver never ran
    expect((await kit.execute(add, {}, { auth: ANALYST })).data).toEqual({ addNote: `n${before + 1}` });
    expect((await kit.execute(add, {}, { auth: ADMIN })).errors).toBeUndefined();
  });

  it('leaves undeclared fields open and [] means any signed-in caller', async () => {
    expect((await kit.execute(`{ publicCount }`, {}, { auth: null })).errors).toBeUndefined();
    expect(code(await kit.execute(`{ signedIn }`, {}, { auth: null }))).toBe('UNAUTHENTICATED');
    expect((await kit.execute(`{ signedIn }`, {}, { auth: VIEWER })).data).toEqual({ signedIn: 'v' });
  });

  it('a type-level rule guards its fields and its entity lookups (_entities)', async () => {
    // note() lets analysts call it, but Note itself is approver-only.
    const r = await kit.execute(`{ note(id: "n1") { id text } }`, {}, { auth: ANALYST });
    expect(code(r)).toBe('FORBIDDEN');
    expect((await kit.execute(`{ note(id: "n1") { text } }`, {}, { auth: APPROVER })).data).toEqual({
      note: { text: 'first' },
    });
    const viaEntities = await kit.entities('Note', [{ id: 'n1' }], 'text', { auth: VIEWER });
    expect(code(viaEntities)).toBe('FORBIDDEN');
    expect(viaEntities.data?._entities?.[0] ?? null).toBeNull();
    expect((await kit.entities('Note', [{ id: 'n1' }], 'text', { auth: APPROVER })).data?._entities).toEqual([
      { text: 'first' },
    ]);
  });

  it('checks a subscription before subscribing', async () => {
    const rp = kit.host.plugins.get('authz-ledger')!;
    const denied = (await rp.subscribe(`subscription { noteAdded }`, {}, { auth: VIEWER })) as any;
    expect(denied.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const it = (await rp.subscribe(`subscription { noteAdded }`, {}, { auth: APPROVER })) as AsyncIterableIterator<any>;
    expect((await it.next()).value.data).toEqual({ noteAdded: 'hello' });
    await it.return?.();
  });

  it('removes the directive from the served SDL and documents the roles in descriptions', async () => {
    const sdl = (await kit.query<{ _service: { sdl: string } }>(`{ _service { sdl } }`))._service.sdl;
    expect(sdl).not.toMatch(/@auth/);
    expect(sdl).toMatch(/Adds a note\.\s+Roles: analyst \(admin always\)\./);
    expect(sdl).toMatch(/Roles: approver \(admin always\)\.[\s\S]*type Note/);
    expect(sdl).toMatch(/Any signed-in caller\./);
  });

  it('with AUTH_ANONYMOUS_READ=false, undeclared queries need a signed-in caller', async () => {
    const closed = await createSubgraphTestkit(ledger, { env: { ...process.env, AUTH_ANONYMOUS_READ: 'false' } });
    try {
      expect(code(await closed.execute(`{ publicCount }`, {}, { auth: null }))).toBe('UNAUTHENTICATED');
      expect((await closed.execute(`{ publicCount }`, {}, { auth: VIEWER })).errors).toBeUndefined();
    } finally {
      await closed.stop();
    }
  });

  it('rejects an unknown role at definition time, naming the plugin and the field', () => {
    expect(() =>
      definePlugin({
        id: 'authz-typo',
        typeDefs: gql`
          type Query {
            x: Int @auth(roles: [aprover])
          }
        `,
        resolvers: {},
      }),
    ).toThrow(/authz-typo.*Query\.x.*unknown role "aprover"/);
  });

  it('conformance fails a plugin whose mutations do not declare roles', async () => {
    const open = definePlugin({
      id: 'authz-open',
      typeDefs: gql`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
        type Query { ok: Boolean }
        type Mutation { wipe: Boolean }
      `,
      resolvers: { Query: { ok: () => true }, Mutation: { wipe: () => true } },
    });
    const report = await runConformance(open);
    const check = report.checks.find((c) => c.name.includes('@auth'))!;
    expect(check).toMatchObject({ ok: false });
    expect(check.detail).toMatch(/wipe/);
    expect(report.ok).toBe(false);
  });
});

describe('subscription events resolve in the subscriber’s scope', () => {
  it('whoever pulls the next event, resolvers (and their row-level security) see the subscriber', async () => {
    const { currentScope, runInScope } = await import('@carbon-nexus/plugin-sdk');
    const echo = definePlugin({
      id: 'authz-echo',
      typeDefs: gql`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
        type Query { ok: Boolean }
        type Subscription { tick: String! }
      `,
      resolvers: {
        Query: { ok: () => true },
        Subscription: {
          tick: {
            async *subscribe() {
              for (let i = 0; i < 2; i++) yield { n: i };
            },
            // Reads the ambient scope, as the database layer does for row-level security.
            resolve: () => currentScope()?.auth?.sub ?? 'nobody',
          },
        },
      },
    });
    const kit = await createSubgraphTestkit(echo);
    try {
      const it = (await kit.host.plugins
        .get('authz-echo')!
        .subscribe(`subscription { tick }`, {}, { auth: who('alice', ['viewer']) })) as AsyncIterableIterator<any>;
      // Pulled from another caller's scope (as a connection loop would be): still resolved as alice.
      const first = await runInScope({ auth: who('mallory', ['viewer']) }, () => it.next());
      const second = await it.next();
      expect([first.value.data.tick, second.value.data.tick]).toEqual(['alice', 'alice']);
      await it.return?.();
    } finally {
      await kit.stop();
    }
  }, 180_000);
});
