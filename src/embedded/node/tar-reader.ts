// A synchronous reader for the tar archives of image layers (POSIX ustar, with PAX `path`/`linkpath` records
// and GNU long names), for laying out unpacked layers on the node. Bounded: it stops at `maxEntries`.
export interface TarMember {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'link' | 'other';
  mode: number;
  linkname: string;
  content: Uint8Array;
}

const text = (b: Uint8Array, start: number, length: number): string => {
  const slice = b.subarray(start, start + length);
  const end = slice.indexOf(0);
  return Buffer.from(end === -1 ? slice : slice.subarray(0, end)).toString('utf8');
};
const octal = (b: Uint8Array, start: number, length: number): number => Number.parseInt(text(b, start, length).trim() || '0', 8) || 0;

/** Parses PAX extended header records (`<len> key=value\n`). */
function pax(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const s = Buffer.from(data).toString('utf8');
  let i = 0;
  while (i < s.length) {
    const space = s.indexOf(' ', i);
    const len = Number.parseInt(s.slice(i, space), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = s.slice(space + 1, i + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    i += len;
  }
  return out;
}

export function readTar(archive: Uint8Array, maxEntries = 100_000): TarMember[] {
  const members: TarMember[] = [];
  let offset = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let paxRecords: Map<string, string> | undefined;
  while (offset + 512 <= archive.byteLength && members.length < maxEntries) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const flag = String.fromCharCode(header[156] ?? 0x30);
    const body = archive.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (flag === 'x') {
      paxRecords = pax(body);
      continue;
    }
    if (flag === 'g') continue;
    if (flag === 'L') {
      longName = text(body, 0, body.byteLength);
      continue;
    }
    if (flag === 'K') {
      longLink = text(body, 0, body.byteLength);
      continue;
    }
    const prefix = text(header, 345, 155);
    let name = longName ?? paxRecords?.get('path') ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    const linkname = longLink ?? paxRecords?.get('linkpath') ?? text(header, 157, 100);
    longName = longLink = paxRecords = undefined;
    name = name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    const type = flag === '0' || flag === '\0' || flag === '7' ? 'file' : flag === '5' ? 'dir' : flag === '2' ? 'symlink' : flag === '1' ? 'link' : 'other';
    members.push({ name, type, mode: octal(header, 100, 8) & 0o7777, linkname, content: type === 'file' ? body : new Uint8Array() });
  }
  return members;
}
