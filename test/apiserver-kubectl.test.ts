// The embedded API server against the real kubectl (the preinstalled gcloud dispatcher, which runs
// its built-in v1.32 for a v1.36 server): the blog's commands exactly as written, and the usual
// day-to-day commands. Every kubectl call uses a temporary kubeconfig and a fresh cache dir.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionPluginsFor, startApiServer, type ApiServer } from '../src/embedded/apiserver/server.js';
import { findResource } from '../src/embedded/apiserver/resources.js';
import { noKubeletPodLogs } from '../src/embedded/apiserver/handlers/pods.js';
import { newBadRequest } from '../src/k8s/api-errors.js';

// the blog's pod.yaml, byte for byte
const podYaml = readFileSync(new URL('./fixtures/blog/pod.yaml', import.meta.url), 'utf8');

let dir: string;
let plain: ApiServer;
let alwaysPull: ApiServer;

async function setup(api: ApiServer, name: string): Promise<string> {
  const file = path.join(dir, `${name}.kubeconfig`);
  await writeFile(file, api.kubeconfig(), { mode: 0o600 });
  return file;
}

let plainConfig: string;
let alwaysConfig: string;

/** Runs kubectl in `cwd` = the temp dir, so `-f pod.yaml` is the blog's file. */
function kubectl(config: string, args: string[], options: { input?: string } = {}) {
  return execa('kubectl', ['--kubeconfig', config, '--cache-dir', path.join(dir, `cache-${Math.random().toString(36).slice(2)}`), ...args], {
    cwd: dir,
    reject: false,
    timeout: 30_000,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
}
const k = (args: string[], input?: string) => kubectl(plainConfig, args, input === undefined ? {} : { input });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'apiserver-kubectl-'));
  await writeFile(path.join(dir, 'pod.yaml'), podYaml);
  [plain, alwaysPull] = await Promise.all([
    startApiServer({ admissionPlugins: admissionPluginsFor(['NodeRestriction']) }),
    startApiServer({ admissionPlugins: admissionPluginsFor(['NodeRestriction', 'AlwaysPullImages']) }),
  ]);
  plainConfig = await setup(plain, 'plain');
  alwaysConfig = await setup(alwaysPull, 'always');
});

