// Streaming CSV reader: the ONE place that decides where a record ends. (A size guard in front of csv-parse used to
// track quotes its own way, disagreed with the parser on stray quotes and silently dropped megabytes of valid rows;
// csv-parse's own size limit cannot be used instead: skipping an oversize record loses the rest of its input chunk.)
//
// Rules (RFC 4180 with relaxed quotes; a well-formed file reads exactly as csv-parse with relax_quotes reads it):
// - `,` separates fields; a record ends at LF or CRLF (or at a lone CR when the file's first line ends that way).
// - A field that starts with `"` is quoted: `""` is a quote, and it may contain `,` and line breaks. A quote closes
//   it when followed by `,`, a line break or the end; otherwise the quotes are kept and the field goes on literally.
//   A `"` anywhere else (`5" pipes`) is an ordinary character.
// - Recovery, so that one stray quote cannot swallow the rest of a file: a record whose quoted field spans lines and
//   then does not close cleanly (quote followed by text), never closes, leaves the record with a different number of
//   fields than the header, or outgrows `maxRecordBytes`, is read again line by line (a quote that does not close on
//   its own line is then literal).
// - A longer line than `maxRecordBytes` is skipped to its end and reported (fields = null); memory stays bounded by
//   maxRecordBytes plus one input chunk.
// Every record carries its ordinal (`row`: 0 = header, then 1, 2, … for data records, blank lines included) and the
// file line it starts on, so row errors point at the right place in the file.
import { Transform, type TransformCallback } from 'node:stream';

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

export interface CsvRecord {
  /** 0 = header; data records 1, 2, … in file order (blank lines count, so row n is line n + 1 in a plain file). */
  row: number;
  /** 1-based line of the file where the record starts. */
  line: number;
  /** The fields, or null for a record longer than the limit (skipped). */
  fields: string[] | null;
}

type Scan =
  /** `multiline`: a quoted field spans lines; `suspect`: such a field did not close cleanly (quote then text). */
  | { kind: 'record'; end: number; fields: string[]; lines: number; multiline: boolean; suspect?: boolean }
  /** Needs more input; `multiline`: a quoted field already runs across a line break. */
  | { kind: 'more'; multiline: boolean };

