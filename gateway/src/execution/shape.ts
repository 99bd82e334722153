// The response shaper: what Apollo's computeResponse (@apollo/gateway resultShaping) does after a query plan ran —
// keep only the fields the client selected, in its order, under its aliases, with __typename filled in, @skip/
// @include applied and leaf values checked — but compiled once per operation: directives, field types, fragment
// conditions and leaf checks are resolved ahead of time instead of being looked up in the schema for every field of
// every object.
// It covers the error-free case. Anything that would make computeResponse report an error or null a parent (a null
// in a non-null position, an invalid __typename or leaf value, an unexpected shape) bails out, and computeResponse
// itself then shapes the same input, so errors and partial data stay exactly Apollo's.
import {
  isCompositeType,
  isCustomScalarType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  Variable,
  type CompositeType,
  type Operation,
  type OutputType,
  type Schema,
  type SelectionSet,
  type Directive,
} from '@apollo/federation-internals';
import { computeResponse } from '@apollo/gateway/dist/resultShaping.js';

/** A reason not to take the compiled path: computeResponse handles it. */
const BAIL = Symbol('bail');

/** An @skip/@include argument: a literal or the name of a variable. */
type Condition = boolean | string | undefined;

type TypeShape =
  | { k: 'nonNull'; of: TypeShape }
  | { k: 'list'; of: TypeShape }
  | { k: 'composite'; type: CompositeType; selections: Sel[] }
  | { k: 'leaf'; valid: (v: unknown) => boolean };

type Sel =
  | { k: 'typename'; name: string; guarded: boolean; skip: Condition; include: Condition }
  | {
      k: 'field';
      name: string;
      guarded: boolean;
      skip: Condition;
      include: Condition;
      type: TypeShape;
      composite: boolean;
    }
  | {
      k: 'fragment';
      skip: Condition;
      include: Condition;
      condition: CompositeType | undefined;
      selections: Sel[];
      applies: Map<string, boolean>;
    };

export interface ShapedResponse {
  data: Record<string, unknown> | null | undefined;
  errors: import('graphql').GraphQLError[];
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;
const hasOwn = (o: object, k: string) => Object.hasOwn(o, k);

function leafCheck(schema: Schema, type: OutputType): (v: unknown) => boolean {
  // Mirrors isValidLeafValue (federation-internals values.ts) for one type, decided once.
  if (isCustomScalarType(type)) return () => true;
  if (isEnumType(type)) {
    const values = new Set(type.values.map((v) => v.name));
    return (v) => typeof v === 'string' && values.has(v);
  }
  const isInt = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && INTEGER.test(String(v));
  if (type === schema.booleanType()) return (v) => typeof v === 'boolean';
  if (type === schema.intType()) return isInt;
  if (type === schema.idType()) return (v) => typeof v === 'string' || isInt(v);
  if (type === schema.floatType()) return (v) => typeof v === 'number' && Number.isFinite(v);
  // String (and any other built-in): strings only.
  return (v) => typeof v === 'string';
}

export class CompiledShaper {
  private readonly schema: Schema;
  private readonly root: Sel[];
  private readonly rootType: CompositeType;
  /** Defaulted variable values of the operation (computeResponse overlays the provided ones on these). */
  private readonly defaults: Record<string, unknown>;
  private readonly hasConditions: boolean;
  private readonly typeCache = new Map<string, ReturnType<Schema['type']> | null>();
  private conditions = false;

  private constructor(private readonly operation: Operation) {
    this.schema = operation.schema();
    this.rootType = this.schema.schemaDefinition.rootType(operation.rootKind)!;
    this.defaults = operation.collectDefaultedVariableValues();
    this.root = this.compileSet(operation.selectionSet);
    this.hasConditions = this.conditions;
  }

  /** Null when the operation needs computeResponse anyway (introspection, response names that shadow Object members). */
  static compile(operation: Operation): CompiledShaper | null {
    try {
      return new CompiledShaper(operation);
    } catch (err) {
      if (err === BAIL) return null;
      throw err;
    }
  }

