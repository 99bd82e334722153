import { describe, it, expect } from 'vitest';
import { gql, definePlugin, startOrder, PluginStartError } from '@carbon-nexus/plugin-sdk';

const typeDefs = gql`
  type Query {
    x: Int
  }
`;
const p = (id: string, requires: string[] = []) => definePlugin({ id, requires, typeDefs, resolvers: {} });

describe('start order', () => {
  it('starts dependencies first', () => {
    const order = startOrder([p('charlie', ['bravo']), p('bravo', ['alpha']), p('alpha')]).map((x) => x.id);
    expect(order).toEqual(['alpha', 'bravo', 'charlie']);
  });

  it('names the plugin and the missing dependency', () => {
    expect(() => startOrder([p('orders', ['billing'])])).toThrowError(
      /plugin "orders": requires plugin "billing", which is not registered/,
    );
  });

  it('accepts a dependency that runs remotely', () => {
    expect(startOrder([p('orders', ['billing'])], ['billing']).map((x) => x.id)).toEqual(['orders']);
  });

  it('reports a cycle with its path', () => {
    try {
      startOrder([p('alpha', ['bravo']), p('bravo', ['charlie']), p('charlie', ['alpha'])]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PluginStartError);
      expect((err as Error).message).toMatch(/dependency cycle: alpha -> bravo -> charlie -> alpha/);
    }
  });

  it('rejects a duplicate id and a malformed id', () => {
    expect(() => startOrder([p('alpha'), p('alpha')])).toThrowError(/registered twice/);
    expect(() => p('Bad_Id')).toThrowError(/lower-case/);
  });
});
