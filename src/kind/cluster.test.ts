import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { notReadyReason, orderNodes } from './cluster.js';

const node = (name: string, ready: 'True' | 'False', message?: string): V1Node => ({
  metadata: { name },
  status: { conditions: [{ type: 'Ready', status: ready, reason: ready === 'True' ? 'KubeletReady' : 'KubeletNotReady', ...(message ? { message } : {}) }] },
});
const pod = (name: string, status: V1Pod['status']): V1Pod => ({ metadata: { name }, status });
const running = pod('etcd', { phase: 'Running', containerStatuses: [{ name: 'etcd', image: 'e', imageID: '', ready: true, restartCount: 0 }] });

describe('why a cluster is not ready, as the API says it', () => {
  it('names a NotReady node with its condition message', () => {
    const msg = 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';
    expect(notReadyReason([node('a-control-plane', 'True'), node('a-worker', 'False', msg)], [running], 2)).toBe(`node a-worker NotReady: ${msg}`);
    expect(notReadyReason([node('a-control-plane', 'True')], [], 2)).toBe('1 of 2 nodes registered');
  });

  it("names a kube-system pod's ImagePullBackOff with the kubelet's message", () => {
    const kindnet = pod('kindnet-x7k2p', {
      phase: 'Pending',
      containerStatuses: [{ name: 'kindnet-cni', image: 'k', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "docker.io/kindest/kindnetd:v20260528-9350166c"' } } }],
    });
    expect(notReadyReason([node('a', 'True')], [running, kindnet], 1)).toBe('pod kube-system/kindnet-x7k2p: ImagePullBackOff (Back-off pulling image "docker.io/kindest/kindnetd:v20260528-9350166c")');
  });

  it('names a crash-looping pod and an unschedulable one; undefined once everything is ready', () => {
    const crashing = pod('kube-proxy-1', {
      phase: 'Running',
      containerStatuses: [{ name: 'kube-proxy', image: 'k', imageID: '', ready: false, restartCount: 3, state: { running: {} }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }],
    });
    expect(notReadyReason([node('a', 'True')], [crashing], 1)).toBe('pod kube-system/kube-proxy-1: restarted 3 times, last exit 1 (Error)');
    const pending = pod('coredns-1', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', message: '0/1 nodes are available: 1 node(s) had untolerated taint' }] });
    expect(notReadyReason([node('a', 'True')], [pending], 1)).toBe('pod kube-system/coredns-1: Pending (0/1 nodes are available: 1 node(s) had untolerated taint)');
    expect(notReadyReason([node('a', 'True')], [running], 1)).toBeUndefined();
  });

  it('orders workers first', () => {
    expect(orderNodes('c', ['c-control-plane', 'c-worker2', 'c-worker'])).toEqual(['c-worker', 'c-worker2', 'c-control-plane']);
  });
});