  private condition(d: Directive<any, { if: boolean | Variable }> | undefined): Condition {
    if (!d) return undefined;
    const v = d.arguments().if;
    if (v instanceof Variable) {
      this.conditions = true;
      return v.name;
    }
    return v;
  }

  private compileSet(set: SelectionSet): Sel[] {
    const out: Sel[] = [];
    for (const selection of set.selections()) {
      const element = selection.element;
      const skip = this.condition(element.appliedDirectivesOf(this.schema.skipDirective())[0]);
      const include = this.condition(element.appliedDirectivesOf(this.schema.includeDirective())[0]);
      if (skip === true || include === false) continue; // statically skipped
      if (selection.kind === 'FieldSelection') {
        const field = selection.element;
        if (field.definition.isSchemaIntrospectionField()) throw BAIL;
        const name = field.responseName();
        if (name === '__proto__') throw BAIL;
        const guarded = name in Object.prototype; // read with an own-property check, like getOwn
        if (field.name === '__typename') {
          out.push({ k: 'typename', name, guarded, skip, include });
          continue;
        }
        const type = field.definition.type!;
        out.push({
          k: 'field',
          name,
          guarded,
          skip,
          include,
          type: this.compileType(type, selection.selectionSet),
          composite: !!selection.selectionSet,
        });
      } else {
        const fragment = selection.element;
        out.push({
          k: 'fragment',
          skip,
          include,
          condition: fragment.typeCondition,
          selections: this.compileSet(selection.selectionSet),
          applies: new Map(),
        });
      }
    }
    return out;
  }

  private compileType(type: OutputType, set: SelectionSet | undefined): TypeShape {
    if (isNonNullType(type)) return { k: 'nonNull', of: this.compileType(type.ofType, set) };
    if (isListType(type)) return { k: 'list', of: this.compileType(type.ofType, set) };
    if (isCompositeType(type)) {
      if (!set) throw BAIL;
      return { k: 'composite', type, selections: this.compileSet(set) };
    }
    return { k: 'leaf', valid: leafCheck(this.schema, type) };
  }

  private type(name: string) {
    let t = this.typeCache.get(name);
    if (t === undefined) this.typeCache.set(name, (t = this.schema.type(name) ?? null));
    return t;
  }

  /**
   * computeResponse's result for this operation over `input` (the query plan's merged data): the compiled walk,
   * or computeResponse itself whenever the walk would not be error-free.
   */
  shape(input: Record<string, unknown>, variables: Record<string, unknown> | undefined): ShapedResponse {
    const vars = this.hasConditions ? { ...this.defaults, ...variables } : this.defaults;
    try {
      // Plain objects (not null-prototype ones like Apollo's): V8 keeps them in fast mode, so building and
      // serialising them is cheaper; `__proto__` never is a response name here (compile() refuses it) and JSON.stringify
      // reads own properties only, so the JSON is the same.
      const data: Record<string, unknown> = {};
      this.applySet(input, this.root, data, this.rootType, vars);
      return { data, errors: [] };
    } catch (err) {
      if (err !== BAIL) throw err;
    }
    return computeResponse({
      operation: this.operation,
      variables,
      input,
      introspectionHandling: () => {
        throw new Error('introspection is not shaped here'); // compile() refuses operations that select it
      },
    }) as ShapedResponse;
  }

  private skipped(sel: { skip: Condition; include: Condition }, vars: Record<string, unknown>): boolean {
    const value = (c: Condition) => {
      if (typeof c !== 'string') return c;
      const v = vars[c];
      if (typeof v !== 'boolean') throw BAIL; // computeResponse asserts a boolean
      return v;
    };
    return (
      (sel.skip !== undefined && value(sel.skip) === true) ||
      (sel.include !== undefined && value(sel.include) === false)
    );
  }

