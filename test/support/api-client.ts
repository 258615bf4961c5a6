// Raw HTTPS to an embedded API server as one of its users: what a hostile tenant sends, byte for byte.
import { Agent, request } from 'node:https';

export interface Reply {
  code: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RawClient {
  (method: string, path: string, body?: string | Buffer, headers?: Record<string, string | string[]>): Promise<Reply>;
}

/** A client for `url` trusting `caPem`, sending `token` (none when undefined) on a kept-alive connection pool. */
export function rawClient(url: string, caPem: string, token: string | undefined): RawClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 8, ca: caPem });
  return (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = request(
        new URL(path, url),
        {
          method,
          agent,
          ca: caPem,
          headers: {
            ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}),
            ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
}

/** The Status of an error reply (throws if the reply is not one). */
export function statusOf(reply: Reply): { code: number; reason?: string; message: string; details?: { causes?: { field?: string; message: string }[] } } {
  const parsed = JSON.parse(reply.body) as { kind: string; code: number; reason?: string; message: string };
  if (parsed.kind !== 'Status') throw new Error(`not a Status: ${reply.body.slice(0, 200)}`);
  return parsed;
}
