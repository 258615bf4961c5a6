import { describe, expect, it } from 'vitest';
import { evaluateTask, TASKS, type LabSnapshot, type PodFacts } from './tasks.js';

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
const pod = (over: Partial<PodFacts>): PodFacts => ({ namespace: 'tenant-b', name: 'pod2', images: [IMAGE], pullPolicies: ['IfNotPresent'], status: 'Running', log: '', ...over });

describe('tutorial tasks', () => {
  it('the attack ticks only when a pod of Admin2’s prints the flag', () => {
    const task = TASKS['03-the-attack']!;
    expect(evaluateTask(task, lab('none', [pod({ log: `the flag: ${FLAG}` })]))).toEqual({ kind: 'done', evidence: `tenant-b/pod2 printed ${FLAG}` });
    expect(evaluateTask(task, lab('none', [pod({ log: 'nothing' })]))).toEqual({ kind: 'waiting' });
    // Admin1's own pod printing the flag is no bypass
    expect(evaluateTask(task, lab('none', [pod({ namespace: 'tenant-a', log: FLAG })]))).toEqual({ kind: 'waiting' });
  });

  it('AlwaysPullImages ticks when Admin2’s pod fails to pull with the policy the plugin set', () => {
    const task = TASKS['04-always-pull-images']!;
    expect(evaluateTask(task, lab('always-pull-images', [pod({ pullPolicies: ['Always'], status: 'ImagePullBackOff' })]))).toMatchObject({ kind: 'done' });
    expect(evaluateTask(task, lab('always-pull-images', [pod({ pullPolicies: ['IfNotPresent'], status: 'ErrImagePull' })]))).toEqual({ kind: 'waiting' });
    expect(evaluateTask(task, lab('always-pull-images', [pod({ pullPolicies: ['Always'], status: 'Running' })]))).toEqual({ kind: 'waiting' });
    expect(evaluateTask(task, lab('always-pull-images', [pod({ pullPolicies: ['Always'], status: 'ErrImagePull', images: ['127.0.0.1:5000/public/hello:1'] })]))).toEqual({ kind: 'waiting' });
  });

  it('the kubelet’s check ticks with IfNotPresent kept and the pull refused', () => {
    const task = TASKS['05-kubelet-ensure-secret-pulled-images']!;
    expect(evaluateTask(task, lab('kubelet-default', [pod({ status: 'ErrImagePull' })]))).toMatchObject({ kind: 'done' });
    expect(evaluateTask(task, lab('kubelet-default', [pod({ status: 'Running' })]))).toEqual({ kind: 'waiting' });
  });

  it('says how to start the right lab when there is none or another profile', () => {
    const task = TASKS['04-always-pull-images']!;
    expect(evaluateTask(task, { kind: 'no-lab', dir: '/x/.lab' })).toEqual({ kind: 'no-lab', hint: 'start the lab in another terminal: image-heist up --profile always-pull-images (looking in /x/.lab)' });
    expect(evaluateTask(task, lab('none', [pod({ pullPolicies: ['Always'], status: 'ErrImagePull' })]))).toMatchObject({ kind: 'wrong-profile' });
    expect(evaluateTask(task, { kind: 'unreachable', dir: '/x', message: 'ECONNREFUSED' }).kind).toBe('unreachable');
  });
});
