// carbon-nexus <command>: SDK commands (create-plugin) plus the commands plugins declare in `commands`.
import { createPlugin } from './create-plugin.ts';
import { loadPlatformConfig } from '../platform-config.ts';
import { createHost } from '../host/host.ts';
import type { AnyPlugin } from '../plugin.ts';

const SDK_COMMANDS: Record<string, { description: string; run(argv: string[]): Promise<number> }> = {
  'create-plugin': { description: 'scaffold a new plugin: create-plugin <name> [--dir subgraphs]', run: createPlugin },
};

async function platformCommands(): Promise<
  Map<string, { plugin: AnyPlugin; command: NonNullable<AnyPlugin['commands']>[string] }>
> {
  const out = new Map();
  try {
    const { plugins } = await loadPlatformConfig();
    for (const p of plugins)
      for (const [name, command] of Object.entries(p.commands ?? {})) out.set(name, { plugin: p, command });
  } catch {
    /* outside a platform checkout: only SDK commands */
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const commands = await platformCommands();
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log('usage: carbon-nexus <command> [options]\n\ncommands:');
    for (const [n, c] of Object.entries(SDK_COMMANDS)) console.log(`  ${n.padEnd(16)} ${c.description}`);
    for (const [n, c] of commands) console.log(`  ${n.padEnd(16)} ${c.command.description} (${c.plugin.id})`);
    console.log('\nRun `carbon-nexus <command> --help` for its options.');
    return name ? 0 : 1;
  }
  const sdk = SDK_COMMANDS[name];
  if (sdk) return sdk.run(rest);
  const found = commands.get(name);
  if (!found) {
    console.error(`unknown command "${name}". Run carbon-nexus --help for the list.`);
    return 2;
  }
  if (found.command.offline || rest.includes('--help') || rest.includes('-h'))
    return (await found.command.run(rest)) ?? 0;
  // Online commands run with the plugin started against the configured database (DATABASE_URL or DATA_DIR).
  const host = createHost({ plugins: [found.plugin], mode: 'standalone', scheduler: false });
  await host.start();
  try {
    return (await found.command.run(rest, host.plugins.get(found.plugin.id)!.services)) ?? 0;
  } finally {
    await host.stop();
  }
}
