import { describe, expect, it } from 'vitest';
import type { PolicyFacts, PolicyProbes } from './policy-probe.js';
import { evaluateTask, TASKS, type LabSnapshot, type PodFacts, type Refusal } from './tasks.js';

const IMAGE = '127.0.0.1:5000/secure/super-secret-image:1';
const FLAG = 'FLAG{0123}';
const lab = (profile: 'none' | 'always-pull-images' | 'kubelet-default' | 'kubelet-always-verify', pods: PodFacts[]): LabSnapshot => ({
  kind: 'lab',
  profile,
  namespaces: { admin1: 'tenant-a', admin2: 'tenant-b' },
  secretImage: IMAGE,
  flag: FLAG,
  pods,
});
const OPENED = Date.parse('2026-01-01T10:00:00.500Z');
/** The chapter opened at OPENED with nothing in the lab before. */
const fresh = { openedAt: OPENED, before: new Set<string>() };
const pod = (over: Partial<PodFacts>): PodFacts => ({
  namespace: 'tenant-b',
  name: 'pod2',
  uid: 'u2',
  created: OPENED + 5_000,
  images: [IMAGE],
  pullPolicies: ['IfNotPresent'],
  status: 'Running',
  log: '',
  hostPaths: [],
  ...over,
});

const REFUSED = 'pods "node-reader" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes (volume "containerd")';
const refusal = (over: Partial<Refusal>): Refusal => ({ namespace: 'tenant-b', name: 'node-reader', user: 'admin2', code: 403, message: REFUSED, at: OPENED + 5_000, ...over });

describe('chapter 7: the node-access task in two parts', () => {
  const task = TASKS['07-out-of-band-node-access']!;
  const PUBLIC = '127.0.0.1:5000/public/hello:1';
  const reader = (over: Partial<PodFacts> = {}) =>
    pod({ name: 'node-reader', images: [PUBLIC], pullPolicies: ['Always'], status: 'Completed', hostPaths: ['/var/lib/containerd'], log: FLAG, ...over });
  const podSecurity = (refusals: Refusal[] | undefined): LabSnapshot => ({
    ...(lab('none', []) as Extract<LabSnapshot, { kind: 'lab' }>),
    profile: 'pod-security',
    ...(refusals ? { refusals } : {}),
  });

  it('part 1 under always-pull-images, then part 2 under pod-security; the first part is kept across labs', () => {
    const first = evaluateTask(task, lab('always-pull-images', [reader()]), fresh);
    expect(first).toEqual({
      kind: 'wrong-profile',
      hint: 'part 2, the refusal under pod-security: stop this lab and run image-heist up --profile pod-security',
      earned: [`tenant-b/node-reader read ${FLAG} via hostPath /var/lib/containerd`],
    });
    const earned = first.earned!;
    expect(evaluateTask(task, { kind: 'no-lab', dir: '/x' }, fresh, 'image-heist', earned)).toMatchObject({ kind: 'no-lab', earned });
    expect(evaluateTask(task, podSecurity([]), fresh, 'image-heist', earned)).toEqual({ kind: 'waiting', earned });
    const done = evaluateTask(task, podSecurity([refusal({})]), fresh, 'image-heist', earned);
    expect(done).toEqual({ kind: 'done', evidence: `${earned[0]}; tenant-b/node-reader refused: violates PodSecurity "baseline:latest": hostPath volumes (volume "containerd")` });
  });

  it('part 2 alone never ticks: the refusal needs part 1 done first', () => {
    expect(evaluateTask(task, podSecurity([refusal({})]), fresh)).toMatchObject({ kind: 'wrong-profile', hint: expect.stringContaining('needs the always-pull-images profile') });
  });

  it('a lying part 1 does not tick: a pod from before, Admin1’s pod, the secret image, no hostPath, no flag', () => {
    const waiting = { kind: 'waiting' };
    expect(evaluateTask(task, lab('always-pull-images', [reader({ created: OPENED - 60_000 })]), fresh)).toEqual(waiting);
    expect(evaluateTask(task, lab('always-pull-images', [reader({ created: OPENED - 500 })]), { openedAt: OPENED, before: new Set(['u2']) })).toEqual(waiting);
    // the flag from another tenant: Admin1 reading its own node
    expect(evaluateTask(task, lab('always-pull-images', [reader({ namespace: 'tenant-a' })]), fresh)).toEqual(waiting);
    expect(evaluateTask(task, lab('always-pull-images', [reader({ images: [IMAGE] })]), fresh)).toEqual(waiting);
    expect(evaluateTask(task, lab('always-pull-images', [reader({ hostPaths: [] })]), fresh)).toEqual(waiting);
    expect(evaluateTask(task, lab('always-pull-images', [reader({ log: 'FLAG{other}' })]), fresh)).toEqual(waiting);
    expect(evaluateTask(task, lab('none', [reader()]), fresh)).toMatchObject({ kind: 'wrong-profile' });
  });

  it('a lying part 2 does not tick: a refusal from before the chapter, in Admin1’s namespace, by RBAC, or no audit log', () => {
    const earned = ['part 1'];
    const waiting = { kind: 'waiting', earned };
    expect(evaluateTask(task, podSecurity([refusal({ at: OPENED - 1 })]), fresh, 'image-heist', earned)).toEqual(waiting);
    expect(evaluateTask(task, podSecurity([refusal({ namespace: 'tenant-a' })]), fresh, 'image-heist', earned)).toEqual(waiting);
    expect(
      evaluateTask(
        task,
        podSecurity([refusal({ message: 'pods is forbidden: User "admin2" cannot create resource "pods" in API group "" in the namespace "tenant-a"' })]),
        fresh,
        'image-heist',
        earned,
      ),
    ).toEqual(waiting);
    expect(
      evaluateTask(
        task,
        podSecurity([refusal({ message: 'pods "x" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)' })]),
        fresh,
        'image-heist',
        earned,
      ),
    ).toEqual(waiting);
    expect(evaluateTask(task, podSecurity(undefined), fresh, 'image-heist', earned)).toEqual(waiting);
  });
});

