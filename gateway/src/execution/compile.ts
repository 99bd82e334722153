// Per query text, once: the parsed and validated document; per operation in it, once: the query plan (from the
// gateway's own planner, so plans are Apollo's), the operation model, the compiled shaper, and whether this path
// may run it at all. Bounded LRU caches: a flood of distinct documents costs a bounded amount of memory.
import {
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  Kind,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { operationFromDocument, type Operation, type Schema } from '@apollo/federation-internals';
import type { PlanNode, QueryPlan, QueryPlanner, SubscriptionNode } from '@apollo/query-planner';
import { CompiledShaper } from './shape.ts';

export interface CompiledOperation {
  document: DocumentNode;
  definition: OperationDefinitionNode;
  /** The operation's name (null when anonymous), as Apollo Server reports it. */
  name: string | null;
  plan: QueryPlan;
  /** The operation as executeQueryPlan models it (variable defaults for conditions, shaping fallback). */
  operation: Operation;
  shaper: CompiledShaper;
}

export interface PlanningSource {
  /** The API schema (graphql-js) requests are validated against. */
  apiSchema: GraphQLSchema;
  /** The same API schema as the query planner models it. */
  plannerApiSchema: Schema;
  planner: QueryPlanner;
  /** Options the gateway passes to buildQueryPlan. */
  planOptions?: Parameters<QueryPlanner['buildQueryPlan']>[1];
  /** Validation rules beyond graphql-js's specified rules (e.g. NoIntrospection when introspection is off). */
  validationRules?: readonly ValidationRule[];
}

/** A document this path does not run (unparsable or invalid: Apollo's pipeline reports why). */
const REFUSED = null;

interface DocumentEntry {
  document: DocumentNode | null;
  operations: Map<string, CompiledOperation | null>;
}

class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined && this.map.size > 1) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, v);
  }
  get size(): number {
    return this.map.size;
  }
}

export class OperationCompiler {
  private readonly documents: Lru<DocumentEntry>;
  private readonly rules: readonly ValidationRule[];

  constructor(
    private readonly source: PlanningSource,
    maxDocuments = 1000,
  ) {
    this.documents = new Lru(maxDocuments);
    this.rules = [...specifiedRules, ...(source.validationRules ?? [])];
  }

  get cachedDocuments(): number {
    return this.documents.size;
  }

  /** The compiled query operation for this text and name, or null when Apollo's pipeline must run it. */
  lookup(query: string, operationName: string | undefined): CompiledOperation | null {
    let entry = this.documents.get(query);
    if (!entry) {
      entry = { document: this.parseAndValidate(query), operations: new Map() };
      this.documents.set(query, entry);
    }
    if (!entry.document) return REFUSED;
    const key = operationName ?? '';
    let op = entry.operations.get(key);
    if (op === undefined) {
      op = this.compile(entry.document, operationName);
      entry.operations.set(key, op);
    }
    return op;
  }

  private parseAndValidate(query: string): DocumentNode | null {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch {
      return REFUSED;
    }
    return validate(this.source.apiSchema, document, this.rules).length ? REFUSED : document;
  }

  private compile(document: DocumentNode, operationName: string | undefined): CompiledOperation | null {
    const definition = getOperationAST(document, operationName);
    // Queries only: mutations and subscriptions keep Apollo's path (and its ordering guarantees).
    if (!definition || definition.operation !== 'query') return REFUSED;
    let plan: QueryPlan;
    let operation: Operation;
    try {
      plan = this.source.planner.buildQueryPlan(
        operationFromDocument(this.source.plannerApiSchema, document, { operationName }),
        this.source.planOptions,
      );
      // What executeQueryPlan builds from the operation context: the operation and every fragment, unvalidated.
      const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
      operation = operationFromDocument(
        this.source.plannerApiSchema,
        { kind: Kind.DOCUMENT, definitions: [definition, ...fragments] },
        { validate: false },
      );
    } catch {
      return REFUSED; // e.g. a planner limit: Apollo reports it
    }
    if (!plan.node || !runnable(plan.node)) return REFUSED;
    const shaper = CompiledShaper.compile(operation);
    if (!shaper) return REFUSED;
    return { document, definition, name: definition.name?.value ?? null, plan, operation, shaper };
  }
}

/** Plans without @defer or subscription nodes. */
export function runnable(node: PlanNode | SubscriptionNode): node is PlanNode {
  switch (node.kind) {
    case 'Fetch':
      return true;
    case 'Sequence':
    case 'Parallel':
      return node.nodes.every(runnable);
    case 'Flatten':
      return runnable(node.node);
    case 'Condition':
      return (!node.ifClause || runnable(node.ifClause)) && (!node.elseClause || runnable(node.elseClause));
    default:
      return false;
  }
}
