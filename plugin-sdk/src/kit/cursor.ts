// Opaque pagination cursors: a tuple of sort-key values, base64url(JSON). Decoding checks the shape the list expects
// (arity and each part's kind), so a cursor of another list, a truncated or an edited one is a BAD_USER_INPUT naming
// the argument — never a SQL error or a silently wrong page.
import { badInput } from '../errors.ts';
import { isDateTime, isUuid } from './validate.ts';

export type CursorPart = 'string' | 'int' | 'number' | 'uuid' | 'datetime';
type PartValue<P extends CursorPart> = P extends 'int' | 'number' ? number : string;
export type CursorValues<S extends readonly CursorPart[]> = {
  -readonly [I in keyof S]: S[I] extends CursorPart ? PartValue<S[I]> : never;
};

export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

const checks: Record<CursorPart, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  int: (v) => Number.isSafeInteger(v),
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  uuid: isUuid,
  datetime: isDateTime,
};

/** The cursor's parts (typed by `shape`), null when absent; BAD_USER_INPUT naming `field` when it is not one of ours. */
export function decodeCursor<const S extends readonly CursorPart[]>(
  field: string,
  cursor: string | null | undefined,
  shape: S,
): CursorValues<S> | null {
  if (cursor == null || cursor === '') return null;
  let parts: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || parts.length !== shape.length || !shape.every((kind, i) => checks[kind](parts[i]))) {
    throw badInput(
      field,
      'is not a cursor returned by this API (pass pageInfo.endCursor of the previous page unchanged)',
    );
  }
  return parts as CursorValues<S>;
}