describe('tutorial tasks', () => {
  it('the attack ticks only when a pod of Admin2’s prints the flag', () => {
    const task = TASKS['03-the-attack']!;
    expect(evaluateTask(task, lab('none', [pod({ log: `the flag: ${FLAG}` })]), fresh)).toEqual({ kind: 'done', evidence: `tenant-b/pod2 printed ${FLAG}` });
    expect(evaluateTask(task, lab('none', [pod({ log: 'nothing' })]), fresh)).toEqual({ kind: 'waiting' });
    // Admin1's own pod printing the flag is no bypass
    expect(evaluateTask(task, lab('none', [pod({ namespace: 'tenant-a', log: FLAG })]), fresh)).toEqual({ kind: 'waiting' });
  });

  it('AlwaysPullImages ticks when Admin2’s pod fails to pull with the policy the plugin set', () => {
    const task = TASKS['04-always-pull-images']!;
    expect(evaluateTask(task, lab('always-pull-images', [pod({ pullPolicies: ['Always'], status: 'ImagePullBackOff' })]), fresh)).toMatchObject({ kind: 'done' });
    expect(evaluateTask(task, lab('always-pull-images', [pod({ pullPolicies: ['IfNotPresent'], status: 'ErrImagePull' })]), fresh)).toEqual({ kind: 'waiting' });
    expect(evaluateTask(task, lab('always-pull-images', [pod({ pullPolicies: ['Always'], status: 'Running' })]), fresh)).toEqual({ kind: 'waiting' });
    expect(evaluateTask(task, lab('always-pull-images', [pod({ pullPolicies: ['Always'], status: 'ErrImagePull', images: ['127.0.0.1:5000/public/hello:1'] })]), fresh)).toEqual({
      kind: 'waiting',
    });
  });

  it('the kubelet’s check ticks with IfNotPresent kept and the pull refused', () => {
    const task = TASKS['05-kubelet-ensure-secret-pulled-images']!;
    expect(evaluateTask(task, lab('kubelet-default', [pod({ status: 'ErrImagePull' })]), fresh)).toMatchObject({ kind: 'done' });
    expect(evaluateTask(task, lab('kubelet-default', [pod({ status: 'Running' })]), fresh)).toEqual({ kind: 'waiting' });
  });

  it('judges only pods made after the chapter opened: a pod from before (or seen before) never ticks', () => {
    const task = TASKS['04-always-pull-images']!;
    const failing = { pullPolicies: ['Always'], status: 'ImagePullBackOff' };
    // created a minute before the chapter opened: the previous chapter's work
    expect(evaluateTask(task, lab('always-pull-images', [pod({ ...failing, created: OPENED - 60_000 })]), fresh)).toEqual({ kind: 'waiting' });
    // created in the chapter's opening second but already there when the tutorial last looked
    expect(evaluateTask(task, lab('always-pull-images', [pod({ ...failing, created: OPENED - 500 })]), { openedAt: OPENED, before: new Set(['u2']) })).toEqual({ kind: 'waiting' });
    // the same second, not seen before: the learner's (creationTimestamp has whole seconds)
    expect(evaluateTask(task, lab('always-pull-images', [pod({ ...failing, created: OPENED - 500 })]), fresh)).toMatchObject({ kind: 'done' });
    const attack = TASKS['03-the-attack']!;
    expect(evaluateTask(attack, lab('none', [pod({ log: FLAG, created: OPENED - 10_000 })]), fresh)).toEqual({ kind: 'waiting' });
  });

  it('names the command as the learner invoked it in hints', () => {
    const task = TASKS['03-the-attack']!;
    expect(evaluateTask(task, { kind: 'no-lab', dir: '/x/.lab' }, fresh, 'npm start --')).toMatchObject({ hint: expect.stringContaining('npm start -- up --profile none') });
  });

  it('says how to start the right lab when there is none or another profile', () => {
    const task = TASKS['04-always-pull-images']!;
    expect(evaluateTask(task, { kind: 'no-lab', dir: '/x/.lab' }, fresh)).toEqual({
      kind: 'no-lab',
      hint: 'start the lab in another terminal: image-heist up --profile always-pull-images (looking in /x/.lab)',
    });
    expect(evaluateTask(task, lab('none', [pod({ pullPolicies: ['Always'], status: 'ErrImagePull' })]), fresh)).toMatchObject({ kind: 'wrong-profile' });
    expect(evaluateTask(task, { kind: 'unreachable', dir: '/x', message: 'ECONNREFUSED' }, fresh).kind).toBe('unreachable');
  });
});

