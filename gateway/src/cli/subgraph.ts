// Runs one plugin of the platform as its own subgraph process:
//   tsx gateway/src/cli/subgraph.ts <plugin-id>   (PORT, DATABASE_URL, BUS_URL/REDIS_URL, CARBON_NEXUS_SUBGRAPH_<ID>_URL)
import { loadPlatformConfig, startSubgraph } from '@carbon-nexus/plugin-sdk';

const id = process.argv[2];
const { plugins } = await loadPlatformConfig();
const plugin = plugins.find((p) => p.id === id);
if (!plugin || process.argv.includes('--help')) {
  console.error(`usage: subgraph.ts <plugin-id>\nplugins: ${plugins.map((p) => p.id).join(', ')}`);
  process.exit(plugin ? 0 : 2);
}
const server = await startSubgraph(plugin, { hostname: process.env.HOST ?? '127.0.0.1' });
console.log(`${id} subgraph at ${server.url}`);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, async () => {
    await server.close();
    process.exit(0);
  });
}
