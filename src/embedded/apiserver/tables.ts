// Server-side printing for `kubectl get`: meta.k8s.io/v1 Tables as k8s.io/kubernetes pkg/printers/internalversion/
// printers.go builds them (column definitions, printPod, printNode, printEvent, …), ages as
// k8s.io/apimachinery pkg/util/duration HumanDuration. The apiserver always prints wide (storage.go TableConvertor);
// kubectl hides the priority-1 columns unless `-o wide`.
import { summarizePodStatus } from '../../k8s/pod-status.js';
import { type JsonObject as Obj, isObject as isObj, objectField as obj, listField as list, stringField as str, numberField as num } from '../../k8s/json-fields.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
export type TableCell = string | number;
export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  /** null under includeObject=None: upstream's empty runtime.RawExtension marshals as null. */
  object?: Obj | null;
}
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** metav1.IncludeObjectPolicy: `includeObject=None|Metadata|Object`; Metadata is the default. */
export type IncludeObjectPolicy = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** Include the priority-1 columns (the apiserver always does). */
  wide: boolean;
  /** Current time in ms since the epoch, for AGE. */
  now: number;
  includeObject?: IncludeObjectPolicy;
  /** The list's resourceVersion, needed for `kubectl get -w`. */
  resourceVersion?: string;
}

const nameDescription =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const ageDescription =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

const col = (name: string, description = '', priority = 0, type = 'string', format = ''): TableColumnDefinition => ({
  name,
  type,
  format,
  description,
  priority,
});
const nameCol = col('Name', nameDescription, 0, 'string', 'name');
const ageCol = col('Age', ageDescription);

// ---------------------------------------------------------------------------------------------
// Ages

/** duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const years = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** translateTimestampSince: `<unknown>` for a zero (absent) timestamp. */
export function translateTimestampSince(timestamp: unknown, now: number): string {
  const t = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
  if (Number.isNaN(t) || t <= 0) return '<unknown>';
  return humanDuration(now - t);
}

// ---------------------------------------------------------------------------------------------
// Pods

const podColumns: TableColumnDefinition[] = [
  nameCol,
  col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
  col('Status', 'The aggregate status of the containers in this pod.'),
  col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  ageCol,
  col('IP', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
  col(
    'Node',
    'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
    1,
  ),
  col(
    'Nominated Node',
    'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
    1,
  ),
  col(
    'Readiness Gates',
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
    1,
  ),
];

/** printPod: NAME READY STATUS RESTARTS AGE (+ IP NODE NOMINATED NODE READINESS GATES). */
export function printPod(pod: Obj, now: number): { cells: TableCell[]; conditions?: TableRowCondition[] } {
  const spec = obj(pod['spec']);
  const status = obj(pod['status']);
  const metadata = obj(pod['metadata']);
  const conditions = list(status['conditions']).map(obj);
  const phase = str(status['phase']);
  const { readyContainers, totalContainers, reason, restarts, lastRestart } = summarizePodStatus(pod);
  const restartsCell = restarts !== 0 && lastRestart !== 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  const podIP = str(obj(list(status['podIPs'])[0])['ip']) || '<none>';
  const readinessGates = list(spec['readinessGates']).map(obj);
  let gates = '<none>';
  if (readinessGates.length > 0) {
    const trueCount = readinessGates.filter((g) => conditions.find((c) => c['type'] === g['conditionType'])?.['status'] === 'True').length;
    gates = `${trueCount}/${readinessGates.length}`;
  }
  const cells: TableCell[] = [
    str(metadata['name']),
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsCell,
    translateTimestampSince(metadata['creationTimestamp'], now),
    podIP,
    str(spec['nodeName']) || '<none>',
    str(status['nominatedNodeName']) || '<none>',
    gates,
  ];
  if (phase === 'Succeeded') return { cells, conditions: [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }] };
  if (phase === 'Failed') return { cells, conditions: [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }] };
  return { cells };
}

// ---------------------------------------------------------------------------------------------
// Other resources