describe('tutorial task 06-policy-alternatives', () => {
  const task = TASKS['06-policy-alternatives']!;
  const mine = { uid: 'p1', name: 'mine', created: OPENED + 3_000 };
  const refused = (name: string) => ({ allowed: false, message: `pods "x" is forbidden: ValidatingAdmissionPolicy '${name}' with binding 'b' denied request: no` });
  const admitted = { allowed: true, message: '' };
  const holds: PolicyProbes = { admin2Container: refused('mine'), admin2InitContainer: refused('mine'), admin2EphemeralContainer: refused('mine'), admin1Always: admitted };
  const withPolicy = (policies: PolicyFacts[], probes: PolicyProbes | undefined): LabSnapshot => ({
    ...(lab('none', []) as Extract<LabSnapshot, { kind: 'lab' }>),
    policies,
    ...(probes ? { policyProbes: probes } : {}),
  });

  it('ticks when a policy made since the chapter opened refuses all three of Admin2’s ways and admits Admin1', () => {
    expect(evaluateTask(task, withPolicy([mine], holds), fresh)).toEqual({
      kind: 'done',
      evidence: "mine: Admin2's IfNotPresent container, init container and debug container refused; Admin1's Always pod admitted (dry runs)",
    });
  });

  it('waits while one way in is open, Admin1 is refused, or Admin2 has no pod to debug', () => {
    expect(evaluateTask(task, withPolicy([mine], { ...holds, admin2InitContainer: admitted }), fresh)).toEqual({ kind: 'waiting' });
    expect(evaluateTask(task, withPolicy([mine], { ...holds, admin2EphemeralContainer: admitted }), fresh)).toEqual({ kind: 'waiting' });
    expect(evaluateTask(task, withPolicy([mine], { ...holds, admin2EphemeralContainer: undefined }), fresh)).toEqual({ kind: 'waiting' });
    expect(evaluateTask(task, withPolicy([mine], { ...holds, admin1Always: refused('mine') }), fresh)).toEqual({ kind: 'waiting' });
    expect(evaluateTask(task, withPolicy([], undefined), fresh)).toEqual({ kind: 'waiting' });
  });

  it('does not count a policy from before the chapter opened, nor a refusal by something else', () => {
    expect(evaluateTask(task, withPolicy([{ ...mine, created: OPENED - 60_000 }], holds), fresh)).toEqual({ kind: 'waiting' });
    const byOther: PolicyProbes = { ...holds, admin2Container: { allowed: false, message: 'pods "x" is forbidden: violates PodSecurity' } };
    expect(evaluateTask(task, withPolicy([mine], byOther), fresh)).toEqual({ kind: 'waiting' });
    expect(evaluateTask(task, { ...withPolicy([mine], holds), profile: 'always-pull-images' } as LabSnapshot, fresh)).toMatchObject({ kind: 'wrong-profile' });
  });
});
