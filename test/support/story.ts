// The blog's story with kubectl, on a lab described by its lab.json: tests drive a lab as an attendee types it.
import { execa } from 'execa';
import type { LabInfo } from '../../src/lab/backend.js';

/** kubectl with the lab's kubeconfig and one of its contexts (admin, admin1, admin2). */
export const labKubectl = (info: LabInfo) => (context: string, args: string[]) => execa('kubectl', ['--kubeconfig', info.kubeconfig, '--context', context, ...args]);

/** Admin1 runs SuperSecretImage1 with ImagePullSecret1 on the lab's first node, and waits until it is Ready: the image is cached. */
export async function admin1RunsTheSecretImage(info: LabInfo): Promise<void> {
  const kubectl = labKubectl(info);
  const overrides = { spec: { nodeName: info.nodes[0]!, imagePullSecrets: [{ name: info.tenants.admin1.pullSecret }] } };
  await kubectl('admin1', ['run', 'pod1', `--image=${info.images.secret}`, `--overrides=${JSON.stringify(overrides)}`]);
  await kubectl('admin1', ['wait', '--for=condition=Ready', 'pod/pod1', '--timeout=60s']);
}

/** Admin2, with no pull secret, asks for the same image with IfNotPresent on that node: the attack. */
export async function admin2RunsTheCachedImage(info: LabInfo): Promise<void> {
  const overrides = { spec: { nodeName: info.nodes[0]! } };
  await labKubectl(info)('admin2', ['run', 'pod2', `--image=${info.images.secret}`, '--image-pull-policy=IfNotPresent', `--overrides=${JSON.stringify(overrides)}`]);
}