  private applySet(
    input: Record<string, unknown>,
    sels: Sel[],
    output: Record<string, unknown>,
    parentType: CompositeType,
    vars: Record<string, unknown>,
  ): void {
    for (let i = 0; i < sels.length; i++) {
      const sel = sels[i];
      if ((sel.skip !== undefined || sel.include !== undefined) && this.skipped(sel, vars)) continue;
      if (sel.k === 'field') {
        const raw = sel.guarded && !hasOwn(input, sel.name) ? undefined : input[sel.name];
        const existing = sel.guarded && !hasOwn(output, sel.name) ? undefined : output[sel.name];
        output[sel.name] = this.update(existing, sel.type, raw ?? null, sel.composite, vars);
      } else if (sel.k === 'typename') {
        if ((sel.guarded ? hasOwn(output, sel.name) : true) && output[sel.name] !== undefined) continue;
        let v = sel.guarded && !hasOwn(input, sel.name) ? null : (input[sel.name] ?? null);
        if (v === null && sel.name !== '__typename') v = input.__typename ?? null;
        const type = typeof v === 'string' ? (this.type(v) ?? parentType) : parentType;
        if (!isObjectType(type)) throw BAIL;
        output[sel.name] = type.name;
      } else {
        const typename = input.__typename;
        if (typename !== undefined && typename !== null && typeof typename !== 'string') throw BAIL;
        if (this.applies(sel, typename as string | undefined | null, parentType)) {
          this.applySet(input, sel.selections, output, sel.condition ?? parentType, vars);
        }
      }
    }
  }

  /** typeConditionApplies of resultShaping.ts, memoised per fragment and runtime type. */
  private applies(
    sel: Extract<Sel, { k: 'fragment' }>,
    typename: string | undefined | null,
    parentType: CompositeType,
  ): boolean {
    const condition = sel.condition;
    if (!condition) return true;
    const key = typename ? typename : `\u0000${parentType.name}`;
    let r = sel.applies.get(key);
    if (r === undefined) {
      if (typename) {
        const t = this.type(typename);
        r = !!t && isSubtype(condition, t);
      } else r = isSubtype(condition, parentType);
      sel.applies.set(key, r);
    }
    return r;
  }

  private update(
    out: unknown,
    t: TypeShape,
    input: unknown,
    composite: boolean,
    vars: Record<string, unknown>,
  ): unknown {
    if (out === null || (out !== undefined && !composite)) return out;
    if (t.k === 'nonNull') {
      const r = this.update(out, t.of, input, composite, vars);
      if (r === null) throw BAIL; // a null error and null propagation: computeResponse reports them
      return r;
    }
    if (input === null) return null;
    if (input === undefined) throw BAIL;
    if (t.k === 'list') {
      if (!Array.isArray(input)) throw BAIL;
      if (out !== undefined && (!Array.isArray(out) || out.length !== input.length)) throw BAIL;
      const list = out as unknown[] | undefined;
      const r = new Array(input.length);
      for (let i = 0; i < input.length; i++)
        r[i] = this.update(list ? list[i] : undefined, t.of, input[i], composite, vars);
      return r;
    }
    if (t.k === 'composite') {
      if (typeof input !== 'object' || Array.isArray(input)) throw BAIL;
      if (out !== undefined && typeof out !== 'object') throw BAIL;
      const typename = (input as Record<string, unknown>).__typename;
      let objType = t.type;
      if (typename !== undefined) {
        if (typeof typename !== 'string') throw BAIL;
        if (typename) {
          const named = this.type(typename);
          if (!named || !isCompositeType(named)) throw BAIL;
          objType = named;
        }
      }
      const o = (out as Record<string, unknown> | undefined) ?? {};
      this.applySet(input as Record<string, unknown>, t.selections, o, objType, vars);
      return o;
    }
    if (out !== undefined) throw BAIL;
    if (!t.valid(input)) throw BAIL;
    return input;
  }
}
