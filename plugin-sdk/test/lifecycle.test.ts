// Plugin lifecycle: explicit phases; the drain signal aborts when draining starts; bus subscriptions, iterators and
// timers made through services end by themselves; tracked work is waited for (bounded); onStop runs last-first.
import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import {
  createBus,
  createHost,
  createLogger,
  definePlugin,
  gql,
  pluginOperation,
  type Bus,
  type PluginPhase,
  type PluginServices,
} from '@carbon-nexus/plugin-sdk';
import { createTestDatabase } from '@carbon-nexus/plugin-sdk/testkit';
import { alertRaised, type TestAlert } from './topics.ts';

const typeDefs = gql`
  type Query {
    ok: Boolean
  }
`;
const alert = (id: string): TestAlert => ({ id, seq: '1', hotspotId: 'h', level: 'warn', supplierId: null });
const flush = () => new Promise((r) => setImmediate(r));

/** A host for one plugin on a bus the test keeps (so it can publish after the plugin stopped). */
async function run(
  plugin: ReturnType<typeof definePlugin<any>>,
  bus: Bus,
  opts: { drainTimeoutMs?: number; logs?: string[] } = {},
) {
  const db = await createTestDatabase('pglite');
  const logger = createLogger({
    level: 'info',
    destination: new Writable({ write: (c, _e, cb) => (opts.logs?.push(String(c)), cb()) }),
  });
  const host = createHost({
    plugins: [plugin],
    db,
    bus,
    logger,
    scheduler: false,
    migrate: false,
    drainTimeoutMs: opts.drainTimeoutMs,
  });
  return { host, db };
}

describe('plugin lifecycle', () => {
  it('moves through starting, started, draining, stopped; the signal aborts when draining starts', async () => {
    const seen: { at: string; phase: PluginPhase; aborted: boolean }[] = [];
    let services!: PluginServices;
    const plugin = definePlugin({
      id: 'phases',
      typeDefs,
      resolvers: {},
      init(s) {
        services = s;
        seen.push({ at: 'init', phase: s.lifecycle.phase, aborted: s.lifecycle.signal.aborted });
        s.lifecycle.onStop(
          () =>
            void seen.push({
              at: 'onStop first registered',
              phase: s.lifecycle.phase,
              aborted: s.lifecycle.signal.aborted,
            }),
        );
        s.lifecycle.onStop(
          () =>
            void seen.push({
              at: 'onStop last registered',
              phase: s.lifecycle.phase,
              aborted: s.lifecycle.signal.aborted,
            }),
        );
      },
      stop(_state, s) {
        seen.push({ at: 'plugin stop', phase: s.lifecycle.phase, aborted: s.lifecycle.signal.aborted });
      },
    });
    const bus = await createBus();
    const { host, db } = await run(plugin, bus);
    await host.start();
    expect(host.plugins.get('phases')!.phase).toBe('started');
    await host.stop();
    expect(services.lifecycle.phase).toBe('stopped');
    expect(seen).toEqual([
      { at: 'init', phase: 'starting', aborted: false },
      { at: 'plugin stop', phase: 'draining', aborted: true },
      { at: 'onStop last registered', phase: 'draining', aborted: true },
      { at: 'onStop first registered', phase: 'draining', aborted: true },
    ]);
    await db.close();
  });

  it('ends bus subscriptions, iterators and timers made through services; waits for tracked handler work', async () => {
    const heard: string[] = [];
    const order: string[] = [];
    const iterated: string[] = [];
    let iteratorEnded!: Promise<void>;
    let ticks = 0;
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const plugin = definePlugin({
      id: 'listener',
      typeDefs,
      resolvers: {},
      init(s) {
        s.bus.subscribe(alertRaised, async (p) => {
          heard.push(p.id);
          if (p.id === 'slow') {
            await slow;
            order.push('slow handler done');
          }
        });
        const it = s.bus.iterate(alertRaised);
        iteratorEnded = (async () => {
          for await (const p of it) iterated.push(p.id);
          order.push('iterator ended');
        })();
        s.lifecycle.setInterval(() => void ticks++, 1);
        s.lifecycle.onStop(() => void order.push('onStop'));
      },
    });
    const bus = await createBus();
    const { host, db } = await run(plugin, bus);
    await host.start();
    await bus.publish(alertRaised, alert('a1'));
    await bus.publish(alertRaised, alert('slow'));
    while (heard.length < 2 || iterated.length < 2) await flush();
    await new Promise((r) => setTimeout(r, 5));
    expect(ticks).toBeGreaterThan(0);
    const stopping = host.stop().then(() => order.push('stopped'));
    await flush();
    order.push('releasing');
    release();
    await stopping;
    await iteratorEnded;
    // The drain waited for the in-flight handler; the iterator ended when draining started.
    expect(order).toEqual(['iterator ended', 'releasing', 'slow handler done', 'onStop', 'stopped']);
    const ticksAtStop = ticks;
    await bus.publish(alertRaised, alert('after-stop'));
    await new Promise((r) => setTimeout(r, 30));
    expect(heard).toEqual(['a1', 'slow']);
    expect(iterated).toEqual(['a1', 'slow']);
    expect(ticks).toBe(ticksAtStop);
    await bus.close();
    await db.close();
  });

  it('bounds the wait for tracked work and says so', async () => {
    const logs: string[] = [];
    const plugin = definePlugin({
      id: 'stuck',
      typeDefs,
      resolvers: {},
      init(s) {
        s.lifecycle.track(new Promise(() => undefined));
      },
    });
    const bus = await createBus();
    const { host, db } = await run(plugin, bus, { drainTimeoutMs: 20, logs });
    await host.start();
    await host.stop();
    expect(
      logs.some(
        (l) =>
          l.includes('in-flight work did not finish in time; stopping anyway') && l.includes('"drainTimeoutMs":20'),
      ),
    ).toBe(true);
    await db.close();
  });

  it('a failed init ends what init opened; calls into a stopped plugin fail clearly', async () => {
    const heard: string[] = [];
    const failing = definePlugin({
      id: 'failing',
      typeDefs,
      resolvers: {},
      init(s) {
        s.bus.subscribe(alertRaised, (p) => void heard.push(p.id));
        throw new Error('no model file');
      },
    });
    const bus = await createBus();
    const { host, db } = await run(failing, bus);
    await expect(host.start()).rejects.toThrow('plugin "failing": init failed: no model file');
    await bus.publish(alertRaised, alert('late'));
    await flush();
    await flush();
    expect(heard).toEqual([]);

    const callee = definePlugin({ id: 'callee', typeDefs, resolvers: { Query: { ok: () => true } } });
    const h2 = createHost({
      plugins: [callee],
      db,
      bus,
      scheduler: false,
      migrate: false,
      logger: createLogger({ level: 'silent' }),
    });
    await h2.start();
    const caller = h2.calls.caller('tester', { requires: ['callee'], uses: {} });
    const Ok = pluginOperation<{ ok: boolean }>('callee', '{ ok }');
    expect(await caller(Ok)).toEqual({ ok: true });
    await h2.stop();
    await expect(caller(Ok)).rejects.toThrow('call to plugin "callee" failed: plugin "callee" has stopped');
    await bus.close();
    await db.close();
  });

  it('PLUGIN_DRAIN_SECONDS must be a number of seconds', () => {
    expect(() => createHost({ plugins: [], env: { PLUGIN_DRAIN_SECONDS: 'soon' } })).toThrow(
      'PLUGIN_DRAIN_SECONDS: must be a number of seconds >= 0 (got "soon")',
    );
  });
});
