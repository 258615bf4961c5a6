// Object validation as the API server runs it before storing: k8s.io/kubernetes pkg/apis/core/validation/validation.go
// (pods, secrets, namespaces), k8s.io/apimachinery pkg/api/validation/objectmeta.go and pkg/util/validation/validation.go
// (name and label formats). Returns field errors in upstream order; the caller wraps them with newInvalid.
import { FieldError, fieldDuplicate, fieldForbidden, fieldInvalid, fieldNotFound, fieldNotSupported, fieldRequired } from '../../k8s/api-errors.js';
import { goJsonObjectError } from './endpoints/go-json.js';
import { type JsonObject as Obj, isObject as isObj, objectField as obj, listField as list, stringField as str } from '../../k8s/json-fields.js';

// ---------------------------------------------------------------------------------------------
// Name formats (apimachinery pkg/util/validation/validation.go)

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueRe = new RegExp(`^${labelValueFmt}$`);
const configMapKeyFmt = '[-._a-zA-Z0-9]+';
const configMapKeyRe = new RegExp(`^${configMapKeyFmt}$`);

const maxLenError = (n: number): string => `must be no more than ${n} characters`;

// RegexError: `<msg> (e.g. 'a',  or 'b', regex used for validation is '<fmt>')` — upstream joins examples with ",  or ".
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}'`).join(',  or ')}, regex used for validation is '${fmt}')`;
}

/** IsDNS1123Label: error messages, empty when valid. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!dns1123LabelRe.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        dns1123LabelFmt,
        'my-name',
        '123-abc',
      ),
    );
  }
  return errs;
}

/** IsDNS1123Subdomain: error messages, empty when valid. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!dns1123SubdomainRe.test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFmt,
        'example.com',
      ),
    );
  }
  return errs;
}

/** IsQualifiedName (label and annotation keys): `[prefix/]name`. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push(`prefix part ${emptyError}`);
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", qualifiedNameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError}`);
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNameRe.test(name)) {
    errs.push(
      `name part ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`,
    );
  }
  return errs;
}
const emptyError = 'must be non-empty';

/** IsValidLabelValue. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFmt,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errs;
}

/** IsConfigMapKey (Secret and ConfigMap data keys). */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!configMapKeyRe.test(value)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  }
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

// NameIsDNSSubdomain / NameIsDNSLabel with prefix masking: a generateName may end in '-'.
type NameFn = (name: string, prefix: boolean) => string[];
const maskTrailingDash = (name: string): string => (name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name);
export const nameIsDNSSubdomain: NameFn = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameFn = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);

// ---------------------------------------------------------------------------------------------
// ObjectMeta (apimachinery pkg/api/validation/objectmeta.go)

const totalAnnotationSizeLimitB = 256 * (1 << 10);

