// `@auth(roles: [...])` in a plugin's SDL: read once when the plugin is defined, then enforced by wrapping the
// resolvers of the fields it names. The directive is removed from the SDL the subgraph serves (it is ours, not a
// federation directive, so the gateway has nothing to do with it) and the roles are appended to the description,
// where the explorer shows them.
import {
  defaultFieldResolver,
  Kind,
  visit,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLFieldResolver,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  type StringValueNode,
} from 'graphql';
import { ROLES, requireRole, type Role } from '../services/auth.ts';
import { unauthenticated } from '../errors.ts';

/** `Type.field` -> roles (an empty list = any signed-in caller); `Type` -> roles for a type-level directive. */
export type AuthRules = ReadonlyMap<string, readonly Role[]>;

export interface AuthSdl {
  typeDefs: DocumentNode;
  rules: AuthRules;
}

const isAuth = (d: ConstDirectiveNode) => d.name.value === 'auth';

function rolesOf(d: ConstDirectiveNode, where: string): Role[] {
  const arg = d.arguments?.find((a) => a.name.value === 'roles');
  if (!arg) throw new Error(`@auth on ${where} needs roles: [...]`);
  const values = arg.value.kind === Kind.LIST ? arg.value.values : [arg.value];
  return values.map((v) => {
    const name = v.kind === Kind.ENUM || v.kind === Kind.STRING ? v.value : '';
    if (!(ROLES as readonly string[]).includes(name))
      throw new Error(`@auth on ${where}: unknown role "${name}" (known: ${ROLES.join(', ')})`);
    return name as Role;
  });
}

const describeRoles = (roles: readonly Role[]) =>
  roles.length ? `Roles: ${roles.join(', ')} (admin always).` : 'Any signed-in caller.';

function withRolesDescription<T extends { description?: StringValueNode }>(node: T, roles: readonly Role[]): T {
  const text = node.description?.value ? `${node.description.value}\n\n${describeRoles(roles)}` : describeRoles(roles);
  return { ...node, description: { kind: Kind.STRING, value: text, block: true } };
}

/** Reads and strips `@auth` (and the SDK's own directive/enum definitions, if a plugin copied them in). */
export function extractAuthRules(doc: DocumentNode): AuthSdl {
  const rules = new Map<string, Role[]>();
  const typeStack: string[] = [];
  const enterType = (node: ObjectTypeDefinitionNode | ObjectTypeExtensionNode) => {
    typeStack.push(node.name.value);
    const d = node.directives?.find(isAuth);
    if (!d) return undefined;
    const roles = rolesOf(d, node.name.value);
    rules.set(node.name.value, roles);
    const stripped = { ...node, directives: node.directives!.filter((x) => !isAuth(x)) };
    return node.kind === Kind.OBJECT_TYPE_DEFINITION
      ? withRolesDescription(stripped as ObjectTypeDefinitionNode, roles)
      : stripped;
  };
  const leaveType = () => void typeStack.pop();
  const typeDefs = visit(doc, {
    DirectiveDefinition: (node) => (node.name.value === 'auth' ? null : undefined),
    EnumTypeDefinition: (node) =>
      node.name.value === 'Role' && node.values?.every((v) => (ROLES as readonly string[]).includes(v.name.value))
        ? null
        : undefined,
    ObjectTypeDefinition: { enter: enterType, leave: leaveType },
    ObjectTypeExtension: { enter: enterType, leave: leaveType },
    FieldDefinition(node: FieldDefinitionNode) {
      const d = node.directives?.find(isAuth);
      const type = typeStack[typeStack.length - 1];
      if (!d || !type) return undefined;
      const roles = rolesOf(d, `${type}.${node.name.value}`);
      rules.set(`${type}.${node.name.value}`, roles);
      return withRolesDescription({ ...node, directives: node.directives!.filter((x) => !isAuth(x)) }, roles);
    },
  });
  return { typeDefs, rules };
}

/** The roles check: null roles = no rule; [] = any signed-in caller. */
export function checkRoles(auth: Parameters<typeof requireRole>[0], roles: readonly Role[]): void {
  if (!roles.length) {
    if (!auth) throw unauthenticated();
    return;
  }
  requireRole(auth, ...roles);
}

export interface AuthEnforcement {
  rules: AuthRules;
  /** Fields of these root types without a rule need this (e.g. [] = signed in); undefined = open. */
  defaultForRoots?: { types: readonly string[]; roles: readonly Role[] };
}

/**
 * Resolvers with the rules applied: each ruled field checks the caller before its resolver (or, for a
 * subscription, before it subscribes); a ruled type checks every field named in the SDL and its entity lookup.
 */
export function enforceAuth(
  resolvers: Record<string, any>,
  typeDefs: DocumentNode,
  { rules, defaultForRoots }: AuthEnforcement,
): Record<string, any> {
  const out: Record<string, any> = { ...resolvers };
  const fieldsOf = new Map<string, string[]>();
  for (const def of typeDefs.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const list = fieldsOf.get(def.name.value) ?? [];
    list.push(...(def.fields ?? []).map((f) => f.name.value));
    fieldsOf.set(def.name.value, list);
  }
  for (const [type, fields] of fieldsOf) {
    const typeRule = rules.get(type);
    for (const field of fields) {
      const rule =
        rules.get(`${type}.${field}`) ??
        typeRule ??
        (defaultForRoots?.types.includes(type) ? defaultForRoots.roles : undefined);
      if (!rule) continue;
      out[type] = { ...(out[type] ?? resolvers[type]) };
      out[type][field] = guardField(type, out[type][field], rule);
    }
    if (typeRule && typeof resolvers[type]?.__resolveReference === 'function') {
      const resolveReference = resolvers[type].__resolveReference;
      out[type] = { ...(out[type] ?? resolvers[type]) };
      out[type].__resolveReference = (ref: unknown, ctx: any, info: unknown) => {
        checkRoles(ctx?.auth, typeRule);
        return resolveReference(ref, ctx, info);
      };
    }
  }
  return out;
}

function guardField(type: string, current: any, roles: readonly Role[]): any {
  if (type === 'Subscription') {
    if (!current?.subscribe) return current;
    return {
      ...current,
      subscribe: (p: unknown, a: unknown, ctx: any, info: unknown) => {
        checkRoles(ctx?.auth, roles);
        return current.subscribe(p, a, ctx, info);
      },
    };
  }
  const resolve: GraphQLFieldResolver<unknown, any> =
    typeof current === 'function'
      ? current
      : typeof current?.resolve === 'function'
        ? current.resolve
        : defaultFieldResolver;
  const guarded: GraphQLFieldResolver<unknown, any> = (p, a, ctx, info) => {
    checkRoles(ctx?.auth, roles);
    return resolve(p, a, ctx, info);
  };
  return current && typeof current === 'object' ? { ...current, resolve: guarded } : guarded;
}
