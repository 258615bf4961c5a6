// The room in-process: --listen binds another address and the certificate names it (kubectl verifies TLS against
// it); a profile switch starts every lab again under the new profile, with new files; a stopped room leaves nothing.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../src/lab/backend.js';
import { readLabSnapshot } from '../src/tutorial/lab-snapshot.js';
import { startRoom } from '../src/workshop/room.js';
import { portClosed } from './support/ports.js';
import { admin1RunsTheSecretImage, admin2RunsTheCachedImage, labKubectl } from './support/story.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'image-heist-workshop-room-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const labJson = async (dir: string, k: number) => JSON.parse(await readFile(path.join(dir, `attendee-${k}`, 'lab.json'), 'utf8')) as LabInfo;

describe('workshop room', () => {
  it('--listen 127.0.0.2: the API server binds it, its certificate names it, kubectl verifies it', async () => {
    const dir = path.join(root, 'listen');
    const room = await startRoom({ attendees: 1, profile: 'none', dir, listen: '127.0.0.2', timeScale: 10 });
    try {
      const info = await labJson(dir, 1);
      expect(info.apiServer).toMatch(/^https:\/\/127\.0\.0\.2:\d+$/);
      const port = Number(new URL(info.apiServer).port);
      expect(await portClosed(port)).toBe(true); // nothing on 127.0.0.1:port: only the named address
      const result = await execa('kubectl', ['--kubeconfig', info.kubeconfig, '--context', 'admin1', 'get', 'pods'], { reject: false });
      expect(result.stderr).not.toMatch(/certificate|x509/);
      expect(result.exitCode).toBe(0);
      expect(await readFile(path.join(dir, 'attendee-1', 'handout.md'), 'utf8')).toContain('Copy `');
    } finally {
      await room.stop();
    }
    expect(existsSync(dir)).toBe(false);
  }, 120_000);

  it('a profile switch starts every lab again under the new profile, with new kubeconfigs; --keep keeps the files', async () => {
    const dir = path.join(root, 'switch');
    const room = await startRoom({ attendees: 2, profile: 'none', dir, keep: true, timeScale: 10 });
    let after: LabInfo[];
    try {
      const before = [await labJson(dir, 1), await labJson(dir, 2)];
      await room.switchProfile('always-pull-images');
      after = [await labJson(dir, 1), await labJson(dir, 2)];
      expect(room.profile).toBe('always-pull-images');
      for (const [i, info] of after.entries()) {
        expect(info.profile).toBe('always-pull-images');
        expect(info.apiServer).not.toBe(before[i]!.apiServer);
        expect(await portClosed(Number(new URL(before[i]!.apiServer).port))).toBe(true);
        // the new lab answers with the new kubeconfig at the same path
        expect((await execa('kubectl', ['--kubeconfig', info.kubeconfig, '--context', 'admin2', 'get', 'pods'], { reject: false })).exitCode).toBe(0);
      }
    } finally {
      await room.stop();
    }
    for (const info of after) expect(await portClosed(Number(new URL(info.apiServer).port))).toBe(true);
    expect(existsSync(path.join(dir, 'attendee-1', 'lab.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'attendee-2', 'handout.md'))).toBe(true);
  }, 180_000);

  it("the board's in-process reader sees exactly what the tutorial reads over HTTPS, policies and refusals too", async () => {
    const dir = path.join(root, 'reader');
    const room = await startRoom({ attendees: 1, profile: 'none', dir, timeScale: 10 });
    try {
      const seat = room.seats[0]!;
      const info = await labJson(dir, 1);
      const kubectl = labKubectl(info);
      expect(await seat.snapshot()).toEqual(await readLabSnapshot(seat.dir)); // no pods yet
      await admin1RunsTheSecretImage(info);
      await admin2RunsTheCachedImage(info);
      await kubectl('admin2', ['wait', '--for=condition=Ready', 'pod/pod2', '--timeout=60s']);
      // a policy (chapter 6's evidence) and a pod create it refuses, in the audit log (chapter 7's)
      const policy = {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: 'always-pull' },
        spec: {
          matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] },
          validations: [{ expression: "object.spec.containers.all(c, c.imagePullPolicy == 'Always')" }],
        },
      };
      const binding = {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'always-pull' },
        spec: { policyName: 'always-pull', validationActions: ['Deny'] },
      };
      for (const object of [policy, binding])
        await execa('kubectl', ['--kubeconfig', info.kubeconfig, '--context', 'admin', 'apply', '-f', '-'], { input: JSON.stringify(object) });
      let refused = false;
      for (let i = 0; i < 50 && !refused; i++) {
        refused = (await kubectl('admin2', ['run', `peek${i}`, `--image=${info.images.public}`, '--image-pull-policy=IfNotPresent']).catch(() => undefined)) === undefined;
        if (!refused) await new Promise((r) => setTimeout(r, 100));
      }
      expect(refused).toBe(true);
      const inProcess = await seat.snapshot();
      const overHttps = await readLabSnapshot(seat.dir);
      expect(inProcess.kind).toBe('lab');
      if (inProcess.kind !== 'lab') return;
      expect(inProcess.pods.filter((p) => p.name.startsWith('pod')).map((p) => [p.name, p.status])).toEqual([
        ['pod1', 'Running'],
        ['pod2', 'Running'],
      ]);
      expect(inProcess.pods.find((p) => p.name === 'pod2')!.log).toContain(info.flag);
      expect(new Set(inProcess.refusals?.map((r) => `${r.user} ${r.code}`))).toEqual(new Set(['admin2 422']));
      expect(inProcess.policies?.map((p) => p.name)).toEqual(['always-pull']);
      // each read's dry-run probes are refused creates too (audited as upstream audits dry runs): the reads differ
      // by those alone
      const own = (r: { name: string }) => r.name !== 'image-heist-policy-probe';
      const { refusals: refusalsIn, ...restIn } = inProcess;
      const { refusals: refusalsOut, ...restOut } = overHttps as typeof inProcess;
      expect(restIn).toEqual(restOut);
      expect(refusalsIn?.filter(own)).toEqual(refusalsOut?.filter(own));
      expect(refusalsIn?.filter(own).length).toBeGreaterThan(0);
    } finally {
      await room.stop();
    }
  }, 120_000);
});