/** ValidateObjectMeta for `metadata`: name (or generateName), namespace, labels, annotations, finalizers. */
export function validateObjectMeta(meta: unknown, requiresNamespace: boolean, nameFn: NameFn = nameIsDNSSubdomain, path = 'metadata'): FieldError[] {
  const m = obj(meta);
  const errs: FieldError[] = [];
  const generateName = str(m['generateName']);
  const name = str(m['name']);
  const namespace = str(m['namespace']);
  if (generateName !== '') for (const msg of nameFn(generateName, true)) errs.push(fieldInvalid(`${path}.generateName`, generateName, msg));
  if (name === '') errs.push(fieldRequired(`${path}.name`, 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) errs.push(fieldInvalid(`${path}.name`, name, msg));
  if (requiresNamespace) {
    if (namespace === '') errs.push(fieldRequired(`${path}.namespace`, ''));
    else for (const msg of isDNS1123Label(namespace)) errs.push(fieldInvalid(`${path}.namespace`, namespace, msg));
  } else if (namespace !== '') {
    errs.push(fieldForbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  errs.push(...validateLabels(m['labels'], `${path}.labels`));
  errs.push(...validateAnnotations(m['annotations'], `${path}.annotations`));
  return errs;
}

// The common case in one cheap test per label: an unprefixed key and a value that both fit the label grammar.
const simpleLabel = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const validLabel = (key: string, value: unknown): boolean =>
  typeof value === 'string' && simpleLabel.test(key) && (value === '' || simpleLabel.test(value))
    ? true
    : isQualifiedName(key).length === 0 && isValidLabelValue(str(value)).length === 0;

/** Label maps found valid by prevalidateLabels, each taken once by validateLabels. */
const prevalidated = new WeakSet<object>();
/** Labels checked per slice of the event loop. */
const labelsPerSlice = 5000;

/**
 * Checks a large label map in slices, yielding to the event loop between them, so a tenant's pod of 100,000
 * labels (legal upstream while the object fits etcd) does not stall other tenants' requests. A map found valid
 * is remembered for the synchronous validateLabels that follows; one with an error is left to it, which then
 * reports every error as upstream does. The caller must not change the map in between.
 */
export async function prevalidateLabels(labels: unknown): Promise<void> {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return;
  const map = labels as Record<string, unknown>;
  const keys = Object.keys(map);
  if (keys.length <= labelsPerSlice) return;
  for (let i = 0; i < keys.length; i += labelsPerSlice) {
    await new Promise((resolve) => setImmediate(resolve));
    const end = Math.min(keys.length, i + labelsPerSlice);
    for (let j = i; j < end; j++) if (!validLabel(keys[j]!, map[keys[j]!])) return;
  }
  prevalidated.add(map);
}

/** ValidateLabels: keys as qualified names, values as label values; both reported on the labels path. */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof labels === 'object' && labels !== null && prevalidated.delete(labels)) return errs;
  const entries = Object.entries(obj(labels));
  // Go ranges over a sorted map here; sorting 100,000 labels costs, so only when there is an error to order.
  if (entries.every(([key, value]) => validLabel(key, value))) return errs;
  for (const [key, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const msg of isQualifiedName(key)) errs.push(fieldInvalid(path, key, msg));
    for (const msg of isValidLabelValue(str(value))) errs.push(fieldInvalid(path, str(value), msg));
  }
  return errs;
}

function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(obj(annotations)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const msg of isQualifiedName(key.toLowerCase())) errs.push(fieldInvalid(path, key, msg));
    total += key.length + str(value).length;
  }
  if (total > totalAnnotationSizeLimitB) {
    errs.push(new FieldError('FieldValueTooLong', path, '', `may not be more than ${totalAnnotationSizeLimitB} bytes`));
  }
  return errs;
}