const nodeColumns: TableColumnDefinition[] = [
  nameCol,
  col('Status', 'The status of the node'),
  col('Roles', 'The roles of the node'),
  ageCol,
  col('Version', 'Kubelet Version reported by the node.'),
  col('Internal-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
  col('External-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1),
  col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
  col('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
  col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
];

function printNode(node: Obj, now: number): TableCell[] {
  const metadata = obj(node['metadata']);
  const status = obj(node['status']);
  const info = obj(status['nodeInfo']);
  const ready = list(status['conditions'])
    .map(obj)
    .find((c) => c['type'] === 'Ready');
  const states = ready === undefined ? ['Unknown'] : [ready['status'] === 'True' ? 'Ready' : 'NotReady'];
  if (obj(node['spec'])['unschedulable'] === true) states.push('SchedulingDisabled');
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(obj(metadata['labels']))) {
    if (key.startsWith('node-role.kubernetes.io/')) {
      const role = key.slice('node-role.kubernetes.io/'.length);
      if (role !== '') roles.add(role);
    } else if (key === 'kubernetes.io/role' && str(value) !== '') {
      roles.add(str(value));
    }
  }
  const address = (type: string): string =>
    str(
      list(status['addresses'])
        .map(obj)
        .find((a) => a['type'] === type)?.['address'],
    ) || '<none>';
  return [
    str(metadata['name']),
    states.join(','),
    [...roles].sort().join(',') || '<none>',
    translateTimestampSince(metadata['creationTimestamp'], now),
    str(info['kubeletVersion']),
    address('InternalIP'),
    address('ExternalIP'),
    str(info['osImage']) || '<unknown>',
    str(info['kernelVersion']) || '<unknown>',
    str(info['containerRuntimeVersion']) || '<unknown>',
  ];
}

const eventColumns: TableColumnDefinition[] = [
  col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
  col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
  col('Reason', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  col('Object', 'The object that this event is about.'),
  col(
    'Subobject',
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].',
    1,
  ),
  col('Source', 'The component reporting this event. Should be a short machine understandable string.', 1),
  col('Message', 'A human-readable description of the status of this operation.'),
  col('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
  col('Count', 'The number of times this event has occurred.', 1),
  col('Name', nameDescription, 1, 'string', 'name'),
];

function printEvent(event: Obj, now: number): TableCell[] {
  const involved = obj(event['involvedObject']);
  const source = obj(event['source']);
  const series = isObj(event['series']) ? event['series'] : undefined;
  let firstSeen = translateTimestampSince(event['firstTimestamp'], now);
  if (!isTime(event['firstTimestamp'])) firstSeen = translateTimestampSince(event['eventTime'], now);
  let lastSeen = isTime(event['lastTimestamp']) ? translateTimestampSince(event['lastTimestamp'], now) : firstSeen;
  let count = num(event['count']);
  if (series !== undefined) {
    lastSeen = translateTimestampSince(series['lastObservedTime'], now);
    count = num(series['count']);
  } else if (count === 0) {
    count = 1; // singleton events of the events.k8s.io API carry no count
  }
  const kind = str(involved['kind']).toLowerCase();
  const target = str(involved['name']) !== '' ? `${kind}/${str(involved['name'])}` : kind;
  const component = str(source['component']) || str(event['reportingComponent']);
  const instance = str(source['host']) || str(event['reportingInstance']);
  return [
    lastSeen,
    str(event['type']),
    str(event['reason']),
    target,
    str(involved['fieldPath']),
    instance === '' ? component : `${component}, ${instance}`,
    str(event['message']).trim(),
    firstSeen,
    count,
    str(obj(event['metadata'])['name']),
  ];
}
const isTime = (v: unknown): boolean => typeof v === 'string' && !Number.isNaN(Date.parse(v)) && Date.parse(v) > 0;

const namespaceColumns = [nameCol, col('Status', 'The status of the namespace'), ageCol];
const secretColumns = [
  nameCol,
  col('Type', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
  col(
    'Data',
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
  ),
  ageCol,
];
// Upstream dropped the Secrets column (pkg/printers/internalversion/printers.go, v1.36: Name, Age).
const serviceAccountColumns = [nameCol, ageCol];
const configMapColumns = [nameCol, col('Data', 'Data contains the configuration data.'), ageCol];
const roleColumns = [nameCol, col('Created At', ageDescription, 0, 'date')];
const bindingColumns = [
  nameCol,
  col('Role', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
  ageCol,
  col('Users', 'Users in the roleBinding', 1),
  col('Groups', 'Groups in the roleBinding', 1),
  col('ServiceAccounts', 'ServiceAccounts in the roleBinding', 1),
];

function printBinding(binding: Obj, now: number): TableCell[] {
  const metadata = obj(binding['metadata']);
  const ref = obj(binding['roleRef']);
  const subjects = list(binding['subjects']).map(obj);
  const of = (kind: string): string[] =>
    subjects.filter((s) => s['kind'] === kind).map((s) => (kind === 'ServiceAccount' ? `${str(s['namespace'])}/${str(s['name'])}` : str(s['name'])));
  return [
    str(metadata['name']),
    `${str(ref['kind'])}/${str(ref['name'])}`,
    translateTimestampSince(metadata['creationTimestamp'], now),
    of('User').join(', '),
    of('Group').join(', '),
    of('ServiceAccount').join(', '),
  ];
}

function rfc3339(timestamp: unknown): string {
  const t = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
  // Go formats the zero time as 0001-01-01T00:00:00Z.
  return Number.isNaN(t) ? '0001-01-01T00:00:00Z' : `${new Date(t).toISOString().slice(0, 19)}Z`;
}

interface Printer {
  columns: TableColumnDefinition[];
  row: (o: Obj, now: number) => { cells: TableCell[]; conditions?: TableRowCondition[] };
}
const cellsOnly =
  (fn: (o: Obj, now: number) => TableCell[]) =>
  (o: Obj, now: number): { cells: TableCell[] } => ({ cells: fn(o, now) });
const age = (o: Obj, now: number): string => translateTimestampSince(obj(o['metadata'])['creationTimestamp'], now);
const name = (o: Obj): string => str(obj(o['metadata'])['name']);
const dataCount = (o: Obj): number => new Set([...Object.keys(obj(o['data'])), ...Object.keys(obj(o['stringData'])), ...Object.keys(obj(o['binaryData']))]).size;

// printers.go printValidatingAdmissionPolicy / printMutatingAdmissionPolicy and their bindings' printers.
const policyColumns = (count: 'Validations' | 'Mutations'): TableColumnDefinition[] => [
  nameCol,
  col(
    count,
    count === 'Validations'
      ? 'Validations indicates the number of validation rules defined in this configuration'
      : 'Mutation indicates the number of mutations rules defined in this configuration',
    0,
    'integer',
  ),
  col('ParamKind', 'ParamKind specifies the kind of resources used to parameterize this policy'),
  ageCol,
];
const policyBindingColumns: TableColumnDefinition[] = [
  nameCol,
  col('PolicyName', 'PolicyName indicates the policy definition which the policy binding binded to'),
  col('ParamRef', 'ParamRef indicates the param resource which sets the configration param'),
  ageCol,
];
function printPolicy(field: 'validations' | 'mutations') {
  return (o: Obj, now: number): TableCell[] => {
    const spec = obj(o['spec']);
    const paramKind = isObj(spec['paramKind']) ? `${str(spec['paramKind']['apiVersion'])}/${str(spec['paramKind']['kind'])}` : '<unset>';
    return [name(o), list(spec[field]).length, paramKind, age(o, now)];
  };
}
/** metav1.LabelSelector.String() as gogo-protobuf generates it. */
function labelSelectorString(s: Obj): string {
  const labels = Object.keys(obj(s['matchLabels']))
    .sort()
    .map((k) => `${k}: ${str(obj(s['matchLabels'])[k])},`)
    .join('');
  const exprs = list(s['matchExpressions'])
    .map((e) => `LabelSelectorRequirement{Key:${str(obj(e)['key'])},Operator:${str(obj(e)['operator'])},Values:[${list(obj(e)['values']).map(String).join(' ')}],}`)
    .join(',');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}
function printPolicyBinding(o: Obj, now: number): TableCell[] {
  const spec = obj(o['spec']);
  let paramName = '<unset>';
  if (isObj(spec['paramRef'])) {
    const ref = spec['paramRef'];
    // Can't tell from here whether the param is cluster-scoped: a name without a namespace is "*/<name>".
    if (str(ref['name']) !== '') paramName = str(ref['namespace']) !== '' ? `${str(ref['namespace'])}/${str(ref['name'])}` : `*/${str(ref['name'])}`;
    else if (isObj(ref['selector'])) paramName = labelSelectorString(ref['selector']);
  }
  return [name(o), str(spec['policyName']), paramName, age(o, now)];
}

const PRINTERS: Record<string, Printer> = {
  pods: { columns: podColumns, row: printPod },
  nodes: { columns: nodeColumns, row: cellsOnly(printNode) },
  events: { columns: eventColumns, row: cellsOnly(printEvent) },
  namespaces: { columns: namespaceColumns, row: cellsOnly((o, now) => [name(o), str(obj(o['status'])['phase']), age(o, now)]) },
  secrets: { columns: secretColumns, row: cellsOnly((o, now) => [name(o), str(o['type']), dataCount(o), age(o, now)]) },
  serviceaccounts: { columns: serviceAccountColumns, row: cellsOnly((o, now) => [name(o), age(o, now)]) },
  configmaps: { columns: configMapColumns, row: cellsOnly((o, now) => [name(o), dataCount(o), age(o, now)]) },
  roles: { columns: roleColumns, row: cellsOnly((o) => [name(o), rfc3339(obj(o['metadata'])['creationTimestamp'])]) },
  clusterroles: { columns: roleColumns, row: cellsOnly((o) => [name(o), rfc3339(obj(o['metadata'])['creationTimestamp'])]) },
  rolebindings: { columns: bindingColumns, row: cellsOnly(printBinding) },
  clusterrolebindings: { columns: bindingColumns, row: cellsOnly(printBinding) },
  validatingadmissionpolicies: { columns: policyColumns('Validations'), row: cellsOnly(printPolicy('validations')) },
  validatingadmissionpolicybindings: { columns: policyBindingColumns, row: cellsOnly(printPolicyBinding) },
  mutatingadmissionpolicies: { columns: policyColumns('Mutations'), row: cellsOnly(printPolicy('mutations')) },
  mutatingadmissionpolicybindings: { columns: policyBindingColumns, row: cellsOnly(printPolicyBinding) },
};

// The default table (pkg/registry/rest/table.go DefaultTableConvertor): NAME and CREATED AT.
const defaultPrinter: Printer = {
  columns: [nameCol, col('Created At', ageDescription, 0, 'date')],
  row: cellsOnly((o) => [name(o), rfc3339(obj(o['metadata'])['creationTimestamp'])]),
};

function rowObject(o: Obj, policy: IncludeObjectPolicy): Obj | undefined {
  if (policy === 'None') return undefined;
  if (policy === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj(o['metadata']) };
}

/** A meta.k8s.io/v1 Table for `objects` of `resource` (plural, lower case, e.g. "pods"). */
export function toTable(resource: string, objects: readonly unknown[], options: TableOptions): Table {
  const printer = PRINTERS[resource] ?? defaultPrinter;
  const keep = printer.columns.map((c) => options.wide || c.priority === 0);
  const policy = options.includeObject ?? 'Metadata';
  const rows = objects.map((o): TableRow => {
    const printed = printer.row(obj(o), options.now);
    const row: TableRow = { cells: printed.cells.filter((_, i) => keep[i]) };
    if (printed.conditions) row.conditions = printed.conditions;
    const object = rowObject(obj(o), policy);
    row.object = object ?? null;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: options.resourceVersion === undefined ? {} : { resourceVersion: options.resourceVersion },
    columnDefinitions: printer.columns.filter((_, i) => keep[i]),
    rows,
  };
}
