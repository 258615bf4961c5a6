// Reads a gzip (or plain) tar layer into its entries, e.g. to find /flag.txt in a pulled image.
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import type { TarEntry } from './image-builder.js';

export async function readLayer(data: Buffer, maxBytes = 256 * 1024 * 1024): Promise<TarEntry[]> {
  const tar = data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data, { maxOutputLength: maxBytes }) : data;
  const ex = extract();
  const entries: TarEntry[] = [];
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        const type = header.type === 'directory' ? 'directory' : header.type === 'symlink' ? 'symlink' : 'file';
        entries.push({
          path: header.name.replace(/^\.?\//, '').replace(/\/$/, ''),
          type,
          mode: header.mode ?? 0,
          ...(type === 'symlink' ? { target: header.linkname ?? '' } : {}),
          ...(type === 'file' ? { content: Buffer.concat(chunks) } : {}),
        });
        next();
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(tar);
  await done;
  return entries;
}
