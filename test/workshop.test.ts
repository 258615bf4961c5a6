// `image-heist workshop --attendees 3` as an instructor starts it (the real binary, --json events): every
// attendee plays the story with real kubectl on their own kubeconfig and reads only their own flag; one
// attendee's token is refused (401) by another's API server; a second workshop on the same folder exits 2; and
// Ctrl-C leaves no port and no file behind.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../src/lab/backend.js';
import type { WorkshopEvent } from '../src/workshop/monitor.js';
import { portClosed } from './support/ports.js';
import { BIN } from './support/tmux.js';

const ATTENDEES = 3;
let root: string;
let dir: string;
let workshop: ResultPromise<{ buffer: false; reject: false }> | undefined;
const events: WorkshopEvent[] = [];
let infos: LabInfo[] = [];

function waitFor(test: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (test()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events).slice(0, 2000)}`));
      else setTimeout(poll, 100);
    };
    poll();
  });
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'image-heist-workshop-'));
  dir = path.join(root, 'room');
  workshop = execa(process.execPath, [BIN, 'workshop', '--attendees', String(ATTENDEES), '--dir', dir, '--json', '--time-scale', '10'], { buffer: false, reject: false as const });
  let pending = '';
  workshop.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as WorkshopEvent);
  });
  await waitFor(() => events.filter((e) => e.event === 'ready').length === ATTENDEES, 90_000, 'every lab ready');
  infos = await Promise.all(Array.from({ length: ATTENDEES }, async (_, i) => JSON.parse(await readFile(path.join(dir, `attendee-${i + 1}`, 'lab.json'), 'utf8')) as LabInfo));
}, 120_000);

afterAll(async () => {
  workshop?.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

const kubectl = (info: LabInfo, context: string, args: string[]) => execa('kubectl', ['--kubeconfig', info.kubeconfig, '--context', context, ...args], { reject: false });

/** The story as the handout says it: Admin1 with the pull secret, then Admin2 with IfNotPresent on the same node. */
async function playStory(info: LabInfo): Promise<string> {
  const node = info.nodes[0]!;
  const run1 = await kubectl(info, 'admin1', [
    'run',
    'pod1',
    `--image=${info.images.secret}`,
    `--overrides={"spec":{"nodeName":"${node}","imagePullSecrets":[{"name":"${info.tenants.admin1.pullSecret}"}]}}`,
  ]);
  expect(run1.stderr).toBe('');
  expect((await kubectl(info, 'admin1', ['wait', '--for=condition=Ready', 'pod/pod1', '--timeout=60s'])).exitCode).toBe(0);
  expect(
    (await kubectl(info, 'admin2', ['run', 'pod2', `--image=${info.images.secret}`, '--image-pull-policy=IfNotPresent', `--overrides={"spec":{"nodeName":"${node}"}}`])).exitCode,
  ).toBe(0);
  expect((await kubectl(info, 'admin2', ['wait', '--for=condition=Ready', 'pod/pod2', '--timeout=60s'])).exitCode).toBe(0);
  const forbidden = await kubectl(info, 'admin2', ['get', 'secrets', '-n', info.tenants.admin1.namespace]);
  expect(forbidden.stderr).toContain('Forbidden');
  return (await kubectl(info, 'admin2', ['logs', 'pod2'])).stdout;
}

/** GET /api/v1/namespaces with a bearer token, TLS unchecked (the other lab's CA is not ours): the status code. */
function statusWithToken(apiServer: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${apiServer}/api/v1/namespaces`, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

const tokenOf = async (info: LabInfo, user: string): Promise<string> => {
  const { parse } = await import('yaml');
  const config = parse(await readFile(info.kubeconfig, 'utf8')) as { users: { name: string; user: { token: string } }[] };
  return config.users.find((u) => u.name === user)!.user.token;
};

