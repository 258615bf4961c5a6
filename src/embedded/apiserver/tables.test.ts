import { describe, expect, it } from 'vitest';
import { humanDuration, printPod, toTable, translateTimestampSince } from './tables.js';

type Obj = Record<string, any>;
const NOW = Date.parse('2026-11-27T06:00:00Z');
const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString();
const s = 1000;
const m = 60 * s;
const h = 60 * m;

describe('humanDuration (apimachinery duration_test.go cases)', () => {
  it.each([
    [1 * s, '1s'],
    [70 * s, '70s'],
    [190 * s, '3m10s'],
    [300 * s, '5m'],
    [70 * m, '70m'],
    [190 * m, '3h10m'],
    [5 * h, '5h'],
    [47 * h, '47h'],
    [49 * h, '2d1h'],
    [(8 * 24 + 2) * h, '8d'],
    [367 * 24 * h, '367d'],
    [(365 * 2 * 24 + 25) * h, '2y1d'],
    [(365 * 8 * 24 + 2) * h, '8y'],
    [-1 * s, '0s'],
    [-2 * s, '<invalid>'],
  ])('%d ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });

  it('translateTimestampSince: <unknown> without a timestamp', () => {
    expect(translateTimestampSince(undefined, NOW)).toBe('<unknown>');
    expect(translateTimestampSince(null, NOW)).toBe('<unknown>');
    expect(translateTimestampSince(ago(5), NOW)).toBe('5s');
  });
});

function pod(status: Obj, extra: { spec?: Obj; metadata?: Obj } = {}): Obj {
  return {
    metadata: { name: 'pod2', namespace: 'tenant-b', creationTimestamp: ago(42), ...extra.metadata },
    spec: { containers: [{ name: 'app', image: 'x' }], nodeName: 'node-1', ...extra.spec },
    status,
  };
}
const waiting = (reason: string, restartCount = 0): Obj => ({ name: 'app', ready: false, restartCount, state: { waiting: { reason } } });
const status = (p: Obj): unknown => printPod(p, NOW).cells[2];

describe('printPod STATUS, READY and RESTARTS (printers.go printPod)', () => {
  it('Pending before scheduling or kubelet status; ContainerCreating while pulling', () => {
    expect(printPod(pod({ phase: 'Pending' }), NOW).cells.slice(0, 5)).toEqual(['pod2', '0/1', 'Pending', '0', '42s']);
    expect(status(pod({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating')] }))).toBe('ContainerCreating');
  });

  it.each(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'CrashLoopBackOff'])('waiting reason %s is the status', (reason) => {
    expect(status(pod({ phase: 'Pending', containerStatuses: [waiting(reason)] }))).toBe(reason);
  });

  it('Running and ready', () => {
    const p = pod({
      phase: 'Running',
      podIPs: [{ ip: '10.244.0.5' }],
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: ago(30) } } }],
    });
    expect(printPod(p, NOW).cells).toEqual(['pod2', '1/1', 'Running', '0', '42s', '10.244.0.5', 'node-1', '<none>', '<none>']);
  });

  it('restarts show when the last container terminated', () => {
    const cs = { ...waiting('CrashLoopBackOff', 3), lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(125) } } };
    expect(printPod(pod({ phase: 'Running', containerStatuses: [cs] }), NOW).cells[3]).toBe('3 (2m5s ago)');
  });

  it('Completed and the row condition of a succeeded pod; Error/ExitCode/Signal of terminated containers', () => {
    const done = printPod(pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }), NOW);
    expect(done.cells[2]).toBe('Completed');
    expect(done.conditions).toEqual([{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    expect(status(pod({ phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 2 } } }] }))).toBe('ExitCode:2');
    expect(status(pod({ phase: 'Failed', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, signal: 9 } } }] }))).toBe('Signal:9');
  });

  it('Completed with one container still running is Running (Ready) or NotReady', () => {
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    const statuses = [
      { name: 'a', ready: true, state: { running: {} } },
      { name: 'b', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
    ];
    expect(status(pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: statuses }, { spec }))).toBe('Running');
    expect(status(pod({ phase: 'Running', containerStatuses: statuses }, { spec }))).toBe('NotReady');
  });

  it('init containers: Init:0/1, Init:ErrImagePull, Init:ExitCode, and a restartable sidecar counts as a container', () => {
    const spec = { initContainers: [{ name: 'init', image: 'i' }] };
    expect(status(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'PodInitializing' } } }] }, { spec }))).toBe('Init:0/1');
    expect(status(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { running: {} } }] }, { spec }))).toBe('Init:0/1');
    expect(status(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'ErrImagePull' } } }] }, { spec }))).toBe('Init:ErrImagePull');
    expect(status(pod({ phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 3 } } }] }, { spec }))).toBe('Init:ExitCode:3');
    const sidecar = { initContainers: [{ name: 'init', image: 'i', restartPolicy: 'Always' }] };
    const p = pod(
      {
        phase: 'Running',
        initContainerStatuses: [{ name: 'init', started: true, ready: true, state: { running: {} } }],
        containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }],
      },
      { spec: sidecar },
    );
    expect(printPod(p, NOW).cells.slice(1, 3)).toEqual(['2/2', 'Running']);
  });

  it('Terminating while deleting a running pod; SchedulingGated', () => {
    expect(status(pod({ phase: 'Running' }, { metadata: { deletionTimestamp: ago(1) } }))).toBe('Terminating');
    expect(status(pod({ phase: 'Succeeded' }, { metadata: { deletionTimestamp: ago(1) } }))).toBe('Succeeded');
    expect(status(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }))).toBe('SchedulingGated');
  });
});

