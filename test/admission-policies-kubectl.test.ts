// The lab's admission policies (cluster-configs/policies/) served and enforced by the embedded API server, driven
// with real kubectl on a `none` lab: the admin applies them, they take effect at once, tenants may not touch them.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedLab, type EmbeddedLab } from '../src/embedded/lab.js';

const POLICIES = path.resolve('cluster-configs/policies');
const REQUIRE = 'require-imagepullpolicy-always.image-heist.lab';

describe('admission policies through kubectl (embedded lab, profile none)', () => {
  let lab: EmbeddedLab;
  let dir: string;
  let secretImage: string;
  let worker: string;
  let applied: string[] = [];

  const kubectl = (user: string, args: string[], input?: string) =>
    execa('kubectl', ['--kubeconfig', lab.info.kubeconfig, '--context', user, '--cache-dir', path.join(dir, 'cache'), ...args], {
      reject: false,
      ...(input !== undefined ? { input } : {}),
    });

  const applyPolicy = async (file: string): Promise<void> => {
    const r = await kubectl('admin', ['apply', '-f', path.join(POLICIES, file)]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    applied.push(file);
  };

  const pod = (name: string, namespace: string, o: { policy?: string; pullSecret?: string; init?: string } = {}): string =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace },
      spec: {
        nodeName: worker,
        containers: [{ name: 'app', image: secretImage, ...(o.policy ? { imagePullPolicy: o.policy } : {}) }],
        ...(o.init ? { initContainers: [{ name: 'init', image: secretImage, imagePullPolicy: o.init, command: ['true'] }] } : {}),
        ...(o.pullSecret ? { imagePullSecrets: [{ name: o.pullSecret }] } : {}),
      },
    });

  const settle = async (user: string, namespace: string, name: string, reasons: string[]): Promise<V1Pod> => {
    const kc = new KubeConfig();
    kc.loadFromString(lab.kubeconfigFor(user as 'admin'));
    const api = kc.makeApiClient(CoreV1Api);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const p = await api.readNamespacedPod({ name, namespace });
      const s = p.status?.containerStatuses?.[0];
      const reason = s?.state?.running ? 'Running' : (s?.state?.waiting?.reason ?? s?.state?.terminated?.reason);
      if (reason && reasons.includes(reason)) return p;
      if (Date.now() > deadline) throw new Error(`pod ${namespace}/${name} did not reach ${reasons.join('|')}: ${JSON.stringify(p.status)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  /** Admin1 caches the secret image on the worker (pull with ImagePullSecret1, Always). */
  const admin1Runs = async (): Promise<void> => {
    const r = await kubectl('admin1', ['apply', '-f', '-'], pod('pod1', 'tenant-a', { policy: 'Always', pullSecret: 'image-pull-secret-1' }));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('pod/pod1 created');
    await settle('admin1', 'tenant-a', 'pod1', ['Running']);
  };

  const debug = (user: string, target: string, namespace: string) =>
    kubectl(user, ['debug', target, '-n', namespace, `--image=${secretImage}`, '--image-pull-policy=IfNotPresent', '--container=dbg', '--profile=general']);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-policies-'));
    lab = await startEmbeddedLab({ profile: 'none', dir, timeScale: 50 });
    secretImage = lab.info.images.secret;
    [worker = ''] = lab.info.nodes;
  });

  afterEach(async () => {
    for (const file of applied) await kubectl('admin', ['delete', '--ignore-not-found', '-f', path.join(POLICIES, file)]);
    applied = [];
    await lab.reset();
  });

  afterAll(async () => {
    await lab?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the four kinds: discovery, tables, and only cluster admins may write them', async () => {
    const resources = await kubectl('admin', ['api-resources', '--api-group=admissionregistration.k8s.io', '--no-headers']);
    expect(
      resources.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['mutatingadmissionpolicies', 'mutatingadmissionpolicybindings', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings']);
    await applyPolicy('require-always.yaml');
    const vap = await kubectl('admin', ['get', 'validatingadmissionpolicies']);
    expect(vap.stdout).toMatch(new RegExp(`^NAME\\s+VALIDATIONS\\s+PARAMKIND\\s+AGE\\n${REQUIRE.replaceAll('.', '\\.')}\\s+1\\s+<unset>\\s+\\d+s$`));
    const binding = await kubectl('admin', ['get', 'validatingadmissionpolicybindings']);
    expect(binding.stdout).toMatch(/^NAME\s+POLICYNAME\s+PARAMREF\s+AGE\n/);
    expect(binding.stdout).toContain(`${REQUIRE}   ${REQUIRE}   <unset>`);
    // a policy always carries its (here empty) status, as kube-apiserver v1.36.3 answers; a MAP has none
    expect((await kubectl('admin', ['get', 'validatingadmissionpolicy', REQUIRE, '-o', 'jsonpath={.status}'])).stdout).toBe('{}');
    // the tenant cannot create, change or delete a policy
    const text = await readFile(path.join(POLICIES, 'gap-containers-only.yaml'), 'utf8');
    const create = await kubectl('admin2', ['create', '-f', '-'], text);
    expect(create.exitCode).not.toBe(0);
    expect(create.stderr).toContain(
      'validatingadmissionpolicies.admissionregistration.k8s.io is forbidden: User "admin2" cannot create resource "validatingadmissionpolicies" in API group "admissionregistration.k8s.io" at the cluster scope',
    );
    const del = await kubectl('admin2', ['delete', 'validatingadmissionpolicybinding', REQUIRE]);
    expect(del.stderr).toContain('(Forbidden)');
    // an invalid binding is upstream's 422
    const bad = await kubectl(
      'admin',
      ['apply', '-f', '-'],
      'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: b}\nspec: {policyName: p}\n',
    );
    // kubectl words an Invalid status by its details.kind, as against a real server
    expect(bad.stderr).toBe('The ValidatingAdmissionPolicyBinding "b" is invalid: spec.validationActions: Required value: at least one validation action is required');
  });

  it("require-always: Admin2's IfNotPresent pod, init container and kubectl debug are refused; Admin1's Always pod runs; deleting the binding lifts it", async () => {
    await applyPolicy('require-always.yaml');
    await admin1Runs();
    const denied = `ValidatingAdmissionPolicy '${REQUIRE}' with binding '${REQUIRE}' denied request: imagePullPolicy must be Always (cached-image bypass); offending: `;
    const pod2 = await kubectl('admin2', ['apply', '-f', '-'], pod('pod2', 'tenant-b', { policy: 'IfNotPresent' }));
    expect(pod2.exitCode).not.toBe(0);
    expect(pod2.stderr).toBe(`Error from server (Forbidden): error when creating "STDIN": pods "pod2" is forbidden: ${denied}containers/app`);
    const init = await kubectl('admin2', ['apply', '-f', '-'], pod('init2', 'tenant-b', { policy: 'Always', init: 'IfNotPresent' }));
    expect(init.stderr).toContain(`${denied}initContainers/init`);
    // Admin2's own compliant pod is admitted; kubectl debug then tries to add an IfNotPresent ephemeral container
    const own = await kubectl('admin2', ['apply', '-f', '-'], pod('own', 'tenant-b', { policy: 'Always' }));
    expect(own.stdout).toBe('pod/own created');
    const dbg = await debug('admin2', 'own', 'tenant-b');
    expect(dbg.exitCode).not.toBe(0);
    expect(dbg.stderr).toContain(`pods "own" is forbidden: ${denied}ephemeralContainers/dbg`);
    // deleting the binding lifts the policy on the next request
    expect((await kubectl('admin', ['delete', 'validatingadmissionpolicybinding', REQUIRE])).stdout).toBe(
      `validatingadmissionpolicybinding.admissionregistration.k8s.io "${REQUIRE}" deleted`,
    );
    const again = await kubectl('admin2', ['apply', '-f', '-'], pod('pod2', 'tenant-b', { policy: 'IfNotPresent' }));
    expect(again.stdout).toBe('pod/pod2 created');
    await settle('admin2', 'tenant-b', 'pod2', ['Running']); // the bypass is back
  });

  it("force-always: the MAP makes Admin2's pod Always, so its anonymous pull of the cached image fails", async () => {
    await applyPolicy('force-always.yaml');
    expect((await kubectl('admin', ['get', 'mutatingadmissionpolicies'])).stdout).toMatch(
      /^NAME\s+MUTATIONS\s+PARAMKIND\s+AGE\nforce-imagepullpolicy-always\.image-heist\.lab\s+\d+\s+<unset>\s+\d+s$/,
    );
    expect((await kubectl('admin', ['get', 'mutatingadmissionpolicybindings'])).stdout).toMatch(/^NAME\s+POLICYNAME\s+PARAMREF\s+AGE\n/);
    await admin1Runs();
    const r = await kubectl('admin2', ['apply', '-f', '-'], pod('pod2', 'tenant-b', { policy: 'IfNotPresent' }));
    expect(r.stdout).toBe('pod/pod2 created');
    const p = await settle('admin2', 'tenant-b', 'pod2', ['ErrImagePull', 'ImagePullBackOff']);
    expect(p.spec?.containers[0]?.imagePullPolicy).toBe('Always');
    // kubectl debug's IfNotPresent ephemeral container is forced to Always too
    const dbg = await debug('admin2', 'pod2', 'tenant-b');
    expect(dbg.exitCode).toBe(0);
    const ephemeral = await kubectl('admin2', ['get', 'pod', 'pod2', '-n', 'tenant-b', '-o', 'jsonpath={.spec.ephemeralContainers[0].imagePullPolicy}']);
    expect(ephemeral.stdout).toBe('Always');
  });

  it('an update takes effect at once: the binding switched to Warn admits, with the message as a kubectl warning', async () => {
    await applyPolicy('require-always.yaml');
    expect((await kubectl('admin', ['apply', '-f', path.join(POLICIES, 'require-always.yaml')])).stdout).toContain('unchanged');
    expect((await kubectl('admin2', ['apply', '-f', '-'], pod('pod2', 'tenant-b', { policy: 'IfNotPresent' }))).stderr).toContain('denied request');
    const text = (await readFile(path.join(POLICIES, 'require-always.yaml'), 'utf8')).replace('validationActions: ["Deny"]', 'validationActions: ["Warn"]');
    const switched = await kubectl('admin', ['apply', '-f', '-'], text);
    expect(switched.stderr).toBe('');
    expect(switched.stdout).toContain(`validatingadmissionpolicybinding.admissionregistration.k8s.io/${REQUIRE} configured`);
    expect((await kubectl('admin', ['get', 'validatingadmissionpolicybinding', REQUIRE, '-o', 'jsonpath={.spec.validationActions}'])).stdout).toBe('["Warn"]');
    const r = await kubectl('admin2', ['apply', '-f', '-'], pod('pod2', 'tenant-b', { policy: 'IfNotPresent' }));
    expect(r.stdout).toBe('pod/pod2 created');
    expect(r.stderr).toBe(
      `Warning: Validation failed for ValidatingAdmissionPolicy '${REQUIRE}' with binding '${REQUIRE}': imagePullPolicy must be Always (cached-image bypass); offending: containers/app`,
    );
  });

  it("nodes/<n>/proxy/configz: the kubelet's KEP-2535 settings for the admin, forbidden to tenants", async () => {
    const r = await kubectl('admin', ['get', '--raw', `/api/v1/nodes/${worker}/proxy/configz`]);
    const config = (JSON.parse(r.stdout) as { kubeletconfig: Record<string, unknown> }).kubeletconfig;
    // profile none: the gate is on and the policy NeverVerify
    expect(config['featureGates']).toEqual({ KubeletEnsureSecretPulledImages: true });
    expect(config['imagePullCredentialsVerificationPolicy']).toBe('NeverVerify');
    const tenant = await kubectl('admin2', ['get', '--raw', `/api/v1/nodes/${worker}/proxy/configz`]);
    expect(tenant.stderr).toContain(`nodes "${worker}" is forbidden: User "admin2" cannot get resource "nodes/proxy" in API group "" at the cluster scope`);
    expect((await kubectl('admin', ['get', '--raw', '/api/v1/nodes/no-such-node/proxy/configz'])).stderr).toContain('NotFound');
  });

  it('gap-forgets-ephemeral-containers: pods are checked, kubectl debug is not', async () => {
    await applyPolicy('gap-forgets-ephemeral-containers.yaml');
    const refused = await kubectl('admin2', ['apply', '-f', '-'], pod('pod2', 'tenant-b', { policy: 'IfNotPresent' }));
    expect(refused.stderr).toContain(
      "ValidatingAdmissionPolicy 'gap-forgets-ephemeral-containers.image-heist.lab' with binding 'gap-forgets-ephemeral-containers.image-heist.lab' denied request: imagePullPolicy must be Always",
    );
    expect((await kubectl('admin2', ['apply', '-f', '-'], pod('own', 'tenant-b', { policy: 'Always' }))).stdout).toBe('pod/own created');
    const dbg = await debug('admin2', 'own', 'tenant-b');
    expect(dbg.stderr).toBe('');
    expect(dbg.exitCode).toBe(0);
    const ephemeral = await kubectl('admin2', ['get', 'pod', 'own', '-n', 'tenant-b', '-o', 'jsonpath={.spec.ephemeralContainers[0].imagePullPolicy}']);
    expect(ephemeral.stdout).toBe('IfNotPresent');
  });

  it('gap-containers-only: the main container is checked, an init container is not', async () => {
    await applyPolicy('gap-containers-only.yaml');
    expect((await kubectl('admin2', ['apply', '-f', '-'], pod('pod2', 'tenant-b', { policy: 'IfNotPresent' }))).stderr).toContain('denied request: imagePullPolicy must be Always');
    expect((await kubectl('admin2', ['apply', '-f', '-'], pod('init2', 'tenant-b', { policy: 'Always', init: 'IfNotPresent' }))).stdout).toBe('pod/init2 created');
  });

  it('gap-ignore-missing-param: the param is missing and failurePolicy Ignore admits everything', async () => {
    await applyPolicy('gap-ignore-missing-param.yaml');
    expect((await kubectl('admin2', ['apply', '-f', '-'], pod('pod2', 'tenant-b', { policy: 'IfNotPresent' }))).stdout).toBe('pod/pod2 created');
  });

  it('gap-namespace-label-exemption: the lab tenants cannot label their own namespace; whoever can, exempts it', async () => {
    await applyPolicy('gap-namespace-label-exemption.yaml');
    expect((await kubectl('admin2', ['apply', '-f', '-'], pod('pod2', 'tenant-b', { policy: 'IfNotPresent' }))).stderr).toContain('denied request');
    // the lab's tenant Role leaves namespaces read-only, as upstream's `admin` ClusterRole does (src/lab/tenant-role.ts)
    const label = await kubectl('admin2', ['label', 'namespace', 'tenant-b', 'lab.example/exempt=true']);
    expect(label.stderr).toContain('Forbidden');
    expect((await kubectl('admin2', ['apply', '-f', '-'], pod('pod2', 'tenant-b', { policy: 'IfNotPresent' }))).stderr).toContain('denied request');
    // a cluster whose RBAC lets the label through (here the admin sets it) opens the gap for the tenant's pods
    expect((await kubectl('admin', ['label', 'namespace', 'tenant-b', 'lab.example/exempt=true'])).stdout).toBe('namespace/tenant-b labeled');
    expect((await kubectl('admin2', ['apply', '-f', '-'], pod('pod2', 'tenant-b', { policy: 'IfNotPresent' }))).stdout).toBe('pod/pod2 created');
  });
});