afterAll(async () => {
  await Promise.all([plain?.close(), alwaysPull?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubectl is installed', () => {
  it('finds kubectl on PATH', async () => {
    const r = await execa('kubectl', ['version', '--client', '-o', 'json'], { reject: false });
    expect(r.exitCode, 'kubectl is required for these tests').toBe(0);
  });
});

describe('the blog commands, exactly as written', () => {
  it('kubectl version: the server claims v1.36.3 and the dispatcher runs its built-in 1.32 client', async () => {
    const r = await k(['version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Server Version: v1.36.3');
    // The warning is printed by the real 1.32 binary the dispatcher chose.
    expect(r.stderr).toContain('version difference between client (1.32) and server (1.36)');
  });

  it('kubectl create ns imgpullpolicy', async () => {
    const r = await k(['create', 'ns', 'imgpullpolicy']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('namespace/imgpullpolicy created');
    const again = await k(['create', 'ns', 'imgpullpolicy']);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toBe('Error from server (AlreadyExists): namespaces "imgpullpolicy" already exists');
  });

  it('kubectl apply -f pod.yaml -n imgpullpolicy (default validation)', async () => {
    const r = await k(['apply', '-f', 'pod.yaml', '-n', 'imgpullpolicy']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('pod/test-image-pull-policy created');
  });

  it("kubectl get po -n imgpullpolicy test-image-pull-policy -o jsonpath='{.spec.containers[0].imagePullPolicy}' → IfNotPresent", async () => {
    const r = await k(['get', 'po', '-n', 'imgpullpolicy', 'test-image-pull-policy', '-o', 'jsonpath={.spec.containers[0].imagePullPolicy}']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('IfNotPresent');
  });

  it('with AlwaysPullImages the same commands give Always', async () => {
    expect((await kubectl(alwaysConfig, ['create', 'ns', 'imgpullpolicy'])).exitCode).toBe(0);
    expect((await kubectl(alwaysConfig, ['apply', '-f', 'pod.yaml', '-n', 'imgpullpolicy'])).stdout).toBe('pod/test-image-pull-policy created');
    const r = await kubectl(alwaysConfig, ['get', 'po', '-n', 'imgpullpolicy', 'test-image-pull-policy', '-o', 'jsonpath={.spec.containers[0].imagePullPolicy}']);
    expect(r.stdout).toBe('Always');
  });

  it('a second kubectl apply of the same file is unchanged; a changed image is configured', async () => {
    const again = await k(['apply', '-f', 'pod.yaml', '-n', 'imgpullpolicy']);
    expect(again.stdout).toBe('pod/test-image-pull-policy unchanged');
    const changed = await k(['apply', '-f', '-', '-n', 'imgpullpolicy'], podYaml.replace('nginx:1.13', 'nginx:1.14'));
    expect(changed.stderr).toBe('');
    expect(changed.stdout).toBe('pod/test-image-pull-policy configured');
    const image = await k(['get', 'po', '-n', 'imgpullpolicy', 'test-image-pull-policy', '-o', 'jsonpath={.spec.containers[0].image} {.metadata.generation}']);
    expect(image.stdout).toBe('nginx:1.14 2');
  });
});

describe('day-to-day commands', () => {
  it('get as a table, -o wide, -A', async () => {
    const r = await k(['get', 'pods', '-n', 'imgpullpolicy']);
    expect(r.exitCode).toBe(0);
    const [header, row] = r.stdout.split('\n');
    expect(header?.split(/\s+/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(row?.split(/\s+/).slice(0, 4)).toEqual(['test-image-pull-policy', '0/1', 'Pending', '0']);
    const wide = await k(['get', 'pods', '-n', 'imgpullpolicy', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\b/);
    const all = await k(['get', 'pods', '-A']);
    expect(all.stdout).toMatch(/^NAMESPACE\s+NAME\s+READY/);
    expect(all.stdout).toMatch(/\nimgpullpolicy\s+test-image-pull-policy\s/);
  });

  it('get -o yaml and -o json show the stored, defaulted pod', async () => {
    const yaml = await k(['get', 'po', '-n', 'imgpullpolicy', 'test-image-pull-policy', '-o', 'yaml']);
    expect(yaml.stdout).toContain('terminationMessagePath: /dev/termination-log');
    expect(yaml.stdout).toContain('serviceAccountName: default');
    expect(yaml.stdout).toMatch(/uid: [0-9a-f-]{36}/);
    const json = JSON.parse((await k(['get', 'po', '-n', 'imgpullpolicy', 'test-image-pull-policy', '-o', 'json'])).stdout) as {
      metadata: { resourceVersion: string; creationTimestamp: string };
      status: { phase: string };
    };
    expect(Number(json.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(json.status.phase).toBe('Pending');
    expect(Date.parse(json.metadata.creationTimestamp)).not.toBeNaN();
  });

  it('kubectl cluster-info finds the control plane (the read-only kubernetes Service)', async () => {
    const r = await k(['cluster-info']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`Kubernetes control plane is running at ${plain.url}`);
  });

  it('get for a missing pod says NotFound as a real cluster does', async () => {
    const r = await k(['get', 'po', 'nope', '-n', 'imgpullpolicy']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('Error from server (NotFound): pods "nope" not found');
  });

  it('describe pod shows the pod and its events (field selector on involvedObject)', async () => {
    const pods = findResource('', 'v1', 'pods')!;
    const events = findResource('', 'v1', 'events')!;
    const pod = plain.store.mustGet(pods, 'imgpullpolicy', 'test-image-pull-policy');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const event = (name: string, podName: string, uid: string) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: 'imgpullpolicy' },
      involvedObject: { kind: 'Pod', namespace: 'imgpullpolicy', name: podName, uid, apiVersion: 'v1' },
      reason: 'Scheduled',
      message: `Successfully assigned imgpullpolicy/${podName} to node-1`,
      source: { component: 'default-scheduler' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: 'Normal',
    });
    plain.store.create(events, event('e1', 'test-image-pull-policy', pod.metadata.uid ?? ''));
    plain.store.create(events, event('e2', 'other-pod', 'other-uid'));
    const r = await k(['describe', 'pod', 'test-image-pull-policy', '-n', 'imgpullpolicy']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+test-image-pull-policy$/m);
    expect(r.stdout).toMatch(/Image:\s+nginx:1\.14/);
    expect(r.stdout).toMatch(/Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned imgpullpolicy\/test-image-pull-policy to node-1/);
    expect(r.stdout).not.toContain('other-pod');
  });

  it('kubectl debug (non-interactive) adds an ephemeral container', async () => {
    const r = await k(['debug', 'test-image-pull-policy', '-n', 'imgpullpolicy', '--image=busybox:1.36', '--target=nginx']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr + r.stdout).toMatch(/Defaulting debug container name to debugger-\w+\./);
    const ec = await k([
      'get',
      'po',
      '-n',
      'imgpullpolicy',
      'test-image-pull-policy',
      '-o',
      'jsonpath={.spec.ephemeralContainers[0].image} {.spec.ephemeralContainers[0].imagePullPolicy} {.spec.ephemeralContainers[0].targetContainerName}',
    ]);
    expect(ec.stdout).toBe('busybox:1.36 IfNotPresent nginx');
  });

  it('create --dry-run=server shows the mutation and creates nothing', async () => {
    const dry = await kubectl(
      alwaysConfig,
      ['create', '-f', 'pod.yaml', '-n', 'imgpullpolicy', '--dry-run=server', '-o', 'jsonpath={.metadata.name} {.spec.containers[0].imagePullPolicy}'],
      {},
    );
    // The pod exists on this server, so the dry run must fail like a real create…
    expect(dry.stderr).toBe('Error from server (AlreadyExists): error when creating "pod.yaml": pods "test-image-pull-policy" already exists');
    // …and in a fresh namespace it shows what admission would store, without storing it.
    expect((await kubectl(alwaysConfig, ['create', 'ns', 'dry'])).exitCode).toBe(0);
    const ok = await kubectl(alwaysConfig, [
      'create',
      '-f',
      'pod.yaml',
      '-n',
      'dry',
      '--dry-run=server',
      '-o',
      'jsonpath={.spec.containers[0].imagePullPolicy} {.spec.serviceAccountName}',
    ]);
    expect(ok.stdout).toBe('Always default');
    const none = await kubectl(alwaysConfig, ['get', 'pods', '-n', 'dry']);
    expect(none.stderr).toBe('No resources found in dry namespace.');
    const text = await kubectl(alwaysConfig, ['create', '-f', 'pod.yaml', '-n', 'dry', '--dry-run=server']);
    expect(text.stdout).toBe('pod/test-image-pull-policy created (server dry run)');
  });

  it('kubectl create secret docker-registry, and admin2 is forbidden from reading it', async () => {
    const r = await k([
      'create',
      'secret',
      'docker-registry',
      'image-pull-secret-1',
      '-n',
      'tenant-a',
      '--docker-server=127.0.0.1:5000',
      '--docker-username=admin1',
      '--docker-password=s3cret',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('secret/image-pull-secret-1 created');
    const type = await k(['get', 'secret', 'image-pull-secret-1', '-n', 'tenant-a', '-o', 'jsonpath={.type}']);
    expect(type.stdout).toBe('kubernetes.io/dockerconfigjson');
    const forbidden = await k(['--context', 'admin2', 'get', 'secret', 'image-pull-secret-1', '-n', 'tenant-a']);
    expect(forbidden.exitCode).toBe(1);
    expect(forbidden.stderr).toBe(
      'Error from server (Forbidden): secrets "image-pull-secret-1" is forbidden: User "admin2" cannot get resource "secrets" in API group "" in the namespace "tenant-a"',
    );
    const own = await k(['--context', 'admin1', 'get', 'secret', 'image-pull-secret-1', '-o', 'jsonpath={.metadata.name}']);
    expect(own.stdout).toBe('image-pull-secret-1');
  });

  it("a tenant admin cannot relabel its own namespace (Pod Security labels stay the cluster admin's)", async () => {
    const r = await k(['--context', 'admin2', 'label', 'ns', 'tenant-b', 'pod-security.kubernetes.io/enforce=privileged']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      'Error from server (Forbidden): namespaces "tenant-b" is forbidden: User "admin2" cannot patch resource "namespaces" in API group "" in the namespace "tenant-b"',
    );
    expect((await k(['--context', 'admin2', 'get', 'ns', 'tenant-b', '-o', 'name'])).stdout).toBe('namespace/tenant-b');
  });

  it('kubectl auth can-i answers from the RBAC objects, and follows changes to them', async () => {
    const no = await k(['--context', 'admin2', 'auth', 'can-i', 'get', 'secrets', '-n', 'tenant-a']);
    expect([no.exitCode, no.stdout]).toEqual([1, 'no']);
    const yes = await k(['--context', 'admin2', 'auth', 'can-i', 'get', 'secrets', '-n', 'tenant-b']);
    expect([yes.exitCode, yes.stdout]).toEqual([0, 'yes']);
    // An instructor grants admin2 read access in tenant-a with plain kubectl…
    expect((await k(['create', 'role', 'secret-reader', '-n', 'tenant-a', '--verb=get', '--resource=secrets'])).exitCode).toBe(0);
    expect((await k(['create', 'rolebinding', 'admin2-reads', '-n', 'tenant-a', '--role=secret-reader', '--user=admin2'])).exitCode).toBe(0);
    const now = await k(['--context', 'admin2', 'auth', 'can-i', 'get', 'secrets', '-n', 'tenant-a']);
    expect(now.stdout).toBe('yes');
    // …and takes it back.
    expect((await k(['delete', 'rolebinding', 'admin2-reads', '-n', 'tenant-a'])).exitCode).toBe(0);
    expect((await k(['--context', 'admin2', 'auth', 'can-i', 'get', 'secrets', '-n', 'tenant-a'])).stdout).toBe('no');
    // auth can-i --list goes through SelfSubjectRulesReview.
    const list = await k(['--context', 'admin2', 'auth', 'can-i', '--list', '-n', 'tenant-b']);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[\*\]$/m);
    expect(list.stdout).toMatch(/^namespaces\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(list.stdout).toMatch(/^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
  });

  it('typed-client create commands (protobuf bodies) work for every kind they create', async () => {
    const commands = [
      ['create', 'serviceaccount', 'robot', '-n', 'tenant-a'],
      ['create', 'secret', 'generic', 'plain', '-n', 'tenant-a', '--from-literal=a=b'],
      ['create', 'clusterrole', 'pod-reader', '--verb=get,list', '--resource=pods'],
      ['create', 'clusterrolebinding', 'admin2-reads-pods', '--clusterrole=pod-reader', '--user=admin2'],
    ];
    for (const args of commands) {
      const r = await k(args);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.stdout).toMatch(/ created$/);
    }
    expect((await k(['--context', 'admin2', 'get', 'pods', '-n', 'tenant-a', '-o', 'name'])).exitCode).toBe(0);
    expect((await k(['delete', 'clusterrolebinding', 'admin2-reads-pods'])).stdout).toBe('clusterrolebinding.rbac.authorization.k8s.io "admin2-reads-pods" deleted');
  });

  it('apply with default validation works for every kind in one multi-document file, and again unchanged (a stringData secret: configured)', async () => {
    const manifest = `apiVersion: v1
kind: Namespace
metadata:
  name: multi
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: builder
  namespace: multi
imagePullSecrets:
- name: regcred
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: multi
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths":{"127.0.0.1:5000":{"auth":"dTpw"}}}'
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
  namespace: multi
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader
  namespace: multi
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: admin1}]
`;
    await writeFile(path.join(dir, 'multi.yaml'), manifest);
    const first = await k(['apply', '-f', 'multi.yaml']);
    expect(first.stderr).toBe('');
    expect(first.stdout.split('\n')).toEqual([
      'namespace/multi created',
      'serviceaccount/builder created',
      'secret/regcred created',
      'role.rbac.authorization.k8s.io/reader created',
      'rolebinding.rbac.authorization.k8s.io/reader created',
    ]);
    const again = await k(['apply', '-f', 'multi.yaml']);
    // stringData is merged into data and never stored, so kubectl's three-way patch re-sends it: "configured",
    // exactly as a real kube-apiserver v1.36.3 answers (fidelity suite); everything else is unchanged.
    expect(again.stdout.split('\n')).toEqual([
      'namespace/multi unchanged',
      'serviceaccount/builder unchanged',
      'secret/regcred configured',
      'role.rbac.authorization.k8s.io/reader unchanged',
      'rolebinding.rbac.authorization.k8s.io/reader unchanged',
    ]);
    // A broken dockerconfigjson is rejected as upstream validates it.
    await writeFile(path.join(dir, 'bad-secret.yaml'), manifest.split('---\n')[2]!.replace('regcred', 'broken').replace(`'{"auths"`, `'{"auths"x`));
    const bad = await k(['apply', '-f', 'bad-secret.yaml']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/^The Secret "broken" is invalid: data\[\.dockerconfigjson\]: Invalid value: "<secret contents redacted>": /);
  });

  it('a stale update is 409 Conflict', async () => {
    const old = (await k(['get', 'po', '-n', 'imgpullpolicy', 'test-image-pull-policy', '-o', 'yaml'])).stdout;
    expect((await k(['label', 'po', '-n', 'imgpullpolicy', 'test-image-pull-policy', 'app=web'])).exitCode).toBe(0);
    const r = await k(['replace', '-f', '-', '-n', 'imgpullpolicy'], old);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on pods "test-image-pull-policy": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('get -w prints the list, then each change, until stopped', async () => {
    expect((await k(['create', 'ns', 'watched'])).exitCode).toBe(0);
    const watch = k(['get', 'pods', '-n', 'watched', '-w']);
    let output = '';
    watch.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await k(['apply', '-f', 'pod.yaml', '-n', 'watched']);
    await waitFor(() => /test-image-pull-policy\s+0\/1\s+Pending/.test(output));
    const rows = () => output.split('\n').filter((l) => l.startsWith('test-image-pull-policy')).length;
    const before = rows();
    // A change after the watch started arrives as one more row.
    await k(['label', 'pod', 'test-image-pull-policy', '-n', 'watched', 'seen=yes']);
    await waitFor(() => rows() > before);
    expect(output.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    watch.kill('SIGTERM');
    await watch;
  }, 20_000);

  it('kubectl delete removes the pod and returns', async () => {
    const r = await k(['delete', 'pod', 'test-image-pull-policy', '-n', 'imgpullpolicy']);
    expect(r.stdout).toBe('pod "test-image-pull-policy" deleted');
    expect((await k(['get', 'po', 'test-image-pull-policy', '-n', 'imgpullpolicy'])).stderr).toContain('NotFound');
  });

  it('unknown fields are rejected with the upstream strict decoding message', async () => {
    await writeFile(path.join(dir, 'pod-bad.yaml'), podYaml.replace('spec:\n', 'spec:\n  foo: bar\n'));
    const r = await k(['apply', '-f', 'pod-bad.yaml', '-n', 'imgpullpolicy']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      'Error from server (BadRequest): error when creating "pod-bad.yaml": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"',
    );
  });

  it('logs of a pod no node runs yet is empty, as upstream', async () => {
    await k(['apply', '-f', 'pod.yaml', '-n', 'imgpullpolicy']);
    const r = await k(['logs', 'test-image-pull-policy', '-n', 'imgpullpolicy']);
    expect([r.exitCode, r.stdout]).toEqual([0, '']);
  });
});

describe('pods/log through the kubelet hook', () => {
  it('kubectl logs and logs -f read what the node serves; errors before the first line are Status errors', async () => {
    const pods = findResource('', 'v1', 'pods')!;
    plain.store.create(pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'talker', namespace: 'tenant-a' },
      spec: {
        nodeName: 'node-1',
        containers: [
          { name: 'app', image: 'busybox:1.36' },
          { name: 'side', image: 'busybox:1.36' },
        ],
      },
    });
    const seen: { container: string; follow: boolean; tailLines?: number }[] = [];
    plain.setPodLogs(async function* (pod, container, options) {
      seen.push({ container, follow: options.follow, ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}) });
      if (container === 'side') throw newBadRequest(`container "side" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`);
      const lines = ['one\n', 'two\n', 'FLAG{x}\n'];
      for (const line of options.tailLines !== undefined ? lines.slice(-options.tailLines) : lines) yield line;
    });
    try {
      const all = await k(['logs', 'talker', '-c', 'app', '-n', 'tenant-a']);
      expect(all.stdout).toBe('one\ntwo\nFLAG{x}');
      const tail = await k(['logs', 'talker', '-c', 'app', '-n', 'tenant-a', '--tail=1', '-f']);
      expect(tail.stdout).toBe('FLAG{x}');
      const waiting = await k(['logs', 'talker', '-c', 'side', '-n', 'tenant-a']);
      expect(waiting.stderr).toBe('Error from server (BadRequest): container "side" in pod "talker" is waiting to start: ContainerCreating');
      const which = await k(['logs', 'talker', '-c', 'nope', '-n', 'tenant-a']);
      // kubectl checks the container name itself before asking (the server would say the same, as a BadRequest).
      expect(which.stderr).toBe('error: container nope is not valid for pod talker');
      expect(seen).toEqual([
        { container: 'app', follow: false },
        { container: 'app', follow: true, tailLines: 1 },
        { container: 'side', follow: false },
      ]);
    } finally {
      plain.setPodLogs(noKubeletPodLogs);
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