describe('toTable', () => {
  const running = pod(
    { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }] },
    { metadata: { uid: 'u2', resourceVersion: '7', labels: { app: 'x' } } },
  );

  it('pods: column definitions with wide columns at priority 1, PartialObjectMetadata rows and the resourceVersion', () => {
    const table = toTable('pods', [running], { wide: true, now: NOW, resourceVersion: '105' });
    expect(table.kind).toBe('Table');
    expect(table.apiVersion).toBe('meta.k8s.io/v1');
    expect(table.metadata).toEqual({ resourceVersion: '105' });
    expect(table.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ]);
    expect(table.columnDefinitions[0]).toMatchObject({ type: 'string', format: 'name' });
    expect(table.rows[0]?.cells).toEqual(['pod2', '1/1', 'Running', '0', '42s', '<none>', 'node-1', '<none>', '<none>']);
    expect(table.rows[0]?.object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: running.metadata });
  });

  it('without wide the priority-1 columns and cells are left out; includeObject None/Object', () => {
    const narrow = toTable('pods', [running], { wide: false, now: NOW, includeObject: 'None' });
    expect(narrow.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    // includeObject=None: the row's object is null, as upstream's empty RawExtension marshals
    expect(narrow.rows[0]).toEqual({ cells: ['pod2', '1/1', 'Running', '0', '42s'], object: null });
    expect(toTable('pods', [running], { wide: false, now: NOW, includeObject: 'Object' }).rows[0]?.object).toBe(running);
  });

  it('secrets: NAME TYPE DATA AGE', () => {
    const secret = { metadata: { name: 'image-pull-secret-1', creationTimestamp: ago(3600) }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': 'e30=' } };
    const table = toTable('secrets', [secret], { wide: true, now: NOW });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(table.rows[0]?.cells).toEqual(['image-pull-secret-1', 'kubernetes.io/dockerconfigjson', 1, '60m']);
  });

  it('namespaces, serviceaccounts and nodes', () => {
    expect(toTable('namespaces', [{ metadata: { name: 'tenant-a', creationTimestamp: ago(10) }, status: { phase: 'Active' } }], { wide: true, now: NOW }).rows[0]?.cells).toEqual([
      'tenant-a',
      'Active',
      '10s',
    ]);
    expect(toTable('serviceaccounts', [{ metadata: { name: 'default', creationTimestamp: ago(10) } }], { wide: true, now: NOW }).rows[0]?.cells).toEqual(['default', '10s']);
    const node = {
      metadata: { name: 'node-1', creationTimestamp: ago(600), labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '172.18.0.2' }],
        nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'containerd://2.0' },
      },
    };
    expect(toTable('nodes', [node], { wide: true, now: NOW }).rows[0]?.cells).toEqual([
      'node-1',
      'Ready,SchedulingDisabled',
      'control-plane,worker',
      '10m',
      'v1.32.4',
      '172.18.0.2',
      '<none>',
      'Debian',
      '6.1',
      'containerd://2.0',
    ]);
    expect(toTable('nodes', [{ metadata: { name: 'n' } }], { wide: false, now: NOW }).rows[0]?.cells).toEqual(['n', 'Unknown', '<none>', '<unknown>', '']);
  });

  it('events: LAST SEEN TYPE REASON OBJECT MESSAGE, wide adds SUBOBJECT SOURCE FIRST SEEN COUNT NAME', () => {
    const event = {
      metadata: { name: 'pod2.1' },
      involvedObject: { kind: 'Pod', name: 'pod2', fieldPath: 'spec.containers{app}' },
      reason: 'Failed',
      message: ' Error: ErrImagePull ',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago(90),
      lastTimestamp: ago(30),
      count: 4,
      type: 'Warning',
    };
    expect(toTable('events', [event], { wide: false, now: NOW }).rows[0]?.cells).toEqual(['30s', 'Warning', 'Failed', 'pod/pod2', 'Error: ErrImagePull']);
    expect(toTable('events', [event], { wide: true, now: NOW }).rows[0]?.cells).toEqual([
      '30s',
      'Warning',
      'Failed',
      'pod/pod2',
      'spec.containers{app}',
      'kubelet, node-1',
      'Error: ErrImagePull',
      '90s',
      4,
      'pod2.1',
    ]);
    const micro = { involvedObject: { kind: 'Pod', name: 'p' }, eventTime: '2026-11-27T05:59:50.000000Z', reportingComponent: 'kubelet' };
    expect(toTable('events', [micro], { wide: true, now: NOW }).rows[0]?.cells).toEqual(['10s', '', '', 'pod/p', '', 'kubelet', '', '10s', 1, '']);
  });

  it('roles and bindings', () => {
    const role = { metadata: { name: 'pod-reader', creationTimestamp: '2026-11-27T05:00:00Z' } };
    expect(toTable('roles', [role], { wide: true, now: NOW }).rows[0]?.cells).toEqual(['pod-reader', '2026-11-27T05:00:00Z']);
    const binding = {
      metadata: { name: 'rb1', creationTimestamp: ago(20) },
      roleRef: { kind: 'Role', name: 'pod-reader' },
      subjects: [
        { kind: 'User', name: 'admin2' },
        { kind: 'Group', name: 'g1' },
        { kind: 'ServiceAccount', name: 'sa1', namespace: 'tenant-a' },
        { kind: 'User', name: 'admin1' },
      ],
    };
    expect(toTable('rolebindings', [binding], { wide: true, now: NOW }).rows[0]?.cells).toEqual(['rb1', 'Role/pod-reader', '20s', 'admin2, admin1', 'g1', 'tenant-a/sa1']);
  });

  it('unknown resources get the default NAME / CREATED AT table', () => {
    const table = toTable('widgets', [{ metadata: { name: 'w', creationTimestamp: '2026-11-27T05:00:00Z' } }], { wide: true, now: NOW });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Created At']);
    expect(table.rows[0]?.cells).toEqual(['w', '2026-11-27T05:00:00Z']);
  });
});
