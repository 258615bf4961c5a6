import { describe, expect, it } from 'vitest';
import { aggregateCheckResults, evaluatePod, forbiddenDetail, LATEST, v1, type LevelVersion } from './pod-security-policy.js';
import {
  defaultPodSecurityConfiguration as config,
  evaluatePodsInNamespace,
  parseVersion,
  policyToEvaluate,
  validateNamespace,
  validatePod,
  type PodSecurityAttributes,
} from './pod-security.js';

type Json = Record<string, unknown>;
const pod = (spec: Json, metadata: Json = { name: 'p' }): Json => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });
const detail = (lv: LevelVersion, p: Json): string => forbiddenDetail(aggregateCheckResults(evaluatePod(lv, { metadata: p['metadata'] as Json, spec: p['spec'] as Json })));
const baseline = { level: 'baseline', version: LATEST } as const;
const restricted = { level: 'restricted', version: LATEST } as const;
const create = (object: Json, extra: Partial<PodSecurityAttributes> = {}): PodSecurityAttributes => ({
  operation: 'CREATE',
  subresource: '',
  namespace: 'tenant-b',
  name: 'p',
  username: 'admin2',
  object,
  ...extra,
});

const nodeReader = pod({
  containers: [{ name: 'reader', image: 'busybox', volumeMounts: [{ name: 'containerd', mountPath: '/host' }] }],
  volumes: [{ name: 'containerd', hostPath: { path: '/var/lib/containerd' } }],
});

describe('Pod Security Standards checks (k8s.io/pod-security-admission/policy)', () => {
  it('baseline forbids hostPath volumes, naming them', () => {
    expect(detail(baseline, nodeReader)).toBe('hostPath volumes (volume "containerd")');
    const two = pod({
      containers: [{ name: 'c' }],
      volumes: [
        { name: 'a', hostPath: { path: '/' } },
        { name: 'b', hostPath: { path: '/etc' } },
        { name: 'e', emptyDir: {} },
      ],
    });
    expect(detail(baseline, two)).toBe('hostPath volumes (volumes "a", "b")');
  });

  it('privileged and the host namespaces, in upstream order (non-overlapping baseline checks first)', () => {
    const p = pod({ hostPID: true, hostNetwork: true, containers: [{ name: 'x', securityContext: { privileged: true } }], volumes: [{ name: 'h', hostPath: { path: '/' } }] });
    expect(detail(baseline, p)).toBe(
      'host namespaces (hostNetwork=true, hostPID=true), privileged (container "x" must not set securityContext.privileged=true), hostPath volumes (volume "h")',
    );
  });

  // The text a real v1.3x API server answered for such a pod (quoted in IBM Cloud's PSA documentation).
  it('restricted: the whole message of a real cluster for a privileged hostPath pod', () => {
    const p = pod({
      hostNetwork: true,
      hostPID: true,
      containers: [{ name: 'container-00', securityContext: { privileged: true, runAsUser: 0 } }],
      volumes: [{ name: 'host', hostPath: { path: '/' } }],
    });
    expect(detail(restricted, p)).toBe(
      'host namespaces (hostNetwork=true, hostPID=true), privileged (container "container-00" must not set securityContext.privileged=true), ' +
        'allowPrivilegeEscalation != false (container "container-00" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "container-00" must set securityContext.capabilities.drop=["ALL"]), ' +
        'restricted volume types (volume "host" uses restricted volume type "hostPath"), ' +
        'runAsNonRoot != true (pod or container "container-00" must set securityContext.runAsNonRoot=true), ' +
        'runAsUser=0 (container "container-00" must not set runAsUser=0), ' +
        'seccompProfile (pod or container "container-00" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });

  it.each([
    [{ containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] }, 'hostPort (container "c" uses hostPort 8080)'],
    [
      { containers: [{ name: 'c', securityContext: { capabilities: { add: ['NET_ADMIN', 'CHOWN', 'SYS_ADMIN'] } } }] },
      'non-default capabilities (container "c" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)',
    ],
    [{ securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] }, containers: [{ name: 'c' }] }, 'forbidden sysctls (kernel.msgmax)'],
    [
      { securityContext: { seccompProfile: { type: 'Unconfined' } }, containers: [{ name: 'c' }] },
      'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    [{ containers: [{ name: 'c', securityContext: { procMount: 'Unmasked' } }] }, 'procMount (container "c" must not set securityContext.procMount to "Unmasked")'],
    [
      { containers: [{ name: 'c', securityContext: { seLinuxOptions: { type: 'spc_t' } } }] },
      'seLinuxOptions (container "c" set forbidden securityContext.seLinuxOptions: type "spc_t")',
    ],
    [
      { containers: [{ name: 'c', livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } } }] },
      'probe or lifecycle host (container "c" uses probe or lifecycle host "10.0.0.1")',
    ],
    [
      { containers: [{ name: 'c' }], ephemeralContainers: [{ name: 'debugger', securityContext: { privileged: true } }] },
      'privileged (container "debugger" must not set securityContext.privileged=true)',
    ],
  ])('baseline: %j → %s', (spec, expected) => {
    expect(detail(baseline, pod(spec))).toBe(expected);
  });

  it('an ordinary pod passes baseline; a hardened one passes restricted', () => {
    expect(detail(baseline, pod({ containers: [{ name: 'c', image: 'x' }] }))).toBe('');
    const hardened = pod({
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }],
      volumes: [
        { name: 'v', emptyDir: {} },
        { name: 's', secret: { secretName: 'x' } },
      ],
    });
    expect(detail(restricted, hardened)).toBe('');
  });

  it('policy versions: a check newer than the version does not apply; versions past the newest check evaluate as it', () => {
    const probeHost = pod({ containers: [{ name: 'c', readinessProbe: { tcpSocket: { host: 'h', port: 1 } } }] });
    expect(detail({ level: 'baseline', version: v1(33) }, probeHost)).toBe('');
    expect(detail({ level: 'baseline', version: v1(34) }, probeHost)).toContain('probe or lifecycle host');
    expect(detail({ level: 'baseline', version: v1(99) }, probeHost)).toContain('probe or lifecycle host');
    expect(detail({ level: 'privileged', version: LATEST }, nodeReader)).toBe('');
  });
});

