import { describe, expect, it } from 'vitest';
import { selectNode, type SchedulableNode } from './scheduler.js';

const node = (name: string, podCount: number, labels: Record<string, string> = {}, extra: Partial<SchedulableNode> = {}): SchedulableNode => ({
  name,
  labels: { 'kubernetes.io/hostname': name, ...labels },
  podCount,
  ready: true,
  unschedulable: false,
  ...extra,
});
const pod = (nodeSelector?: Record<string, string>) => ({ metadata: { name: 'p' }, spec: nodeSelector ? { nodeSelector } : {} });

describe('selectNode', () => {
  it('picks the node with the fewest pods, the first in order on a tie', () => {
    expect(selectNode(pod(), [node('a', 1), node('b', 0), node('c', 0)])).toEqual({ node: 'b' });
    expect(selectNode(pod(), [node('a', 0), node('b', 0)])).toEqual({ node: 'a' });
  });
  it('honours nodeSelector', () => {
    expect(selectNode(pod({ disk: 'ssd' }), [node('a', 0), node('b', 5, { disk: 'ssd' })])).toEqual({ node: 'b' });
  });
  it('explains why no node fits, as the scheduler FitError does', () => {
    expect(selectNode(pod({ disk: 'ssd' }), [node('a', 0), node('b', 0, {}, { unschedulable: true }), node('c', 0, {}, { ready: false })])).toEqual({
      unschedulable:
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    });
  });
});