/** ValidateObjectMetaUpdate: name, namespace and uid are immutable. */
export function validateObjectMetaUpdate(newMeta: unknown, oldMeta: unknown, path = 'metadata'): FieldError[] {
  const n = obj(newMeta);
  const o = obj(oldMeta);
  const errs: FieldError[] = [];
  for (const key of ['name', 'namespace', 'uid', 'creationTimestamp']) {
    if (o[key] !== undefined && n[key] !== o[key]) errs.push(fieldInvalid(`${path}.${key}`, n[key] ?? '', 'field is immutable'));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Namespace and Secret

/** ValidateNamespace: a DNS-1123 label name, no namespace, finalizer names. */
export function validateNamespace(namespace: unknown): FieldError[] {
  const ns = obj(namespace);
  const errs = validateObjectMeta(ns['metadata'], false, nameIsDNSLabel);
  list(obj(ns['spec'])['finalizers']).forEach((finalizer, i) => {
    const name = str(finalizer);
    const path = `spec.finalizers[${i}]`;
    const msgs = isQualifiedName(name);
    for (const msg of msgs) errs.push(fieldInvalid(path, name, msg));
    if (msgs.length === 0 && !name.includes('/') && name !== 'kubernetes') {
      errs.push(fieldInvalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

/** ValidateConfigMap (pkg/apis/core/validation/validation.go): metadata, keys of data and binaryData, no key in both, total size. */
export function validateConfigMap(configMap: unknown): FieldError[] {
  const c = obj(configMap);
  const errs = validateObjectMeta(c['metadata'], true, nameIsDNSSubdomain);
  const data = obj(c['data']);
  const binaryData = obj(c['binaryData']);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const msg of isConfigMapKey(key)) errs.push(fieldInvalid(`data[${key}]`, key, msg));
    if (key in binaryData) errs.push(fieldInvalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(str(value), 'utf8');
  }
  for (const [key, value] of Object.entries(binaryData)) {
    for (const msg of isConfigMapKey(key)) errs.push(fieldInvalid(`binaryData[${key}]`, key, msg));
    total += Buffer.from(str(value), 'base64').length;
  }
  if (total > maxSecretSize) errs.push(new FieldError('FieldValueTooLong', '', '', `may not be more than ${maxSecretSize} bytes`));
  return errs;
}

/** ValidateConfigMapUpdate: an immutable ConfigMap keeps immutable, data and binaryData. */
export function validateConfigMapUpdate(configMap: unknown, old: unknown): FieldError[] {
  const c = obj(configMap);
  const o = obj(old);
  const errs = validateObjectMetaUpdate(c['metadata'], o['metadata']);
  if (o['immutable'] === true) {
    const same = (a: unknown, b: unknown) => JSON.stringify(sortedEntries(a)) === JSON.stringify(sortedEntries(b));
    if (c['immutable'] !== true) errs.push(fieldForbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!same(c['data'], o['data'])) errs.push(fieldForbidden('data', 'field is immutable when `immutable` is set'));
    if (!same(c['binaryData'], o['binaryData'])) errs.push(fieldForbidden('binaryData', 'field is immutable when `immutable` is set'));
  }
  return [...errs, ...validateConfigMap(configMap)];
}

/** A map's entries in key order; nil and empty maps are equal (reflect.DeepEqual on what the decoder keeps). */
function sortedEntries(value: unknown): [string, unknown][] {
  return Object.entries(obj(value)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const maxSecretSize = 1 * 1024 * 1024;
const redacted = '<secret contents redacted>';

/** ValidateSecret: metadata, data keys and size, and the keys each well-known type requires. */
export function validateSecret(secret: unknown): FieldError[] {
  const s = obj(secret);
  const errs = validateObjectMeta(s['metadata'], true, nameIsDNSSubdomain);
  // The internal Secret holds bytes: base64 `data` decoded, `stringData` merged over it (v1 conversion).
  const data = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(obj(s['data']))) data.set(key, Buffer.from(str(value), 'base64'));
  for (const [key, value] of Object.entries(obj(s['stringData']))) data.set(key, Buffer.from(str(value), 'utf8'));
  let total = 0;
  for (const [key, value] of [...data.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const msg of isConfigMapKey(key)) errs.push(fieldInvalid(`data[${key}]`, key, msg));
    total += value.length;
  }
  if (total > maxSecretSize) errs.push(new FieldError('FieldValueTooLong', 'data', '', `may not be more than ${maxSecretSize} bytes`));

  const type = str(s['type']);
  const requireKey = (key: string): Buffer | undefined => {
    const value = data.get(key);
    if (value === undefined) errs.push(fieldRequired(`data[${key}]`, ''));
    return value;
  };
  switch (type) {
    case 'kubernetes.io/service-account-token':
      if (str(obj(obj(s['metadata'])['annotations'])['kubernetes.io/service-account.name']) === '') {
        errs.push(fieldRequired('metadata.annotations[kubernetes.io/service-account.name]', ''));
      }
      break;
    case 'kubernetes.io/dockercfg': {
      const value = requireKey('.dockercfg');
      const problem = value === undefined ? undefined : goJsonObjectError(value);
      if (problem !== undefined) errs.push(fieldInvalid('data[.dockercfg]', redacted, problem));
      break;
    }
    case 'kubernetes.io/dockerconfigjson': {
      const value = requireKey('.dockerconfigjson');
      const problem = value === undefined ? undefined : goJsonObjectError(value);
      if (problem !== undefined) errs.push(fieldInvalid('data[.dockerconfigjson]', redacted, problem));
      break;
    }
    case 'kubernetes.io/basic-auth':
      if ((data.get('username')?.length ?? 0) === 0 && (data.get('password')?.length ?? 0) === 0) {
        errs.push(fieldRequired('data[username]', ''), fieldRequired('data[password]', ''));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if ((data.get('ssh-privatekey')?.length ?? 0) === 0) errs.push(fieldRequired('data[ssh-privatekey]', ''));
      break;
    case 'kubernetes.io/tls':
      if (!data.has('tls.crt')) errs.push(fieldRequired('data[tls.crt]', ''));
      if (!data.has('tls.key')) errs.push(fieldRequired('data[tls.key]', ''));
      break;
    default:
      break;
  }
  return errs;
}

// The Go JSON scanner lives with decoding; Secret validation uses it for .dockerconfigjson.
export { goJsonObjectError } from './endpoints/go-json.js';

// ---------------------------------------------------------------------------------------------
// Pod

const supportedPullPolicies = ['Always', 'IfNotPresent', 'Never'];
const supportedRestartPolicies = ['Always', 'OnFailure', 'Never'];
const supportedDNSPolicies = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const supportedTerminationMessagePolicies = ['File', 'FallbackToLogsOnError'];
const supportedPortProtocols = ['SCTP', 'TCP', 'UDP'];
const ephemeralForbiddenFields = ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'];

/** ValidatePodCreate: metadata, spec, and no ephemeral containers (they come through their subresource). */
export function validatePod(pod: unknown): FieldError[] {
  const p = obj(pod);
  const errs = validatePodMetadataAndSpec(p);
  if (list(obj(p['spec'])['ephemeralContainers']).length > 0) {
    errs.push(fieldForbidden('spec.ephemeralContainers', 'cannot be set on create'));
  }
  errs.push(...validateContainersOnlyForPod(obj(p['spec'])));
  return errs;
}

/** validateContainersOnlyForPod: a pod's (not a template's) images must not have leading or trailing whitespace. */
function validateContainersOnlyForPod(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['containers', 'initContainers'] as const) {
    list(spec[key]).forEach((c, i) => {
      const image = str(obj(c)['image']);
      if (image.trim() !== image) errs.push(fieldInvalid(`spec.${key}[${i}].image`, image, 'must not have leading or trailing whitespace'));
    });
  }
  return errs;
}

function validatePodMetadataAndSpec(p: Obj): FieldError[] {
  return [...validateObjectMeta(p['metadata'], true, nameIsDNSSubdomain), ...validatePodSpec(obj(p['spec']), 'spec')];
}

/** ValidatePodSpec, the parts a pod author meets (names, images, policies, ports, env, mounts). */
export function validatePodSpec(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const volumes = validateVolumes(list(spec['volumes']), `${path}.volumes`, errs);
  const containers = list(spec['containers']).map(obj);
  const initContainers = list(spec['initContainers']).map(obj);
  const allNames = new Set<string>();

  if (containers.length === 0) errs.push(fieldRequired(`${path}.containers`, ''));
  containers.forEach((c, i) => {
    const cPath = `${path}.containers[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, cPath));
    const name = str(c['name']);
    if (allNames.has(name)) errs.push(fieldDuplicate(`${cPath}.name`, name));
    else allNames.add(name);
  });
  initContainers.forEach((c, i) => {
    const cPath = `${path}.initContainers[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, cPath));
    const name = str(c['name']);
    if (allNames.has(name)) errs.push(fieldDuplicate(`${cPath}.name`, name));
    else allNames.add(name);
  });
  errs.push(...validateEphemeralContainers(list(spec['ephemeralContainers']).map(obj), allNames, volumes, `${path}.ephemeralContainers`));

  errs.push(...validateEnum(spec['restartPolicy'], `${path}.restartPolicy`, supportedRestartPolicies));
  errs.push(...validateEnum(spec['dnsPolicy'], `${path}.dnsPolicy`, supportedDNSPolicies));
  errs.push(...validateLabels(spec['nodeSelector'], `${path}.nodeSelector`));
  list(spec['imagePullSecrets']).forEach((ref, i) => {
    const keys = Object.keys(obj(ref));
    if (keys.some((k) => k !== 'name')) errs.push(fieldInvalid(`${path}.imagePullSecrets[${i}]`, ref, 'only name may be set'));
  });
  errs.push(...validateTolerations(list(spec['tolerations']), `${path}.tolerations`));
  const serviceAccountName = str(spec['serviceAccountName']);
  if (serviceAccountName !== '') {
    for (const msg of isDNS1123Subdomain(serviceAccountName)) errs.push(fieldInvalid(`${path}.serviceAccountName`, serviceAccountName, msg));
  }
  const nodeName = str(spec['nodeName']);
  if (nodeName !== '') for (const msg of isDNS1123Subdomain(nodeName)) errs.push(fieldInvalid(`${path}.nodeName`, nodeName, msg));
  const deadline = spec['activeDeadlineSeconds'];
  if (typeof deadline === 'number' && (deadline < 1 || deadline > 2147483647)) {
    errs.push(fieldInvalid(`${path}.activeDeadlineSeconds`, deadline, 'must be between 1 and 2147483647, inclusive'));
  }
  return errs;
}

/** ValidateTolerations. */
function validateTolerations(tolerations: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  tolerations.forEach((raw, i) => {
    const t = obj(raw);
    const p = `${path}[${i}]`;
    const key = str(t['key']);
    const operator = str(t['operator']);
    const value = str(t['value']);
    const effect = str(t['effect']);
    if (key !== '') for (const msg of isQualifiedName(key)) errs.push(fieldInvalid(`${p}.key`, key, msg));
    if (key === '' && operator !== 'Exists') {
      errs.push(fieldInvalid(`${p}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t['tolerationSeconds'] !== undefined && t['tolerationSeconds'] !== null && effect !== 'NoExecute') {
      errs.push(fieldInvalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length > 0) errs.push(fieldInvalid(`${p}.operator`, value, msgs.join(';')));
    } else if (operator === 'Exists') {
      if (value !== '') errs.push(fieldInvalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fieldNotSupported(`${p}.operator`, operator, ['Equal', 'Exists']));
    }
    if (effect !== '' && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) {
      errs.push(fieldNotSupported(`${p}.effect`, effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  });
  return errs;
}

// Field absent → validated as Go's zero value "" (defaulting normally fills these before validation).
function validateEnum(value: unknown, path: string, supported: readonly string[]): FieldError[] {
  const v = str(value);
  if (v === '') return [fieldRequired(path, '')];
  if (!supported.includes(v)) return [fieldNotSupported(path, v, supported)];
  return [];
}

function validateVolumes(volumes: unknown[], path: string, errs: FieldError[]): Set<string> {
  const names = new Set<string>();
  volumes.forEach((volume, i) => {
    const name = str(obj(volume)['name']);
    const namePath = `${path}[${i}].name`;
    if (name === '') errs.push(fieldRequired(namePath, ''));
    else for (const msg of isDNS1123Label(name)) errs.push(fieldInvalid(namePath, name, msg));
    if (names.has(name)) errs.push(fieldDuplicate(namePath, name));
    else names.add(name);
  });
  return names;
}

function validateContainerCommon(c: Obj, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c['name']);
  if (name === '') errs.push(fieldRequired(`${path}.name`, ''));
  else for (const msg of isDNS1123Label(name)) errs.push(fieldInvalid(`${path}.name`, name, msg));
  if (str(c['image']) === '') errs.push(fieldRequired(`${path}.image`, ''));
  errs.push(...validateEnum(c['terminationMessagePolicy'], `${path}.terminationMessagePolicy`, supportedTerminationMessagePolicies));
  errs.push(...validateContainerPorts(list(c['ports']), `${path}.ports`));
  errs.push(...validateEnv(list(c['env']), `${path}.env`));
  list(c['volumeMounts']).forEach((mount, i) => {
    const m = obj(mount);
    const mPath = `${path}.volumeMounts[${i}]`;
    const volumeName = str(m['name']);
    if (volumeName === '') errs.push(fieldRequired(`${mPath}.name`, ''));
    else if (!volumes.has(volumeName)) errs.push(fieldNotFound(`${mPath}.name`, volumeName));
    if (str(m['mountPath']) === '') errs.push(fieldRequired(`${mPath}.mountPath`, ''));
  });
  errs.push(...validateEnum(c['imagePullPolicy'], `${path}.imagePullPolicy`, supportedPullPolicies));
  return errs;
}

function validateContainerPorts(ports: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = obj(port);
    const pPath = `${path}[${i}]`;
    const name = str(p['name']);
    if (name !== '') {
      if (name.length > 15 || !/^[-a-z0-9]+$/.test(name) || !/[a-z]/.test(name) || name.startsWith('-') || name.endsWith('-') || name.includes('--')) {
        errs.push(
          fieldInvalid(
            `${pPath}.name`,
            name,
            'must be an IANA_SVC_NAME (at most 15 characters, matching regex [a-z0-9]([a-z0-9-]*[a-z0-9])*, it must contain at least one letter [a-z], and hyphens cannot be adjacent to other hyphens)',
          ),
        );
      } else if (names.has(name)) {
        errs.push(fieldDuplicate(`${pPath}.name`, name));
      } else {
        names.add(name);
      }
    }
    const containerPort = p['containerPort'];
    if (containerPort === undefined || containerPort === 0) errs.push(fieldRequired(`${pPath}.containerPort`, ''));
    else if (typeof containerPort !== 'number' || containerPort < 1 || containerPort > 65535) {
      errs.push(fieldInvalid(`${pPath}.containerPort`, containerPort, 'must be between 1 and 65535, inclusive'));
    }
    const hostPort = p['hostPort'];
    if (typeof hostPort === 'number' && hostPort !== 0 && (hostPort < 1 || hostPort > 65535)) {
      errs.push(fieldInvalid(`${pPath}.hostPort`, hostPort, 'must be between 1 and 65535, inclusive'));
    }
    errs.push(...validateEnum(p['protocol'], `${pPath}.protocol`, supportedPortProtocols));
  });
  return errs;
}

function validateEnv(env: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((entry, i) => {
    const name = str(obj(entry)['name']);
    const namePath = `${path}[${i}].name`;
    if (name === '') errs.push(fieldRequired(namePath, ''));
    else if (!/^[ -~]+$/.test(name) || name.includes('=')) {
      errs.push(fieldInvalid(namePath, name, "a valid environment variable name must consist only of printable ASCII characters other than '='"));
    }
  });
  return errs;
}

function validateEphemeralContainers(ecs: Obj[], otherNames: Set<string>, volumes: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  ecs.forEach((ec, i) => {
    const ePath = `${path}[${i}]`;
    errs.push(...validateContainerCommon(ec, volumes, ePath));
    const name = str(ec['name']);
    if (otherNames.has(name) || seen.has(name)) errs.push(fieldDuplicate(`${ePath}.name`, name));
    else seen.add(name);
    const target = str(ec['targetContainerName']);
    if (target !== '' && !otherNames.has(target)) errs.push(fieldNotFound(`${ePath}.targetContainerName`, target));
    for (const field of ephemeralForbiddenFields) {
      const value = ec[field];
      if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) {
        errs.push(fieldForbidden(`${ePath}.${field}`, 'cannot be set for an Ephemeral Container'));
      }
    }
    const resources = obj(ec['resources']);
    if (Object.values(resources).some((v) => v !== null && !(isObj(v) && Object.keys(v).length === 0))) {
      errs.push(fieldForbidden(`${ePath}.resources`, 'cannot be set for an Ephemeral Container'));
    }
  });
  return errs;
}

/** The spec fields a pod update may change, as ValidatePodUpdate lists them in its Forbidden message. */
export const updatablePodSpecFields: readonly string[] = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** ValidatePodUpdate: a valid new pod whose spec differs from the old one only in the updatable fields. */
export function validatePodUpdate(newPod: unknown, oldPod: unknown): FieldError[] {
  const n = obj(newPod);
  const o = obj(oldPod);
  const errs = [...validateObjectMetaUpdate(n['metadata'], o['metadata']), ...validatePodMetadataAndSpec(n)];
  const newSpec = obj(n['spec']);
  const oldSpec = obj(o['spec']);

  for (const key of ['containers', 'initContainers']) {
    const newList = list(newSpec[key]);
    const oldList = list(oldSpec[key]);
    if (newList.length !== oldList.length) {
      // ValidateContainerUpdates stops here: the munged comparison below would index out of range.
      errs.push(fieldForbidden(`spec.${key}`, 'pod updates may not add or remove containers'));
      return errs;
    }
    newList.forEach((c, i) => {
      if (str(obj(c)['image']) === '') errs.push(fieldRequired(`spec.${key}[${i}].image`, ''));
    });
  }

  const newDeadline = newSpec['activeDeadlineSeconds'];
  const oldDeadline = oldSpec['activeDeadlineSeconds'];
  if (typeof newDeadline === 'number') {
    if (newDeadline < 0 || newDeadline > 2147483647) {
      errs.push(fieldInvalid('spec.activeDeadlineSeconds', newDeadline, 'must be between 0 and 2147483647, inclusive'));
      return errs;
    }
    if (typeof oldDeadline === 'number' && oldDeadline < newDeadline) {
      errs.push(fieldInvalid('spec.activeDeadlineSeconds', newDeadline, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (typeof oldDeadline === 'number') {
    errs.push(fieldInvalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }

  const oldTolerations = list(oldSpec['tolerations']);
  const newTolerations = list(newSpec['tolerations']);
  if (oldTolerations.some((old) => !newTolerations.some((t) => tolerationCovers(obj(t), obj(old))))) {
    errs.push(fieldForbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
    return errs;
  }

  // Munge the updatable fields to the old values; anything still different is forbidden.
  const munged: Obj = structuredClone(newSpec);
  for (const key of ['containers', 'initContainers']) {
    const oldList = list(oldSpec[key]);
    if (Array.isArray(munged[key])) {
      munged[key] = (munged[key] as unknown[]).map((c, i) => ({ ...obj(c), image: obj(oldList[i])['image'] }));
    }
  }
  setOrDelete(munged, 'activeDeadlineSeconds', oldSpec['activeDeadlineSeconds']);
  setOrDelete(munged, 'tolerations', oldSpec['tolerations']);
  setOrDelete(munged, 'schedulingGates', oldSpec['schedulingGates']);
  const oldGrace = oldSpec['terminationGracePeriodSeconds'];
  if (typeof oldGrace === 'number' && oldGrace < 0 && munged['terminationGracePeriodSeconds'] === 1) {
    munged['terminationGracePeriodSeconds'] = oldGrace;
  }
  const diff = specDiff(oldSpec, munged, 'spec');
  if (diff.length > 0) {
    errs.push(fieldForbidden('spec', `pod updates may not change fields other than ${updatablePodSpecFields.join(',')}\n${diff.join('\n')}`));
  }
  return errs;
}

function setOrDelete(target: Obj, key: string, value: unknown): void {
  if (value === undefined) delete target[key];
  else target[key] = structuredClone(value);
}

// validateOnlyAddedTolerations: an old toleration must stay, only its tolerationSeconds may shrink.
function tolerationCovers(t: Obj, old: Obj): boolean {
  for (const key of ['key', 'operator', 'value', 'effect']) if ((t[key] ?? '') !== (old[key] ?? '')) return false;
  return true;
}

// Upstream prints cmp.Diff of the Go structs; this prints one `- path: old` / `+ path: new` pair per changed field.
function specDiff(oldV: unknown, newV: unknown, path: string): string[] {
  if (semanticEqual(oldV, newV)) return [];
  if (isObj(oldV) && isObj(newV)) {
    const keys = [...new Set([...Object.keys(oldV), ...Object.keys(newV)])].sort();
    return keys.flatMap((k) => specDiff(oldV[k], newV[k], `${path}.${k}`));
  }
  if (Array.isArray(oldV) && Array.isArray(newV) && oldV.length === newV.length) {
    return oldV.flatMap((v, i) => specDiff(v, newV[i], `${path}[${i}]`));
  }
  const out: string[] = [];
  if (oldV !== undefined) out.push(`- ${path}: ${JSON.stringify(oldV)}`);
  if (newV !== undefined) out.push(`+ ${path}: ${JSON.stringify(newV)}`);
  return out;
}

// apiequality.Semantic.DeepEqual on JSON: absent, null, empty list and empty map are the same (omitempty).
function semanticEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).every((k) => empty(v[k])));
  if (empty(a) && empty(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => semanticEqual(v, b[i]));
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => semanticEqual(a[k], b[k]));
  }
  return a === b;
}

/** ValidatePodEphemeralContainersUpdate: a valid pod whose existing ephemeral containers are neither removed nor changed. */
export function validateEphemeralContainersUpdate(newPod: unknown, oldPod: unknown): FieldError[] {
  const n = obj(newPod);
  const o = obj(oldPod);
  const errs = [...validateObjectMetaUpdate(n['metadata'], o['metadata']), ...validatePodMetadataAndSpec(n)];
  const oldAnnotations = obj(obj(o['metadata'])['annotations']);
  if (oldAnnotations['kubernetes.io/config.mirror'] !== undefined) {
    return [fieldForbidden('', 'static pods do not support ephemeral containers')];
  }
  const byName = new Map(list(obj(n['spec'])['ephemeralContainers']).map((c) => [str(obj(c)['name']), obj(c)]));
  for (const old of list(obj(o['spec'])['ephemeralContainers']).map(obj)) {
    const name = str(old['name']);
    const current = byName.get(name);
    if (current === undefined) {
      errs.push(fieldForbidden('spec.ephemeralContainers', `existing ephemeral containers ${JSON.stringify(name)} may not be removed\n`));
    } else if (!semanticEqual(old, current)) {
      const diff = specDiff(old, current, 'ephemeralContainer');
      errs.push(fieldForbidden('spec.ephemeralContainers', `existing ephemeral containers ${JSON.stringify(name)} may not be changed\n${diff.join('\n')}`));
    }
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// RBAC (k8s.io/kubernetes pkg/apis/rbac/validation/validation.go)

const rbacGroup = 'rbac.authorization.k8s.io';

/** ValidateRBACName = path.IsValidPathSegmentName: anything but '.', '..' and names with '/' or '%'. */
export const nameIsRBAC: NameFn = (name) => {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  for (const bad of ['/', '%']) if (name.includes(bad)) return [`may not contain '${bad}'`];
  return [];
};

/** ValidatePolicyRule. */
function validatePolicyRule(rule: unknown, isNamespaced: boolean, path: string): FieldError[] {
  const r = obj(rule);
  const errs: FieldError[] = [];
  const verbs = list(r['verbs']);
  const nonResourceURLs = list(r['nonResourceURLs']);
  if (verbs.length === 0) errs.push(fieldRequired(`${path}.verbs`, 'verbs must contain at least one value'));
  if (nonResourceURLs.length > 0) {
    if (isNamespaced) errs.push(fieldInvalid(`${path}.nonResourceURLs`, nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (list(r['apiGroups']).length > 0 || list(r['resources']).length > 0 || list(r['resourceNames']).length > 0) {
      errs.push(fieldInvalid(`${path}.nonResourceURLs`, nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (list(r['apiGroups']).length === 0) errs.push(fieldRequired(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (list(r['resources']).length === 0) errs.push(fieldRequired(`${path}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

/** ValidateRole / ValidateClusterRole. */
export function validateRole(role: unknown, isNamespaced: boolean): FieldError[] {
  const r = obj(role);
  const errs = validateObjectMeta(r['metadata'], isNamespaced, nameIsRBAC);
  list(r['rules']).forEach((rule, i) => errs.push(...validatePolicyRule(rule, isNamespaced, `rules[${i}]`)));
  return errs;
}

/** ValidateRoleBindingSubject. */
function validateRoleBindingSubject(subject: unknown, isNamespaced: boolean, path: string): FieldError[] {
  const s = obj(subject);
  const errs: FieldError[] = [];
  const name = str(s['name']);
  const apiGroup = str(s['apiGroup']);
  const kind = str(s['kind']);
  if (name === '') errs.push(fieldRequired(`${path}.name`, ''));
  switch (kind) {
    case 'ServiceAccount':
      if (name !== '') for (const msg of nameIsDNSSubdomain(name, false)) errs.push(fieldInvalid(`${path}.name`, name, msg));
      if (apiGroup !== '') errs.push(fieldNotSupported(`${path}.apiGroup`, apiGroup, ['']));
      if (!isNamespaced && str(s['namespace']) === '') errs.push(fieldRequired(`${path}.namespace`, ''));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== rbacGroup) errs.push(fieldNotSupported(`${path}.apiGroup`, apiGroup, [rbacGroup]));
      break;
    default:
      errs.push(fieldNotSupported(`${path}.kind`, kind, ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

/** ValidateRoleBinding (namespaced) / ValidateClusterRoleBinding. */
export function validateRoleBinding(binding: unknown, isNamespaced: boolean): FieldError[] {
  const b = obj(binding);
  const errs = validateObjectMeta(b['metadata'], isNamespaced, nameIsRBAC);
  const ref = obj(b['roleRef']);
  const refGroup = str(ref['apiGroup']);
  const refKind = str(ref['kind']);
  const refName = str(ref['name']);
  if (refGroup !== rbacGroup) errs.push(fieldNotSupported('roleRef.apiGroup', refGroup, [rbacGroup]));
  if (isNamespaced) {
    if (refKind !== 'Role' && refKind !== 'ClusterRole') errs.push(fieldNotSupported('roleRef.kind', refKind, ['Role', 'ClusterRole']));
  } else if (refKind !== 'ClusterRole') {
    errs.push(fieldNotSupported('roleRef.kind', refKind, ['ClusterRole']));
  }
  if (refName === '') errs.push(fieldRequired('roleRef.name', ''));
  else for (const msg of nameIsRBAC(refName, false)) errs.push(fieldInvalid('roleRef.name', refName, msg));
  list(b['subjects']).forEach((subject, i) => errs.push(...validateRoleBindingSubject(subject, isNamespaced, `subjects[${i}]`)));
  return errs;
}

/** ValidateRoleBindingUpdate / ValidateClusterRoleBindingUpdate: the roleRef cannot change. */
export function validateRoleBindingUpdate(binding: unknown, old: unknown, isNamespaced: boolean): FieldError[] {
  const errs = [...validateRoleBinding(binding, isNamespaced), ...validateObjectMetaUpdate(obj(binding)['metadata'], obj(old)['metadata'])];
  const ref = obj(obj(binding)['roleRef']);
  const oldRef = obj(obj(old)['roleRef']);
  if (['apiGroup', 'kind', 'name'].some((k) => str(ref[k]) !== str(oldRef[k]))) {
    errs.push(fieldInvalid('roleRef', ref, 'cannot change roleRef'));
  }
  return errs;
}