describe('image-heist workshop', () => {
  it("writes up's two files and a handout per attendee, each lab its own API server, registry and flag", async () => {
    expect(new Set(infos.map((i) => i.apiServer)).size).toBe(ATTENDEES);
    expect(new Set(infos.map((i) => i.registry.host)).size).toBe(ATTENDEES);
    expect(new Set(infos.map((i) => i.flag)).size).toBe(ATTENDEES);
    for (let k = 1; k <= ATTENDEES; k++) {
      const files = (await readdir(path.join(dir, `attendee-${k}`))).sort();
      expect(files).toEqual(['audit.log', 'handout.md', 'kubeconfig', 'lab.json']);
      const info = infos[k - 1]!;
      expect(Object.keys(info)).toEqual(['profile', 'apiServer', 'kubeconfig', 'registry', 'tenants', 'images', 'flag', 'nodes', 'auditLog']);
      expect(info.auditLog).toBe(path.join(dir, `attendee-${k}`, 'audit.log'));
      expect(info.kubeconfig).toBe(path.join(dir, `attendee-${k}`, 'kubeconfig'));
      const handout = await readFile(path.join(dir, `attendee-${k}`, 'handout.md'), 'utf8');
      expect(handout).toContain(`# image-heist workshop — attendee ${k}`);
      expect(handout).toContain(info.images.secret);
      expect(handout).toContain(info.kubeconfig);
    }
  });

  it("each attendee's kubeconfig plays the story with kubectl and reads only their own flag", async () => {
    const logs = await Promise.all(infos.map((info) => playStory(info)));
    logs.forEach((log, i) => {
      expect(log).toContain(infos[i]!.flag);
      for (const [j, other] of infos.entries()) if (j !== i) expect(log).not.toContain(other.flag);
    });
    // the board saw it: each attendee's verdict is the bypass (profile none), from their own lab
    await waitFor(
      () => infos.every((_, i) => events.some((e) => e.event === 'verdict' && e.attendee === i + 1 && e.verdict === 'bypass')),
      30_000,
      'a bypass verdict per attendee',
    );
  }, 180_000);

  it("attendee 1's token is refused (401) by attendee 2's API server, and accepted by their own", async () => {
    const [one, two] = infos as [LabInfo, LabInfo];
    for (const user of ['admin', 'admin1', 'admin2']) {
      const token = await tokenOf(one, user);
      expect(await statusWithToken(two.apiServer, token)).toBe(401);
    }
    expect(await statusWithToken(one.apiServer, await tokenOf(one, 'admin'))).toBe(200);
    // kubectl pointed at another attendee's server with attendee 1's kubeconfig cannot even verify it (another CA)
    const cross = await execa('kubectl', ['--kubeconfig', one.kubeconfig, '--context', 'admin', '--server', two.apiServer, 'get', 'ns'], { reject: false });
    expect(cross.exitCode).not.toBe(0);
  });

  it('a second workshop on the same folder exits 2 and touches nothing', async () => {
    const second = await execa(process.execPath, [BIN, 'workshop', '--attendees', '1', '--dir', dir, '--json'], { reject: false });
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(/another image-heist up \(process \d+\) is using/);
    expect((await readdir(path.join(dir, 'attendee-1'))).sort()).toEqual(['audit.log', 'handout.md', 'kubeconfig', 'lab.json']);
  }, 60_000);

  it('bad input is one line and exit 2', async () => {
    for (const args of [
      ['--attendees', '0'],
      ['--attendees', 'x'],
      ['--attendees', '2', '--profile', 'nope'],
      ['--attendees', '2', '--listen', '0.0.0.0'],
    ]) {
      const result = await execa(process.execPath, [BIN, 'workshop', ...args, '--dir', path.join(root, 'bad')], { reject: false });
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 60_000);

  it('Ctrl-C stops every lab: no port answers and no file is left', async () => {
    const ports = infos.flatMap((i) => [Number(new URL(i.apiServer).port), Number(i.registry.host.split(':')[1])]);
    workshop!.kill('SIGINT');
    const result = await workshop!;
    expect(result.exitCode).toBe(0);
    expect(events.at(-1)?.event).toBe('stopped');
    for (const port of ports) expect(await portClosed(port)).toBe(true);
    expect(await readdir(root)).toEqual([]); // the room folder was ours, and it is gone
  }, 60_000);
});
