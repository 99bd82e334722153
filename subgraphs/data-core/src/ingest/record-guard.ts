// Guards the CSV parser against huge records (a 10 MB line): any record longer than `maxBytes` is
// dropped up to the next newline and replaced by a one-line marker, so row numbering stays aligned,
// memory stays bounded, and the importer reports a row error and continues. Quote-aware otherwise.
import { Transform, type TransformCallback } from 'node:stream';

export const OVERSIZE_MARKER = '\u0001cn-oversize-record\u0001';
const MARKER_LINE = Buffer.from(`${OVERSIZE_MARKER}\n`);
const NL = 0x0a;
const QUOTE = 0x22;

export class RecordGuard extends Transform {
  private inQuote = false;
  private recordBytes = 0;
  private skipping = false;
  /** Bytes of the current (not yet complete) record held back, so an oversize one is never emitted. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  bytesIn = 0;

  constructor(private maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytesIn += chunk.length;
    let start = 0; // first byte of this chunk not yet emitted or dropped
    let lastEnd = 0; // end (exclusive) of the last complete record seen in this chunk
    const release = (end: number) => {
      if (end <= start) return;
      if (this.pendingBytes) {
        for (const b of this.pending) this.push(b);
        this.pending = [];
        this.pendingBytes = 0;
      }
      this.push(chunk.subarray(start, end));
      start = end;
    };
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.skipping) {
        if (b === NL) {
          this.skipping = false;
          this.inQuote = false;
          this.recordBytes = 0;
          this.push(MARKER_LINE);
          start = lastEnd = i + 1;
        }
        continue;
      }
      this.recordBytes++;
      if (b === QUOTE) this.inQuote = !this.inQuote;
      else if (b === NL && !this.inQuote) {
        lastEnd = i + 1;
        this.recordBytes = 0;
        continue;
      }
      if (this.recordBytes > this.maxBytes) {
        release(lastEnd);
        // Drop the oversize record: what was held back and what this chunk has of it.
        this.pending = [];
        this.pendingBytes = 0;
        this.skipping = true;
        start = i + 1;
      }
    }
    if (!this.skipping) {
      release(lastEnd);
      if (start < chunk.length) {
        const rest = chunk.subarray(start);
        this.pending.push(rest);
        this.pendingBytes += rest.length;
      }
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.skipping) this.push(MARKER_LINE);
    else if (this.pendingBytes) for (const b of this.pending) this.push(b);
    done();
  }
}
