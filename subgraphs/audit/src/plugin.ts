// The `audit` platform plugin: read access to audit_logs, which every plugin writes through services.audit
// (plugin-sdk/src/services/audit.ts). It owns no table and writes nothing; the log itself is platform-owned.
import { definePlugin, loadTypeDefs } from '@carbon-nexus/plugin-sdk';
import { resolvers } from './resolvers.ts';

export default definePlugin({
  id: 'audit',
  description: 'Audit log: who did what, newest first, filtered and paginated',
  typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
  resolvers,
});
