// What an upload really is, from its first bytes: gzip is recognised by its magic bytes (1f 8b) whatever the
// declared content type, and decompressed (a gzip file sent as text/csv used to reach the CSV parser as binary);
// ZIP archives (.xlsx workbooks) and UTF-16 text are refused with a message saying what to send instead.
import { Readable } from 'node:stream';

export interface Sniffed {
  /** The body, its first bytes put back. */
  stream: Readable;
  /** Decompress with gunzip. */
  gzip: boolean;
  /** Why the upload cannot be read as CSV (the job fails with this), or null. */
  refusal: string | null;
}

const hex = (b: Buffer) => [...b.subarray(0, 4)].map((x) => x.toString(16).padStart(2, '0')).join(' ');

export async function sniffUpload(body: Readable, declaredGzip: boolean): Promise<Sniffed> {
  const { head, stream } = await peek(body, 4);
  const isGzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (declaredGzip && !isGzip) {
    return {
      stream,
      gzip: false,
      refusal: head.length
        ? `declared as gzip but the body is not gzip (it starts with bytes ${hex(head)}, gzip starts with 1f 8b)`
        : 'empty upload: no header row',
    };
  }
  if (isGzip) return { stream, gzip: true, refusal: null };
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return {
      stream,
      gzip: false,
      refusal:
        'this is a ZIP archive (an Excel .xlsx workbook?), not CSV: save or export the sheet as "CSV UTF-8" and send that',
    };
  }
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
    return { stream, gzip: false, refusal: 'this file is UTF-16 text: save it as "CSV UTF-8" and send it again' };
  }
  return { stream, gzip: false, refusal: null };
}

/** Reads at least `n` bytes (fewer when the body is shorter) and returns them with a stream that still has them. */
function peek(body: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  // Already consumed (or never readable): nothing to read, and waiting for events would wait forever.
  if (body.readableEnded || body.destroyed)
    return Promise.resolve({ head: Buffer.alloc(0), stream: Readable.from([]) });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const detach = () => {
      body.off('readable', onReadable);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
    };
    const finish = (ended: boolean) => {
      detach();
      const all = Buffer.concat(chunks);
      if (ended) {
        // Everything was read already: a fresh stream of it (unshift is not allowed after the end).
        resolve({ head: all.subarray(0, n), stream: Readable.from(all.length ? [all] : []) });
      } else {
        if (all.length) body.unshift(all);
        resolve({ head: all.subarray(0, n), stream: body });
      }
    };
    const onReadable = () => {
      let c: Buffer | null;
      while (length < n && (c = body.read() as Buffer | null) !== null) {
        chunks.push(c);
        length += c.length;
      }
      if (length >= n) finish(false);
    };
    const onEnd = () => finish(true);
    const onError = (err: Error) => {
      detach();
      reject(err);
    };
    // The client went away before sending a few bytes.
    const onClose = () => {
      if (body.readableEnded) return;
      detach();
      reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    };
    body.on('readable', onReadable);
    body.once('end', onEnd);
    body.once('error', onError);
    body.once('close', onClose);
  });
}
