// Argument validation shared by every plugin: a bad value is a BAD_USER_INPUT error naming the argument and saying
// what was expected (errors.ts `badInput`).
import { badInput } from '../errors.ts';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

/** `value` when it is a uuid; otherwise BAD_USER_INPUT naming `field` (`what` names the kind of id). */
export function parseUuid(field: string, value: string, what = 'an id'): string {
  if (!isUuid(value)) throw badInput(field, `"${value}" is not ${what} (uuid)`);
  return value;
}

export function parseUuids(field: string, values: readonly string[] | null | undefined, what = 'an id'): string[] {
  return (values ?? []).map((v) => parseUuid(field, v, what));
}

/** RFC 3339 date-time: a date, a time (seconds optional) and a zone (Z or ±hh:mm). */
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** The calendar date, the clock time and the offset exist (Date.parse would roll 2026-02-30 over to March 2). */
function realDateTime(m: RegExpExecArray): boolean {
  const [y, mo, d, h, mi, sec, oh, om] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const day = new Date(Date.UTC(y, mo - 1, d));
  return day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h < 24 && mi < 60 && sec < 60 && oh < 24 && om < 60;
}

export function isDateTime(value: unknown): value is string {
  const m = typeof value === 'string' ? DATE_TIME_RE.exec(value) : null;
  return !!m && realDateTime(m);
}

/** ISO-8601 timestamp with a time zone -> ms since epoch; otherwise BAD_USER_INPUT naming `field`. */
export function parseDateTime(field: string, value: string): number {
  const m = typeof value === 'string' ? DATE_TIME_RE.exec(value) : null;
  if (!m) throw badInput(field, `"${value}" is not an ISO-8601 timestamp with a time zone (e.g. 2026-11-27T00:00:00Z)`);
  if (!realDateTime(m)) throw badInput(field, `"${value}" is not a valid date`);
  return Date.parse(value);
}

/** A [from, to) range: both valid, `to` after `from`, at most `maxDays` long. Fields are named `from` and `to` unless given. */
export function parseRange(
  from: string,
  to: string,
  opts: { maxDays?: number; fromField?: string; toField?: string } = {},
): { from: number; to: number } {
  const fromField = opts.fromField ?? 'from';
  const toField = opts.toField ?? 'to';
  const f = parseDateTime(fromField, from);
  const t = parseDateTime(toField, to);
  if (t <= f) throw badInput(toField, `must be after ${fromField} (${from})`);
  if (opts.maxDays && t - f > opts.maxDays * 86_400_000)
    throw badInput(toField, `the range may span at most ${opts.maxDays} days`);
  return { from: f, to: t };
}

/** A page size: `first` (or `def` when absent), an integer 1..max; otherwise BAD_USER_INPUT naming `field`. */
export function parseFirst(first: number | null | undefined, def: number, max: number, field = 'first'): number {
  const n = first ?? def;
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw badInput(field, `must be an integer between 1 and ${max} (got ${n})`);
  return n;
}

// A UTC timestamp as PostgreSQL writes it in JSON (json_agg rows: "2026-12-04T22:47:32.123456+00:00"), with a day
// of month <= 28 so that no calendar check is needed: rewritten as text, the same string Date would give, 10x faster
// (entity joins convert several per row). Anything else takes the Date path.
const UTC_TEXT =
  /^(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d)(?:\.(\d{1,9}))?(?:Z|\+00:?00)$/;

/** A stored timestamp (Date, ISO string or ms) as an ISO-8601 UTC string; null stays null. */
export function toIso(value: Date | string | number): string;
export function toIso(value: Date | string | number | null | undefined): string | null;
export function toIso(value: Date | string | number | null | undefined): string | null {
  if (value == null) return null;
  if (typeof value === 'string') {
    const m = UTC_TEXT.exec(value);
    if (m) {
      const f = m[2];
      // Date keeps the first three digits of a fraction (truncates) and pads shorter ones.
      return `${m[1]}.${f === undefined ? '000' : f.length >= 3 ? f.slice(0, 3) : f.padEnd(3, '0')}Z`;
    }
  }
  return new Date(value).toISOString();
}
