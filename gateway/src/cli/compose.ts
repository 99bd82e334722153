// npm run compose            writes gateway/supergraph.graphql and gateway/schema.graphql
// npm run compose -- --check exits 1 when the committed files are stale (CI runs this)
import { loadPlatformConfig } from '@carbon-nexus/plugin-sdk';
import { composePlugins, isStale, writeComposed, CompositionError } from '../compose.ts';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(
    'usage: compose [--check]\n  composes the plugins in carbon-nexus.config.ts into gateway/supergraph.graphql',
  );
  process.exit(0);
}
try {
  const { plugins } = await loadPlatformConfig();
  const composed = composePlugins(plugins);
  const stale = isStale(composed);
  // In CI the build must not paper over a stale committed supergraph.
  if (args.includes('--check') || (args.includes('--build') && process.env.CI)) {
    if (stale) {
      console.error('gateway/supergraph.graphql is stale: run `npm run compose` and commit the result');
      process.exit(1);
    }
    console.log(`supergraph up to date (${plugins.length} subgraphs)`);
  } else if (stale) {
    writeComposed(composed);
    console.log(`composed ${plugins.length} subgraphs -> gateway/supergraph.graphql, gateway/schema.graphql`);
  } else {
    console.log(`supergraph up to date (${plugins.length} subgraphs)`);
  }
} catch (err) {
  console.error(err instanceof CompositionError ? err.message : err);
  process.exit(1);
}
