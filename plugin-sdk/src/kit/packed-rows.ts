// Many rows as one JSON value of arrays: the statement selects `coalesce(json_agg(json_build_array(c1, c2, …)), '[]')`
// and the caller rebuilds objects keyed by column name. One value is several times cheaper to decode than many typed
// rows (notably on PGlite, whose rows cross a thread as text), and arrays do not write and parse every column's name
// on every row: measured on PGlite (bench/tools/stmt-probe.ts), 70 hotspot rows of 20 columns 1.48 → 1.15 ms of
// database time per statement, with JSON objects (json_agg of the row) as the baseline.

export interface PackedRows<Row> {
  /** The columns' output names, in order: the keys of the rebuilt rows. */
  readonly names: readonly string[];
  /**
   * The SQL aggregate of `alias`'s rows (a subquery or table alias that has these columns) as one JSON array of arrays,
   * `[]` when there are none, in `orderBy` order (an ORDER BY list, without the keywords).
   */
  sql(alias: string, orderBy?: string): string;
  /** The packed value back as rows. */
  unpack(packed: readonly (readonly unknown[])[]): Row[];
}

/** Splits a select list at its top-level commas (not those inside parentheses or quotes). */
function splitList(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(list.slice(start, i));
      start = i + 1;
    }
  }
  out.push(list.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

/** The output name of one select-list item: its alias, else the column's name (without table prefix or quotes). */
function outputName(item: string): string {
  const alias = /\s+AS\s+("?)([A-Za-z_][A-Za-z0-9_]*)\1$/i.exec(item);
  if (alias) return alias[2];
  const bare = /(?:^|\.)("?)([A-Za-z_][A-Za-z0-9_]*)\1$/.exec(item);
  if (!bare) throw new Error(`packedRows: name the expression "${item}" with AS`);
  return bare[2];
}

/**
 * Packing for rows with these columns: a select list (`"s.id, s.name, lower(x) AS y"`: output names as PostgreSQL
 * gives them, expressions need AS) or the output names themselves.
 */
export function packedRows<Row>(columns: string | readonly string[]): PackedRows<Row> {
  const names = Object.freeze(typeof columns === 'string' ? splitList(columns).map(outputName) : [...columns]);
  // json_build_array takes at most 100 arguments (PostgreSQL's FUNC_MAX_ARGS).
  if (!names.length || names.length > 100) throw new Error(`packedRows: 1..100 columns (got ${names.length})`);
  if (new Set(names).size !== names.length) throw new Error(`packedRows: a column name repeats (${names.join(', ')})`);
  for (const n of names)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`packedRows: "${n}" is not a plain column name`);
  // One object literal per row, compiled once: every row gets the same shape by named stores (a loop of keyed stores
  // was 2.4 % of the gateway's busy time under bench/load). The names are plain identifiers (checked above).
  const build = new Function('a', `return { ${names.map((c, i) => `${c}: a[${i}]`).join(', ')} };`) as (
    a: readonly unknown[],
  ) => Row;
  return {
    names,
    sql(alias, orderBy) {
      const values = names.map((c) => `${alias}."${c}"`).join(', ');
      return `coalesce(json_agg(json_build_array(${values})${orderBy ? ` ORDER BY ${orderBy}` : ''}), '[]')`;
    },
    unpack(packed) {
      const rows = new Array<Row>(packed.length);
      for (let r = 0; r < packed.length; r++) rows[r] = build(packed[r]);
      return rows;
    },
  };
}
