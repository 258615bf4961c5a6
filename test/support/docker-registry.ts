// Starts Debian's docker-registry (distribution 2.8.2) on a free 127.0.0.1 port behind htpasswd auth,
// for interop tests and the benchmark. The caller must call stop().
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';

export interface DistributionRegistry {
  host: string;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** `htpasswd -Bbn USER PASS` from apache2-utils: the file format distribution's htpasswd auth reads. */
export async function debianHtpasswdLine(username: string, password: string): Promise<string> {
  const { stdout } = await execa('htpasswd', ['-Bbn', username, password]);
  return stdout.trim();
}

export async function startDistribution(htpasswdLines: string[]): Promise<DistributionRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'image-heist-distribution-'));
  const port = await freePort();
  await writeFile(path.join(dir, 'htpasswd'), `${htpasswdLines.join('\n')}\n`, { mode: 0o600 });
  await writeFile(
    path.join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: error, accesslog: { disabled: true } }',
      `storage: { filesystem: { rootdirectory: ${path.join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: 127.0.0.1:${port}, secret: not-a-secret-test-only }`,
      `auth: { htpasswd: { realm: basic-realm, path: ${path.join(dir, 'htpasswd')} } }`,
      '',
    ].join('\n'),
  );
  const child: ResultPromise = execa('docker-registry', ['serve', path.join(dir, 'config.yml')], { reject: false, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await child;
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.status === 401) return { host: `127.0.0.1:${port}`, url, dir, stop };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error('docker-registry did not start');
}
