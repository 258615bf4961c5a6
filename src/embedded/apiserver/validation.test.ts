import { describe, expect, it } from 'vitest';
import { newInvalid } from '../../k8s/api-errors.js';
import {
  goJsonObjectError,
  isDNS1123Label,
  prevalidateLabels,
  validateEphemeralContainersUpdate,
  validateLabels,
  validateNamespace,
  validateObjectMeta,
  validatePod,
  validatePodUpdate,
  validateConfigMap,
  validateConfigMapUpdate,
  validateSecret,
} from './validation.js';

type Obj = Record<string, any>;
const messages = (errs: { message: string }[]): string[] => errs.map((e) => e.message);

// A pod as the API server holds it after defaulting.
function pod(overrides: Obj = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'test-image-pull-policy', namespace: 'imgpullpolicy' },
    spec: {
      containers: [{ name: 'nginx', image: 'nginx:1.13', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' }],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      ...overrides,
    },
  };
}

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('validatePod', () => {
  it('accepts a defaulted pod', () => {
    expect(validatePod(pod())).toEqual([]);
  });

  it('missing image: spec.containers[0].image: Required value, and the Invalid Status kubectl prints', () => {
    const p = pod({ containers: [{ name: 'nginx', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' }] });
    const errs = validatePod(p);
    expect(messages(errs)).toEqual(['spec.containers[0].image: Required value']);
    expect(newInvalid({ group: '', kind: 'Pod' }, 'test-image-pull-policy', errs).status.message).toBe(
      'Pod "test-image-pull-policy" is invalid: spec.containers[0].image: Required value',
    );
  });

  it('bad imagePullPolicy: Unsupported value with the supported values in upstream order', () => {
    const p = pod({ containers: [{ name: 'nginx', image: 'nginx', imagePullPolicy: 'Sometimes', terminationMessagePolicy: 'File' }] });
    expect(messages(validatePod(p))).toEqual(['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"']);
  });

  it('duplicate and invalid container names, in upstream order (common checks, then duplicate)', () => {
    const c = { image: 'x', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' };
    const p = pod({
      containers: [
        { ...c, name: 'app' },
        { ...c, name: 'app' },
        { ...c, name: 'Bad_Name' },
      ],
    });
    expect(messages(validatePod(p))).toEqual(['spec.containers[1].name: Duplicate value: "app"', `spec.containers[2].name: Invalid value: "Bad_Name": ${labelMsg}`]);
  });

  it('an init container may not reuse a container name', () => {
    const c = { image: 'x', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' };
    expect(messages(validatePod(pod({ initContainers: [{ ...c, name: 'nginx' }] })))).toEqual(['spec.initContainers[0].name: Duplicate value: "nginx"']);
  });

  it('invalid pod name, missing namespace, no containers', () => {
    const p = { metadata: { name: 'My_Pod' }, spec: { containers: [], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' } };
    expect(messages(validatePod(p))).toEqual([`metadata.name: Invalid value: "My_Pod": ${subdomainMsg}`, 'metadata.namespace: Required value', 'spec.containers: Required value']);
  });

  it('restartPolicy and dnsPolicy values; ephemeral containers are forbidden on create', () => {
    const ec = { name: 'debugger', image: 'busybox', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' };
    expect(messages(validatePod(pod({ restartPolicy: 'Sometimes', dnsPolicy: 'Nope', ephemeralContainers: [ec] })))).toEqual([
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.dnsPolicy: Unsupported value: "Nope": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"',
      'spec.ephemeralContainers: Forbidden: cannot be set on create',
    ]);
  });

  it('volume mounts must name a volume; env names are required', () => {
    const c = {
      name: 'nginx',
      image: 'x',
      imagePullPolicy: 'Always',
      terminationMessagePolicy: 'File',
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
      env: [{ value: 'v' }],
    };
    expect(messages(validatePod(pod({ containers: [c] })))).toEqual([
      'spec.containers[0].env[0].name: Required value',
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ]);
  });
});

describe('validatePodUpdate', () => {
  it('allows changing the image', () => {
    const old = pod();
    const updated = pod({ containers: [{ ...old.spec.containers[0], image: 'nginx:1.14' }] });
    expect(validatePodUpdate(updated, old)).toEqual([]);
  });

  it('forbids any other spec change with upstream text and names the changed field', () => {
    const old = pod();
    const updated = pod({ containers: [{ ...old.spec.containers[0], imagePullPolicy: 'Always' }] });
    const [err, ...rest] = validatePodUpdate(updated, old);
    expect(rest).toEqual([]);
    expect(err?.field).toBe('spec');
    expect(err?.message).toMatch(
      /^spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,`spec\.initContainers\[\*\]\.image`,`spec\.activeDeadlineSeconds`,`spec\.tolerations` \(only additions to existing tolerations\),`spec\.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/,
    );
    expect(err?.message).toContain('- spec.containers[0].imagePullPolicy: "IfNotPresent"');
    expect(err?.message).toContain('+ spec.containers[0].imagePullPolicy: "Always"');
  });

  it('adding a container is "pod updates may not add or remove containers"', () => {
    const old = pod();
    const updated = pod({ containers: [...old.spec.containers, { ...old.spec.containers[0], name: 'side' }] });
    expect(messages(validatePodUpdate(updated, old))).toEqual(['spec.containers: Forbidden: pod updates may not add or remove containers']);
  });

  it('activeDeadlineSeconds may only shrink; tolerations may only be added', () => {
    const old = pod({ activeDeadlineSeconds: 30, tolerations: [{ key: 'a', operator: 'Exists' }] });
    expect(validatePodUpdate(pod({ activeDeadlineSeconds: 10, tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b' }] }), old)).toEqual([]);
    expect(messages(validatePodUpdate(pod({ activeDeadlineSeconds: 60, tolerations: old.spec.tolerations }), old))).toEqual([
      'spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value',
    ]);
    expect(messages(validatePodUpdate(pod({ activeDeadlineSeconds: 30, tolerations: [] }), old))).toEqual([
      'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
    ]);
  });

  it('labels may change, the name may not', () => {
    const old = pod();
    const relabelled = { ...pod(), metadata: { ...old.metadata, labels: { app: 'web' } } };
    expect(validatePodUpdate(relabelled, old)).toEqual([]);
    const renamed = { ...pod(), metadata: { ...old.metadata, name: 'other' } };
    expect(messages(validatePodUpdate(renamed, old))).toEqual(['metadata.name: Invalid value: "other": field is immutable']);
  });
});

describe('validateEphemeralContainersUpdate', () => {
  const ec = { name: 'debugger-4hqsm', image: 'busybox:1.36', targetContainerName: 'nginx', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File', resources: {} };

  it('accepts adding an ephemeral container that targets a container', () => {
    expect(validateEphemeralContainersUpdate(pod({ ephemeralContainers: [ec] }), pod())).toEqual([]);
  });

  it('rejects removing or changing an existing one, an unknown target, a clashing name and ports', () => {
    const old = pod({ ephemeralContainers: [ec] });
    expect(messages(validateEphemeralContainersUpdate(pod(), old))).toEqual([
      'spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-4hqsm" may not be removed\n',
    ]);
    const changed = messages(validateEphemeralContainersUpdate(pod({ ephemeralContainers: [{ ...ec, image: 'busybox:1.37' }] }), old));
    expect(changed[0]).toMatch(/^spec\.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-4hqsm" may not be changed\n/);
    const bad = { ...ec, name: 'nginx', targetContainerName: 'nope', ports: [{ containerPort: 80 }] };
    expect(messages(validateEphemeralContainersUpdate(pod({ ephemeralContainers: [bad] }), pod()))).toEqual([
      'spec.ephemeralContainers[0].ports[0].protocol: Required value',
      'spec.ephemeralContainers[0].name: Duplicate value: "nginx"',
      'spec.ephemeralContainers[0].targetContainerName: Not found: "nope"',
      'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container',
    ]);
  });
});

describe('validateSecret', () => {
  const meta = { name: 'image-pull-secret-1', namespace: 'tenant-a' };
  const b64 = (s: string): string => Buffer.from(s).toString('base64');

  it('accepts a docker-registry secret as kubectl creates it', () => {
    const secret = { metadata: meta, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{}}') } };
    expect(validateSecret(secret)).toEqual([]);
  });

  it('kubernetes.io/dockerconfigjson needs the .dockerconfigjson key holding a JSON object', () => {
    expect(messages(validateSecret({ metadata: meta, type: 'kubernetes.io/dockerconfigjson', data: {} }))).toEqual(['data[.dockerconfigjson]: Required value']);
    expect(messages(validateSecret({ metadata: meta, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('user:pass') } }))).toEqual([
      `data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character 'u' looking for beginning of value`,
    ]);
    expect(messages(validateSecret({ metadata: meta, type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '[]' } }))).toEqual([
      'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}',
    ]);
  });

  it('the secret contents never appear in the error', () => {
    const errs = validateSecret({ metadata: meta, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths": s3cret') } });
    expect(errs.map((e) => e.message).join()).not.toContain('s3cret');
  });

  it('data keys must be config keys; basic-auth and tls need their keys', () => {
    expect(messages(validateSecret({ metadata: meta, data: { 'bad key': b64('x') } }))).toEqual([
      `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]);
    expect(messages(validateSecret({ metadata: meta, type: 'kubernetes.io/basic-auth' }))).toEqual(['data[username]: Required value', 'data[password]: Required value']);
    expect(messages(validateSecret({ metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }))).toEqual(['data[tls.key]: Required value']);
  });
});

describe('validateConfigMap', () => {
  const meta = { name: 'image-pull-policy', namespace: 'kube-system' };

  it('accepts a param ConfigMap; keys must be config keys and not in both data and binaryData', () => {
    expect(validateConfigMap({ metadata: meta, data: { requiredPullPolicy: 'Always' } })).toEqual([]);
    expect(messages(validateConfigMap({ metadata: meta, data: { 'bad key': 'x', k: 'v' }, binaryData: { k: 'dg==' } }))).toEqual([
      `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      'data[k]: Invalid value: "k": duplicate of key present in binaryData',
    ]);
  });

  it('an immutable ConfigMap keeps its data and stays immutable', () => {
    const old = { metadata: { ...meta, resourceVersion: '1' }, immutable: true, data: { a: '1' } };
    expect(validateConfigMapUpdate({ ...old, metadata: { ...old.metadata, labels: { x: 'y' } } }, old)).toEqual([]);
    expect(messages(validateConfigMapUpdate({ ...old, immutable: false, data: { a: '2' } }, old))).toEqual([
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });
});

describe('goJsonObjectError', () => {
  it('matches encoding/json for the common cases', () => {
    expect(goJsonObjectError(Buffer.from(''))).toBe('unexpected end of JSON input');
    expect(goJsonObjectError(Buffer.from('x'))).toBe("invalid character 'x' looking for beginning of value");
    expect(goJsonObjectError(Buffer.from('"s"'))).toBe('json: cannot unmarshal string into Go value of type map[string]interface {}');
    expect(goJsonObjectError(Buffer.from('{"a":1}'))).toBeUndefined();
    expect(goJsonObjectError(Buffer.from('{"a":1} x'))).toBe("invalid character 'x' after top-level value");
    expect(goJsonObjectError(Buffer.from('{"auths": s3cret}'))).toBe("invalid character 's' looking for beginning of value");
    expect(goJsonObjectError(Buffer.from('{"auths": {'))).toBe('unexpected end of JSON input');
  });

  it('names the scanner state as encoding/json does (seen on a real kube-apiserver for a broken .dockerconfigjson)', () => {
    expect(goJsonObjectError(Buffer.from('{"auths"x'))).toBe("invalid character 'x' after object key");
    expect(goJsonObjectError(Buffer.from('{"a":1 x'))).toBe("invalid character 'x' after object key:value pair");
    expect(goJsonObjectError(Buffer.from('{"a":[1 2]}'))).toBe("invalid character '2' after array element");
    expect(goJsonObjectError(Buffer.from("{'a':1}"))).toBe("invalid character '\\'' looking for beginning of object key string");
    expect(goJsonObjectError(Buffer.from('{"a":tru}'))).toBe("invalid character '}' in literal true (expecting 'e')");
    expect(goJsonObjectError(Buffer.from('{"a":"\u0001"}'))).toBe("invalid character '\\x01' in string literal");
    expect(goJsonObjectError(Buffer.from('{"a":1.}'))).toBe("invalid character '}' after decimal point in numeric literal");
  });
});

describe('validateNamespace and validateObjectMeta', () => {
  it('namespace names are DNS-1123 labels and must not carry a namespace', () => {
    expect(validateNamespace({ metadata: { name: 'tenant-a' } })).toEqual([]);
    expect(messages(validateNamespace({ metadata: { name: 'tenant.a', namespace: 'x' } }))).toEqual([
      `metadata.name: Invalid value: "tenant.a": ${labelMsg}`,
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
    expect(messages(validateNamespace({ metadata: { name: 'a'.repeat(64) } }))[0]).toBe(`metadata.name: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`);
  });

  it('name or generateName is required; a generateName may end in a dash', () => {
    expect(messages(validateObjectMeta({ namespace: 'n' }, true))).toEqual(['metadata.name: Required value: name or generateName is required']);
    expect(validateObjectMeta({ name: 'p-x1', generateName: 'p-', namespace: 'n' }, true)).toEqual([]);
  });

  it('label keys and values', () => {
    expect(messages(validateObjectMeta({ name: 'p', namespace: 'n', labels: { 'bad key': 'ok', good: 'bad value' } }, true))).toEqual([
      `metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      `metadata.labels: Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ]);
  });

  it('isDNS1123Label accepts lowercase labels', () => {
    expect(isDNS1123Label('tenant-a')).toEqual([]);
    expect(isDNS1123Label('-a')).toHaveLength(1);
  });
});

describe('prevalidateLabels (fair service)', () => {
  const many = (n: number, bad?: string): Record<string, string> => {
    const labels: Record<string, string> = {};
    for (let i = 0; i < n; i++) labels[`k${i}`] = 'v';
    if (bad !== undefined) labels[bad] = 'v';
    return labels;
  };

  it('checks a large valid map in slices; validateLabels then reports nothing', async () => {
    const labels = many(20_000);
    await prevalidateLabels(labels);
    expect(validateLabels(labels, 'metadata.labels')).toEqual([]);
  });

  it('leaves a large map with an error to validateLabels, which reports it as upstream', async () => {
    const labels = many(20_000, 'bad key');
    await prevalidateLabels(labels);
    const errs = validateLabels(labels, 'metadata.labels');
    expect(errs.map((e) => e.field)).toEqual(['metadata.labels']);
    expect(errs[0]!.errorBody()).toContain('Invalid value: "bad key": name part must consist of alphanumeric characters');
  });

  it('is taken once: a second validation checks the map again', async () => {
    const labels = many(20_000);
    await prevalidateLabels(labels);
    expect(validateLabels(labels, 'metadata.labels')).toEqual([]);
    labels['bad key'] = 'v';
    expect(validateLabels(labels, 'metadata.labels')).toHaveLength(1);
  });
});
