// The Pod Security Standards checks (k8s.io/pod-security-admission/policy): each check reads a pod's
// metadata and spec and answers allowed, or a forbidden reason and detail in upstream's exact words.
//
//   evaluatePod({ level: 'baseline', version: LATEST }, pod.metadata, pod.spec)  → CheckResult[]
//   aggregateCheckResults(results).forbiddenDetail()  → 'hostPath volumes (volume "node")'
//
// The order of checks is upstream's registration order (Go init order: the check_*.go file names), with the
// baseline checks that restricted overrides ("Overlap") after the others, as policy/registry.go evaluates them.
import { isObject, listField, objectField, stringField, type JsonObject } from './json-fields.js';

export type Level = 'privileged' | 'baseline' | 'restricted';
export const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];

/** api.Version: `latest` or v1.<minor> (pod-security-admission api/helpers.go). */
export type Version = { latest: true } | { latest: false; minor: number };
export const LATEST: Version = { latest: true };
export const v1 = (minor: number): Version => ({ latest: false, minor });

export function versionString(v: Version): string {
  return v.latest ? 'latest' : `v1.${v.minor}`;
}

export interface LevelVersion {
  level: Level;
  version: Version;
}

/** LevelVersion.String: `baseline:latest`, `restricted:v1.30`. */
export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${versionString(lv.version)}`;
}

export function sameLevelVersion(a: LevelVersion, b: LevelVersion): boolean {
  return levelVersionString(a) === levelVersionString(b);
}

/** CheckResult (policy/checks.go). */
export type CheckResult = { allowed: true } | { allowed: false; forbiddenReason: string; forbiddenDetail: string };

const ALLOWED: CheckResult = { allowed: true };
const forbid = (forbiddenReason: string, forbiddenDetail: string): CheckResult => ({ allowed: false, forbiddenReason, forbiddenDetail });

/** The pod(-template) parts a check reads, as JSON. */
export interface PodParts {
  metadata: JsonObject;
  spec: JsonObject;
}

type CheckPod = (pod: PodParts) => CheckResult;

interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  /** A baseline check that restricted replaces with a stricter one (Check.Overlap). */
  overlap?: boolean;
  /** Versions of the check, oldest first: each applies from its minimum minor version until the next. */
  versions: readonly { minimumMinor: number; checkPod: CheckPod }[];
}

// --- helpers (policy/helpers.go, visitor.go) -----------------------------------------------------------

/** joinQuote: `"a", "b"`. */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** sets.NewString(...).List(): unique and sorted. */
const sortedSet = (items: Iterable<string>): string[] => [...new Set(items)].sort();

interface ContainerJson {
  name: string;
  securityContext?: JsonObject;
  raw: JsonObject;
}

/** visitContainers: init, regular, then ephemeral containers. */
function containers(spec: JsonObject): ContainerJson[] {
  return ['initContainers', 'containers', 'ephemeralContainers'].flatMap((list) =>
    listField(spec[list])
      .filter(isObject)
      .map((c) => {
        const sc = c['securityContext'];
        return { name: stringField(c['name']), raw: c, ...(isObject(sc) ? { securityContext: sc } : {}) };
      }),
  );
}

const podSecurityContext = (spec: JsonObject): JsonObject | undefined => (isObject(spec['securityContext']) ? spec['securityContext'] : undefined);
const isTrue = (v: unknown): boolean => v === true;

/** `container "a"` / `containers "a", "b"`. */
const containersPhrase = (names: readonly string[]): string => `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;

// --- baseline -------------------------------------------------------------------------------------------

