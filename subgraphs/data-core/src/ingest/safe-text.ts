// Text that came from an upload (header names, cell values, parser and database messages) made safe to store and
// show: PostgreSQL text refuses 0x00, so a NUL is written as the two characters `\0`; other control characters
// become `\xNN`; unpaired UTF-16 surrogates become U+FFFD; long text is cut.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function safeText(s: string, max = 2000): string {
  let out = s.replace(CONTROL, (c) => (c === '\u0000' ? '\\0' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  out = out.replace(LONE_SURROGATE, '\ufffd');
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/** A value quoted for a message: `"abc"`, shortened, control characters visible. */
export function quoted(s: string, max = 60): string {
  return `"${safeText(s, max)}"`;
}

/** Whether a string can be stored as PostgreSQL text/jsonb as it is (no NUL, no unpaired surrogate). */
export function storable(s: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return !s.includes('\u0000') && !LONE_SURROGATE.test(s);
}