describe('namespace labels (api/helpers.go PolicyToEvaluate)', () => {
  it('reads enforce / audit / warn with versions over the defaults', () => {
    const { policy, errors } = policyToEvaluate(
      { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/warn-version': 'v1.30' },
      config.defaults,
    );
    expect(errors).toEqual([]);
    expect(policy.enforce).toEqual({ level: 'baseline', version: LATEST });
    expect(policy.warn).toEqual({ level: 'restricted', version: v1(30) });
    expect(policy.audit.level).toBe('privileged');
  });

  it('a bad enforce level fails closed, a bad warn level fails open; both are errors', () => {
    const { policy, errors } = policyToEvaluate({ 'pod-security.kubernetes.io/enforce': 'bogus', 'pod-security.kubernetes.io/warn': 'bogus' }, config.defaults);
    expect(policy.enforce.level).toBe('restricted');
    expect(policy.warn.level).toBe('privileged');
    expect(errors.map((e) => e.message)).toEqual([
      'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be one of privileged, baseline, restricted',
      'metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "bogus": must be one of privileged, baseline, restricted',
    ]);
    expect(parseVersion('v1.05').error).toBe('must be "latest" or "v1.x"');
    expect(parseVersion('v1.0').version).toEqual(v1(0));
  });
});

describe('PodSecurity admission decisions (admission/admission.go)', () => {
  const enforceBaseline = { 'pod-security.kubernetes.io/enforce': 'baseline' };

  it('refuses the hostPath pod in a baseline namespace with upstream message, allows it in an unlabelled one', () => {
    const refused = validatePod(create(nodeReader), { namespaceLabels: enforceBaseline, config });
    expect(refused).toMatchObject({
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: 'violates PodSecurity "baseline:latest": hostPath volumes (volume "containerd")' },
    });
    expect(validatePod(create(nodeReader), { namespaceLabels: {}, config })).toMatchObject({ allowed: true, warnings: [] });
  });

  it('warn adds a warning to an allowed pod, audit an annotation; enforce refusals carry no warning', () => {
    const r = validatePod(create(nodeReader), { namespaceLabels: { 'pod-security.kubernetes.io/warn': 'baseline', 'pod-security.kubernetes.io/audit': 'baseline' }, config });
    expect(r).toMatchObject({
      allowed: true,
      warnings: ['would violate PodSecurity "baseline:latest": hostPath volumes (volume "containerd")'],
      auditAnnotations: { 'audit-violations': 'would violate PodSecurity "baseline:latest": hostPath volumes (volume "containerd")' },
    });
    const both = validatePod(create(nodeReader), { namespaceLabels: { ...enforceBaseline, 'pod-security.kubernetes.io/warn': 'baseline' }, config });
    expect(both.warnings).toEqual([]);
  });

  it('exempt users, namespaces and runtime classes; status and exec subresources are not evaluated', () => {
    const exempt = { ...config, exemptions: { usernames: ['admin2'], namespaces: ['kube-system'], runtimeClasses: ['kata'] } };
    expect(validatePod(create(nodeReader), { namespaceLabels: enforceBaseline, config: exempt }).allowed).toBe(true);
    expect(validatePod(create(nodeReader, { username: 'admin1', namespace: 'kube-system' }), { namespaceLabels: enforceBaseline, config: exempt }).allowed).toBe(true);
    const kata = pod({ ...(nodeReader['spec'] as Json), runtimeClassName: 'kata' });
    expect(validatePod(create(kata, { username: 'admin1' }), { namespaceLabels: enforceBaseline, config: exempt }).allowed).toBe(true);
    expect(validatePod(create(nodeReader, { subresource: 'status', operation: 'UPDATE' }), { namespaceLabels: enforceBaseline, config }).allowed).toBe(true);
  });

  it('an update is evaluated only when an image, a container list or a seccomp annotation changed', () => {
    const labelsOnly = { ...nodeReader, metadata: { name: 'p', labels: { a: 'b' } } };
    expect(validatePod(create(labelsOnly, { operation: 'UPDATE', oldObject: nodeReader }), { namespaceLabels: enforceBaseline, config }).allowed).toBe(true);
    const withDebugger = pod({ ...(nodeReader['spec'] as Json), ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] });
    const r = validatePod(create(withDebugger, { operation: 'UPDATE', subresource: 'ephemeralcontainers', oldObject: nodeReader }), { namespaceLabels: enforceBaseline, config });
    expect(r.allowed).toBe(false);
  });

  it('namespace labels: invalid values are refused as Invalid; a stricter enforce level warns about existing pods', () => {
    const ns = (labels: Json): Json => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tenant-b', labels } });
    const bad = validateNamespace({ ...create(ns({ 'pod-security.kubernetes.io/enforce': 'bogus' })), name: 'tenant-b', namespace: '' }, { config, podsInNamespace: () => [] });
    expect(bad).toMatchObject({ allowed: false, status: { code: 422, reason: 'Invalid' } });
    const pods = [{ ...nodeReader, metadata: { name: 'b' } }, { ...nodeReader, metadata: { name: 'a' } }, pod({ containers: [{ name: 'c' }] }, { name: 'ok' })];
    const stricter = validateNamespace(
      { ...create(ns(enforceBaseline)), operation: 'UPDATE', oldObject: ns({}), name: 'tenant-b', namespace: '' },
      { config, podsInNamespace: () => pods },
    );
    expect(stricter).toEqual({
      allowed: true,
      warnings: ['existing pods in namespace "tenant-b" violate the new PodSecurity enforce level "baseline:latest"', 'a (and 1 other pod): hostPath volumes'],
      auditAnnotations: {},
    });
    const relaxed = validateNamespace(
      { ...create(ns({})), operation: 'UPDATE', oldObject: ns(enforceBaseline), name: 'tenant-b', namespace: '' },
      { config, podsInNamespace: () => pods },
    );
    expect(relaxed.warnings).toEqual([]);
    expect(evaluatePodsInNamespace('n', baseline, [], config)).toEqual([]);
  });
});
