// Request bodies and the small HTTP pieces the registry's handlers share: reading a body chunk by chunk under a
// limit, the spec's pagination (n, last), and single byte ranges of a blob GET.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RegistryError } from './errors.js';

/** Reads a request body chunk by chunk; a throwing sink stops reading (the connection is closed after the reply). */
export function consumeBody(req: IncomingMessage, sink: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      req.pause();
      reject(error);
    };
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        sink(chunk);
      } catch (error) {
        fail(error);
      }
    });
    req.on('end', () => {
      if (!failed) resolve();
    });
    req.on('error', fail);
    req.on('aborted', () => fail(new RegistryError('BLOB_UPLOAD_INVALID', null, { message: 'request aborted' })));
  });
}

export async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  await consumeBody(req, (chunk) => {
    size += chunk.length;
    if (size > limit) throw new RegistryError('SIZE_INVALID', { limit }, { message: `body exceeds the limit of ${limit} bytes`, status: 413 });
    chunks.push(chunk);
  });
  return Buffer.concat(chunks, size);
}

/** `n` and `last` of the spec's paginated listings ("Listing Tags", catalog). */
export function paginate(all: string[], query: URLSearchParams, link: string, res: ServerResponse): string[] {
  const nText = query.get('n');
  const last = query.get('last');
  let items = last === null ? all : all.filter((t) => t > last);
  if (nText !== null) {
    if (!/^\d{1,9}$/.test(nText)) throw new RegistryError('PAGINATION_NUMBER_INVALID', { n: nText.slice(0, 20) });
    const n = Number(nText);
    if (items.length > n) {
      items = items.slice(0, n);
      const next = items.at(-1);
      if (next !== undefined) res.setHeader('Link', `<${link}?n=${n}&last=${encodeURIComponent(next)}>; rel="next"`);
    }
  }
  return items;
}

export function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // not a single range we understand: serve it whole (RFC 9110 allows)
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
