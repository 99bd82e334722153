// graphql-codegen plugin (registered in codegen.ts) for a producer's client module: after `typescript-operations`
// and `typed-document-node` have typed `<plugin>/client/*.graphql`, it binds every operation to the producer
//   export const EmissionsCounts = operation('data-core', EmissionsCountsDocument);
// so `services.call(EmissionsCounts, vars)` knows whom to call and what comes back. Codegen has already validated
// the documents against the producer's own subgraph schema (not the supergraph) before this runs.
import { Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

interface DocumentFile {
  location?: string;
  document?: DocumentNode;
}

const NAME = /^[A-Z][A-Za-z0-9]*$/;

export const clientOperationsPlugin = {
  plugin(_schema: GraphQLSchema, documents: DocumentFile[], config: { plugin?: string }) {
    const plugin = config.plugin;
    if (!plugin) throw new Error('client operations codegen: config.plugin (the producer id) is required');
    const lines: string[] = [];
    const seen = new Map<string, string>();
    for (const file of documents) {
      for (const def of file.document?.definitions ?? []) {
        if (def.kind !== Kind.OPERATION_DEFINITION) continue;
        const op = def as OperationDefinitionNode;
        const name = op.name?.value;
        const where = file.location ?? 'a client document';
        if (!name) throw new Error(`${where}: every operation a plugin publishes needs a name`);
        if (!NAME.test(name)) throw new Error(`${where}: operation "${name}" must be PascalCase (it becomes the exported constant)`);
        if (seen.has(name)) throw new Error(`${where}: operation "${name}" is also defined in ${seen.get(name)}`);
        seen.set(name, where);
        lines.push(`/** ${op.operation} ${name}, served by ${plugin} (client/${where.split('/client/').pop()}). */`);
        lines.push(`export const ${name} = operation(${JSON.stringify(plugin)}, ${name}Document);`);
      }
    }
    return { prepend: [`import { operation } from '@carbon-nexus/plugin-sdk/contract';`], content: '\n' + lines.join('\n') + '\n' };
  },
};