/** policy/check_appArmorProfile.go (annotations; the securityContext.appArmorProfile field is not modelled). */
const appArmorProfile: Check = {
  id: 'appArmorProfile',
  level: 'baseline',
  versions: [
    {
      minimumMinor: 0,
      checkPod: ({ metadata }) => {
        const prefix = 'container.apparmor.security.beta.kubernetes.io/';
        const allowed = (p: string): boolean => p === '' || p === 'runtime/default' || p.startsWith('localhost/');
        const bad = Object.entries(objectField(metadata['annotations']))
          .filter(([k, v]) => k.startsWith(prefix) && !allowed(stringField(v)))
          .map(([k, v]) => `${k}=${JSON.stringify(stringField(v))}`)
          .sort();
        if (bad.length === 0) return ALLOWED;
        return forbid(pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', bad.length), bad.join(', '));
      },
    },
  ],
};

/** policy/check_hostNamespaces.go */
const hostNamespaces: Check = {
  id: 'hostNamespaces',
  level: 'baseline',
  versions: [
    {
      minimumMinor: 0,
      checkPod: ({ spec }) => {
        const bad = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((f) => isTrue(spec[f])).map((f) => `${f}=true`);
        return bad.length === 0 ? ALLOWED : forbid('host namespaces', bad.join(', '));
      },
    },
  ],
};

/** policy/check_hostPorts.go */
const hostPorts: Check = {
  id: 'hostPorts',
  level: 'baseline',
  versions: [
    {
      minimumMinor: 0,
      checkPod: ({ spec }) => {
        const badContainers: string[] = [];
        const ports = new Set<string>();
        for (const c of containers(spec)) {
          let valid = true;
          for (const p of listField(c.raw['ports']).filter(isObject)) {
            const hostPort = p['hostPort'];
            if (typeof hostPort === 'number' && hostPort !== 0) {
              valid = false;
              ports.add(String(hostPort));
            }
          }
          if (!valid) badContainers.push(c.name);
        }
        if (badContainers.length === 0) return ALLOWED;
        const list = sortedSet(ports);
        return forbid(
          'hostPort',
          `${containersPhrase(badContainers)} ${pluralize('uses', 'use', badContainers.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
        );
      },
    },
  ],
};

/** policy/check_hostProbesAndhostLifecycle.go (policy version 1.34+). */
const hostProbesAndHostLifecycle: Check = {
  id: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  versions: [
    {
      minimumMinor: 34,
      checkPod: ({ spec }) => {
        const badContainers = new Set<string>();
        const hosts = new Set<string>();
        const hostsOf = (handler: unknown): string[] => {
          if (!isObject(handler)) return [];
          return ['httpGet', 'tcpSocket'].map((k) => stringField(objectField(handler[k])['host'])).filter((h) => h !== '');
        };
        for (const c of containers(spec)) {
          const lifecycle = objectField(c.raw['lifecycle']);
          for (const handler of [c.raw['livenessProbe'], c.raw['readinessProbe'], c.raw['startupProbe'], lifecycle['postStart'], lifecycle['preStop']]) {
            const bad = hostsOf(handler);
            if (bad.length > 0) {
              badContainers.add(c.name);
              for (const h of bad) hosts.add(h);
            }
          }
        }
        if (badContainers.size === 0) return ALLOWED;
        const names = sortedSet(badContainers);
        const list = sortedSet(hosts);
        return forbid(
          'probe or lifecycle host',
          `${containersPhrase(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', list.length)} ${joinQuote(list)}`,
        );
      },
    },
  ],
};

/** policy/check_privileged.go */
const privileged: Check = {
  id: 'privileged',
  level: 'baseline',
  versions: [
    {
      minimumMinor: 0,
      checkPod: ({ spec }) => {
        const bad = containers(spec)
          .filter((c) => isTrue(c.securityContext?.['privileged']))
          .map((c) => c.name);
        return bad.length === 0 ? ALLOWED : forbid('privileged', `${containersPhrase(bad)} must not set securityContext.privileged=true`);
      },
    },
  ],
};

/** policy/check_procMount.go (the user-namespace relaxation is off unless the cluster opts in). */
const procMount: Check = {
  id: 'procMount',
  level: 'baseline',
  versions: [
    {
      minimumMinor: 0,
      checkPod: ({ spec }) => {
        const bad: string[] = [];
        const types = new Set<string>();
        for (const c of containers(spec)) {
          const pm = c.securityContext?.['procMount'];
          if (typeof pm === 'string' && pm !== 'Default') {
            bad.push(c.name);
            types.add(pm);
          }
        }
        if (bad.length === 0) return ALLOWED;
        return forbid('procMount', `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`);
      },
    },
  ],
};

/** policy/check_seLinuxOptions.go */
const seLinuxOptions: Check = {
  id: 'seLinuxOptions',
  level: 'baseline',
  versions: [
    {
      minimumMinor: 0,
      checkPod: ({ spec }) => {
        const allowedTypes = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
        const badTypes = new Set<string>();
        let setUser = false;
        let setRole = false;
        const valid = (opts: JsonObject): boolean => {
          let ok = true;
          const type = stringField(opts['type']);
          if (!allowedTypes.has(type)) {
            ok = false;
            badTypes.add(type);
          }
          if (stringField(opts['user']) !== '') {
            ok = false;
            setUser = true;
          }
          if (stringField(opts['role']) !== '') {
            ok = false;
            setRole = true;
          }
          return ok;
        };
        const badSetters: string[] = [];
        const podOpts = podSecurityContext(spec)?.['seLinuxOptions'];
        if (isObject(podOpts) && !valid(podOpts)) badSetters.push('pod');
        const badContainers = containers(spec)
          .filter((c) => {
            const o = c.securityContext?.['seLinuxOptions'];
            return isObject(o) && !valid(o);
          })
          .map((c) => c.name);
        if (badContainers.length > 0) badSetters.push(containersPhrase(badContainers));
        if (badSetters.length === 0) return ALLOWED;
        // upstream lists user/role only alongside bad types (check_seLinuxOptions.go)
        const badData: string[] = [];
        if (badTypes.size > 0) {
          const types = sortedSet(badTypes);
          badData.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
          if (setUser) badData.push('user may not be set');
          if (setRole) badData.push('role may not be set');
        }
        return forbid('seLinuxOptions', `${badSetters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${badData.join('; ')}`);
      },
    },
  ],
};

/** policy/check_sysctls.go (the 1.0 safe set). */
const sysctls: Check = {
  id: 'sysctls',
  level: 'baseline',
  versions: [
    {
      minimumMinor: 0,
      checkPod: ({ spec }) => {
        const safe = new Set([
          'kernel.shm_rmid_forced',
          'net.ipv4.ip_local_port_range',
          'net.ipv4.tcp_syncookies',
          'net.ipv4.ping_group_range',
          'net.ipv4.ip_unprivileged_port_start',
        ]);
        const bad = listField(podSecurityContext(spec)?.['sysctls'])
          .filter(isObject)
          .map((s) => stringField(s['name']))
          .filter((n) => !safe.has(n));
        return bad.length === 0 ? ALLOWED : forbid('forbidden sysctls', bad.join(', '));
      },
    },
  ],
};

/** policy/check_windowsHostProcess.go */
const windowsHostProcess: Check = {
  id: 'windowsHostProcess',
  level: 'baseline',
  versions: [
    {
      minimumMinor: 0,
      checkPod: ({ spec }) => {
        const hostProcess = (sc: JsonObject | undefined): boolean => isTrue(objectField(sc?.['windowsOptions'])['hostProcess']);
        const setters: string[] = [];
        if (hostProcess(podSecurityContext(spec))) setters.push('pod');
        const bad = containers(spec)
          .filter((c) => hostProcess(c.securityContext))
          .map((c) => c.name);
        if (bad.length > 0) setters.push(containersPhrase(bad));
        if (setters.length === 0) return ALLOWED;
        return forbid('hostProcess', `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`);
      },
    },
  ],
};

const baselineCapabilities = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const capabilitiesOf = (c: ContainerJson): JsonObject | undefined => {
  const caps = c.securityContext?.['capabilities'];
  return isObject(caps) ? caps : undefined;
};

/** policy/check_capabilities_baseline.go (overlapped by capabilities_restricted). */
const capabilitiesBaseline: Check = {
  id: 'capabilities_baseline',
  level: 'baseline',
  overlap: true,
  versions: [
    {
      minimumMinor: 0,
      checkPod: ({ spec }) => {
        const bad: string[] = [];
        const caps = new Set<string>();
        for (const c of containers(spec)) {
          const added = listField(capabilitiesOf(c)?.['add']).map(stringField);
          const forbidden = added.filter((cap) => !baselineCapabilities.has(cap));
          if (forbidden.length > 0) {
            bad.push(c.name);
            for (const cap of forbidden) caps.add(cap);
          }
        }
        if (bad.length === 0) return ALLOWED;
        return forbid('non-default capabilities', `${containersPhrase(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`);
      },
    },
  ],
};

/** policy/check_hostPathVolumes.go (overlapped by restrictedVolumes). */
const hostPathVolumes: Check = {
  id: 'hostPathVolumes',
  level: 'baseline',
  overlap: true,
  versions: [
    {
      minimumMinor: 0,
      checkPod: ({ spec }) => {
        const names = listField(spec['volumes'])
          .filter(isObject)
          .filter((v) => isObject(v['hostPath']))
          .map((v) => stringField(v['name']));
        return names.length === 0 ? ALLOWED : forbid('hostPath volumes', `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`);
      },
    },
  ],
};

const validSeccompType = (t: unknown): boolean => t === 'Localhost' || t === 'RuntimeDefault';

/** policy/check_seccompProfile_baseline.go, v1.19+ (the field; the pre-1.19 annotations are not modelled). */
const seccompProfileBaseline: Check = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  overlap: true,
  versions: [
    {
      minimumMinor: 19,
      checkPod: ({ spec }) => {
        const setters: string[] = [];
        const values = new Set<string>();
        const podProfile = podSecurityContext(spec)?.['seccompProfile'];
        if (isObject(podProfile) && !validSeccompType(podProfile['type'])) {
          setters.push('pod');
          values.add(stringField(podProfile['type']));
        }
        const bad: string[] = [];
        for (const c of containers(spec)) {
          const p = c.securityContext?.['seccompProfile'];
          if (isObject(p) && !validSeccompType(p['type'])) {
            bad.push(c.name);
            values.add(stringField(p['type']));
          }
        }
        if (bad.length > 0) setters.push(containersPhrase(bad));
        if (setters.length === 0) return ALLOWED;
        return forbid('seccompProfile', `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`);
      },
    },
  ],
};

// --- restricted -----------------------------------------------------------------------------------------

/** policy/check_allowPrivilegeEscalation.go (1.8+). */
const allowPrivilegeEscalation: Check = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  versions: [
    {
      minimumMinor: 8,
      checkPod: ({ spec }) => {
        const bad = containers(spec)
          .filter((c) => c.securityContext?.['allowPrivilegeEscalation'] !== false)
          .map((c) => c.name);
        return bad.length === 0 ? ALLOWED : forbid('allowPrivilegeEscalation != false', `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`);
      },
    },
  ],
};

/** policy/check_capabilities_restricted.go (1.22+). */
const capabilitiesRestricted: Check = {
  id: 'capabilities_restricted',
  level: 'restricted',
  versions: [
    {
      minimumMinor: 22,
      checkPod: ({ spec }) => {
        const missingDropAll: string[] = [];
        const adding: string[] = [];
        const caps = new Set<string>();
        for (const c of containers(spec)) {
          const capabilities = capabilitiesOf(c);
          if (!capabilities) {
            missingDropAll.push(c.name);
            continue;
          }
          if (!listField(capabilities['drop']).includes('ALL')) missingDropAll.push(c.name);
          const forbidden = listField(capabilities['add'])
            .map(stringField)
            .filter((cap) => cap !== 'NET_BIND_SERVICE');
          if (forbidden.length > 0) {
            adding.push(c.name);
            for (const cap of forbidden) caps.add(cap);
          }
        }
        const details: string[] = [];
        if (missingDropAll.length > 0) details.push(`${containersPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
        if (adding.length > 0) details.push(`${containersPhrase(adding)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`);
        return details.length === 0 ? ALLOWED : forbid('unrestricted capabilities', details.join('; '));
      },
    },
  ],
};

// The inline volume sources restricted allows (check_restrictedVolumes.go), and the names it reports for the rest.
const restrictedAllowedVolumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const restrictedVolumeTypes: readonly [field: string, name: string][] = [
  ['hostPath', 'hostPath'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['gitRepo', 'gitRepo'],
  ['nfs', 'nfs'],
  ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'],
  ['rbd', 'rbd'],
  ['flexVolume', 'flexVolume'],
  ['cinder', 'cinder'],
  ['cephfs', 'cephfs'],
  ['flocker', 'flocker'],
  ['fc', 'fc'],
  ['azureFile', 'azureFile'],
  ['vsphereVolume', 'vsphereVolume'],
  ['quobyte', 'quobyte'],
  ['azureDisk', 'azureDisk'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'],
  ['scaleIO', 'scaleIO'],
  ['storageos', 'storageos'],
];

/** policy/check_restrictedVolumes.go */
const restrictedVolumes: Check = {
  id: 'restrictedVolumes',
  level: 'restricted',
  versions: [
    {
      minimumMinor: 0,
      checkPod: ({ spec }) => {
        const bad: string[] = [];
        const types = new Set<string>();
        for (const v of listField(spec['volumes']).filter(isObject)) {
          if (restrictedAllowedVolumes.some((f) => isObject(v[f]))) continue;
          bad.push(stringField(v['name']));
          types.add(restrictedVolumeTypes.find(([f]) => isObject(v[f]))?.[1] ?? 'unknown');
        }
        if (bad.length === 0) return ALLOWED;
        const typeList = sortedSet(types);
        return forbid(
          'restricted volume types',
          `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', typeList.length)} ${joinQuote(typeList)}`,
        );
      },
    },
  ],
};

/** policy/check_runAsNonRoot.go */
const runAsNonRoot: Check = {
  id: 'runAsNonRoot',
  level: 'restricted',
  versions: [
    {
      minimumMinor: 0,
      checkPod: ({ spec }) => {
        const setters: string[] = [];
        let podNonRoot = false;
        const podValue = podSecurityContext(spec)?.['runAsNonRoot'];
        if (typeof podValue === 'boolean') {
          if (!podValue) setters.push('pod');
          else podNonRoot = true;
        }
        const explicit: string[] = [];
        const implicit: string[] = [];
        for (const c of containers(spec)) {
          const v = c.securityContext?.['runAsNonRoot'];
          if (typeof v === 'boolean') {
            if (!v) explicit.push(c.name);
          } else if (!podNonRoot) implicit.push(c.name);
        }
        if (explicit.length > 0) setters.push(containersPhrase(explicit));
        if (setters.length > 0) return forbid('runAsNonRoot != true', `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`);
        if (implicit.length > 0) return forbid('runAsNonRoot != true', `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`);
        return ALLOWED;
      },
    },
  ],
};

/** policy/check_runAsUser.go (1.23+). */
const runAsUser: Check = {
  id: 'runAsUser',
  level: 'restricted',
  versions: [
    {
      minimumMinor: 23,
      checkPod: ({ spec }) => {
        const setters: string[] = [];
        if (podSecurityContext(spec)?.['runAsUser'] === 0) setters.push('pod');
        const bad = containers(spec)
          .filter((c) => c.securityContext?.['runAsUser'] === 0)
          .map((c) => c.name);
        if (bad.length > 0) setters.push(containersPhrase(bad));
        return setters.length === 0 ? ALLOWED : forbid('runAsUser=0', `${setters.join(' and ')} must not set runAsUser=0`);
      },
    },
  ],
};

/** policy/check_seccompProfile_restricted.go (1.19+). */
const seccompProfileRestricted: Check = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  versions: [
    {
      minimumMinor: 19,
      checkPod: ({ spec }) => {
        const setters: string[] = [];
        const values = new Set<string>();
        let podSet = false;
        const podProfile = podSecurityContext(spec)?.['seccompProfile'];
        if (isObject(podProfile)) {
          if (!validSeccompType(podProfile['type'])) {
            setters.push('pod');
            values.add(stringField(podProfile['type']));
          } else podSet = true;
        }
        const explicit: string[] = [];
        const implicit: string[] = [];
        for (const c of containers(spec)) {
          const p = c.securityContext?.['seccompProfile'];
          if (isObject(p)) {
            if (!validSeccompType(p['type'])) {
              explicit.push(c.name);
              values.add(stringField(p['type']));
            }
          } else if (!podSet) implicit.push(c.name);
        }
        if (explicit.length > 0) setters.push(containersPhrase(explicit));
        if (setters.length > 0) return forbid('seccompProfile', `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`);
        if (implicit.length > 0) {
          return forbid('seccompProfile', `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
        }
        return ALLOWED;
      },
    },
  ],
};

/** policy.DefaultChecks() in registration order (Go runs the check_*.go init functions in file-name order). */
const defaultChecks: readonly Check[] = [
  allowPrivilegeEscalation,
  appArmorProfile,
  capabilitiesBaseline,
  capabilitiesRestricted,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  hostProbesAndHostLifecycle,
  privileged,
  procMount,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seLinuxOptions,
  seccompProfileBaseline,
  seccompProfileRestricted,
  sysctls,
  windowsHostProcess,
];

/** The newest minimum version of any check (checkRegistry.maxVersion): newer policy versions evaluate as this one. */
const maxMinor = Math.max(...defaultChecks.map((c) => c.versions[c.versions.length - 1]?.minimumMinor ?? 0));

/** The version of `check` that applies at policy minor `minor`, if any (inflateVersions). */
function checkAt(check: Check, minor: number): CheckPod | undefined {
  let found: CheckPod | undefined;
  for (const v of check.versions) if (v.minimumMinor <= minor) found = v.checkPod;
  return found;
}

/** checkRegistry.EvaluatePod (policy/registry.go): baseline checks, then overlapping baseline or restricted ones. */
export function evaluatePod(lv: LevelVersion, pod: PodParts): CheckResult[] {
  if (lv.level === 'privileged') return [];
  const minor = lv.version.latest ? maxMinor : Math.min(lv.version.minor, maxMinor);
  const run = (checks: readonly Check[]): CheckResult[] =>
    checks.flatMap((c) => {
      const fn = checkAt(c, minor);
      return fn ? [fn(pod)] : [];
    });
  const baseline = run(defaultChecks.filter((c) => c.level === 'baseline' && !c.overlap));
  if (lv.level === 'baseline') return [...baseline, ...run(defaultChecks.filter((c) => c.level === 'baseline' && c.overlap))];
  return [...baseline, ...run(defaultChecks.filter((c) => c.level === 'restricted'))];
}

/** AggregateCheckResult (policy/checks.go). */
export interface AggregateCheckResult {
  allowed: boolean;
  forbiddenReasons: string[];
  forbiddenDetails: string[];
}

export function aggregateCheckResults(results: readonly CheckResult[]): AggregateCheckResult {
  const reasons: string[] = [];
  const details: string[] = [];
  for (const r of results) {
    if (r.allowed) continue;
    reasons.push(r.forbiddenReason === '' ? 'unknown forbidden reason' : r.forbiddenReason);
    details.push(r.forbiddenDetail);
  }
  return { allowed: reasons.length === 0, forbiddenReasons: reasons, forbiddenDetails: details };
}

/** ForbiddenReason: `host ports, privileged`. */
export function forbiddenReason(a: AggregateCheckResult): string {
  return a.forbiddenReasons.join(', ');
}

/** ForbiddenDetail: `host ports (8080, 9090), privileged (container "x" must not set …)`. */
export function forbiddenDetail(a: AggregateCheckResult): string {
  return a.forbiddenReasons.map((r, i) => (a.forbiddenDetails[i] ? `${r} (${a.forbiddenDetails[i]})` : r)).join(', ');
}