/** Transform: Buffers in, arrays of CsvRecord out (one array per input chunk that completed records). */
export class CsvRecordReader extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  private row = 0;
  private line = 1;
  private headerFields: number | null = null;
  private sawHeader = false;
  /** Line break style, decided by the first one met: 'lf' (LF or CRLF) or 'cr' (lone CR). */
  private eol: 'lf' | 'cr' | null = null;
  /** Records starting before this offset of the pending input are read line by line (recovery). */
  private lineModeUntil = 0;
  /** Dropping an oversize line up to its end. */
  private skipping = false;
  private bomChecked = false;

  constructor(private maxRecordBytes = 1024 * 1024) {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(chunk, false);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.consume(Buffer.alloc(0), true);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  private consume(chunk: Buffer, eof: boolean): void {
    let buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (!this.bomChecked) {
      if (buf.length < 3 && !eof) {
        this.buf = buf;
        return;
      }
      this.bomChecked = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    const out: CsvRecord[] = [];
    let pos = 0;
    while (pos < buf.length) {
      if (this.skipping) {
        const nl = buf.indexOf(this.eol === 'cr' ? CR : LF, pos);
        if (nl < 0) {
          pos = buf.length;
          break;
        }
        this.skipping = false;
        this.line++;
        pos = nl + 1;
        continue;
      }
      const lineMode = pos < this.lineModeUntil;
      const scan = this.scanRecord(buf, pos, eof, lineMode);
      if (scan.kind === 'more') {
        const over = buf.length - pos > this.maxRecordBytes;
        if (scan.multiline && !lineMode && (eof || over)) {
          // A quoted field runs across lines and never closes (or outgrows the limit): read those lines one by one.
          this.lineModeUntil = buf.length;
          continue;
        }
        if (!over && !eof) break; // wait for the rest of the record
        // One line longer than the limit: report it and drop it up to its end.
        out.push(this.record(null, 0));
        this.skipping = !eof;
        pos = buf.length;
        break;
      }
      const size = scan.end - pos;
      if (
        scan.multiline &&
        !lineMode &&
        (scan.suspect ||
          size > this.maxRecordBytes ||
          (this.headerFields !== null && scan.fields.length !== this.headerFields))
      ) {
        // A quoted field swallowed line breaks and the record came out malformed: read those lines one by one.
        this.lineModeUntil = scan.end;
        continue;
      }
      pos = scan.end;
      if (!this.sawHeader && scan.fields.length === 1 && scan.fields[0] === '') {
        this.line += scan.lines; // blank lines before the header
        continue;
      }
      out.push(this.record(size > this.maxRecordBytes ? null : scan.fields, scan.lines));
    }
    this.buf = pos >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
    this.lineModeUntil = Math.max(0, this.lineModeUntil - pos);
    if (out.length) this.push(out);
  }

  private record(fields: string[] | null, lines: number): CsvRecord {
    const r: CsvRecord = { row: this.row, line: this.line, fields };
    if (!this.sawHeader) {
      this.sawHeader = true;
      if (fields) this.headerFields = fields.length;
    }
    this.row++;
    this.line += lines;
    return r;
  }

  /** Length of the line break at `i` (0 = none; -1 = a CR at the end of the input so far: cannot tell yet). */
  private breakAt(buf: Buffer, i: number, eof: boolean): number {
    const b = buf[i];
    if (b === LF) {
      if (this.eol === 'cr') return 0;
      this.eol ??= 'lf';
      return 1;
    }
    if (b !== CR) return 0;
    if (i + 1 >= buf.length && !eof) return -1;
    if (buf[i + 1] === LF) {
      if (this.eol === 'cr') return 1; // CR ends the record; the LF then is a blank one
      this.eol ??= 'lf';
      return 2;
    }
    if (this.eol === 'lf') return 0; // a lone CR in an LF file is data
    this.eol = 'cr';
    return 1;
  }

  /** First line break in [from, to), or -1 (without deciding the file's style). */
  private nextBreak(buf: Buffer, from: number, to: number): number {
    for (let j = from; j < to; j++) {
      const b = buf[j];
      if (b === LF && this.eol !== 'cr') return j;
      if (b === CR && (this.eol === 'cr' || (this.eol === null && buf[j + 1] !== LF))) return j;
    }
    return -1;
  }

  /** Line breaks in [from, to) (CRLF counts once). */
  private countBreaks(buf: Buffer, from: number, to: number): number {
    let n = 0;
    for (let j = from; j < to; j++) {
      const b = buf[j];
      if (b === LF) {
        if (this.eol !== 'cr') n++;
      } else if (b === CR && (this.eol === 'cr' || (this.eol === null && buf[j + 1] !== LF))) n++;
    }
    return n;
  }

  /**
   * Reads one record starting at `start`: a fast path for a line without quotes, else byte by byte.
   * `lineMode` (recovery): a quote that does not close on its own line is literal.
   */
  private scanRecord(buf: Buffer, start: number, eof: boolean, lineMode: boolean): Scan {
    if (this.eol !== null) {
      const brk = buf.indexOf(this.eol === 'lf' ? LF : CR, start);
      const stop = brk < 0 ? buf.length : brk;
      if (buf.subarray(start, stop).indexOf(QUOTE) < 0) {
        if (brk < 0 && !eof) return { kind: 'more', multiline: false };
        // LF files: a CR right before the LF belongs to the line break (a lone CR elsewhere is data).
        const end = brk >= 0 && this.eol === 'lf' && stop > start && buf[stop - 1] === CR ? stop - 1 : stop;
        return {
          kind: 'record',
          end: brk < 0 ? buf.length : brk + 1,
          fields: buf.toString('utf8', start, end).split(','),
          lines: 1,
          multiline: false,
        };
      }
    }
    const fields: string[] = [];
    let lines = 0;
    let multiline = false;
    let suspect = false;
    let i = start;
    for (;;) {
      if (i < buf.length && buf[i] === QUOTE) {
        // A quoted field: find its closing quote.
        let j = i + 1;
        let closed = -1;
        let relaxed = false;
        for (;;) {
          const k = buf.indexOf(QUOTE, j);
          if (lineMode && this.nextBreak(buf, j, k < 0 ? buf.length : k) >= 0) break; // not closed on its line
          if (k < 0) break;
          if (k + 1 >= buf.length && !eof)
            return { kind: 'more', multiline: multiline || this.nextBreak(buf, i + 1, k) >= 0 };
          if (buf[k + 1] === QUOTE) {
            j = k + 2;
            continue;
          }
          const after = k + 1;
          const brk = after < buf.length ? this.breakAt(buf, after, eof) : 0;
          if (brk < 0) return { kind: 'more', multiline: multiline || this.nextBreak(buf, i + 1, k) >= 0 };
          closed = k;
          relaxed = !(after >= buf.length || buf[after] === COMMA || brk > 0);
          break;
        }
        if (closed >= 0) {
          const crossed = this.countBreaks(buf, i + 1, closed);
          if (crossed) multiline = true;
          lines += crossed;
          let value = buf.toString('utf8', i + 1, closed);
          if (value.includes('""')) value = value.replaceAll('""', '"');
          if (!relaxed) {
            fields.push(value);
            i = closed + 1;
          } else {
            // As csv-parse with relax_quotes: the quotes stay and the field goes on literally to the next separator.
            const r = this.unquoted(buf, closed + 1, eof);
            if (r === null) return { kind: 'more', multiline };
            fields.push(`"${value}"${r.value}`);
            if (crossed) suspect = true;
            i = r.end;
          }
        } else {
          if (!lineMode) {
            // Not closed (yet). Across a line break, the caller decides (wait, or read line by line).
            const crosses = this.nextBreak(buf, i + 1, buf.length) >= 0;
            if (!eof || crosses) return { kind: 'more', multiline: multiline || crosses };
          }
          const r = this.unquoted(buf, i, eof); // the quote is literal
          if (r === null) return { kind: 'more', multiline };
          fields.push(r.value);
          i = r.end;
        }
      } else {
        const r = this.unquoted(buf, i, eof);
        if (r === null) return { kind: 'more', multiline };
        fields.push(r.value);
        i = r.end;
      }
      // After a field: separator, line break or end of input.
      if (i >= buf.length) {
        if (!eof) return { kind: 'more', multiline };
        return { kind: 'record', end: i, fields, lines: lines + 1, multiline, suspect };
      }
      if (buf[i] === COMMA) {
        i++;
        if (i < buf.length) continue;
        if (!eof) return { kind: 'more', multiline };
        fields.push('');
        return { kind: 'record', end: i, fields, lines: lines + 1, multiline, suspect };
      }
      const len = this.breakAt(buf, i, eof);
      if (len < 0) return { kind: 'more', multiline };
      return { kind: 'record', end: i + Math.max(len, 1), fields, lines: lines + 1, multiline, suspect };
    }
  }

  /** An unquoted field from `i` to the next comma or line break; null = needs more input. */
  private unquoted(buf: Buffer, i: number, eof: boolean): { value: string; end: number } | null {
    let j = i;
    for (; j < buf.length; j++) {
      const b = buf[j];
      if (b === COMMA) break;
      if (b === LF || b === CR) {
        const len = this.breakAt(buf, j, eof);
        if (len < 0) return null;
        if (len > 0) break;
      }
    }
    if (j >= buf.length && !eof) return null;
    return { value: buf.toString('utf8', i, j), end: j };
  }
}
