// `--dry-run`: the exact kind configs, commands and manifests the kind backend would run, reviewable on a
// machine without Docker. Built from the same functions the backend calls, so the plan cannot drift from the run.
import type { KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { PROFILES, type ProfileName } from '../lab/profiles.js';
import {
  LAB_NAMESPACE,
  RESET_GRACE_PERIOD_SECONDS,
  admissionPolicyManifests,
  pullSecretManifest,
  serviceAccountManifests,
  serviceAccountSubject,
  tenantManifests,
} from '../lab/stage.js';
import * as cmd from './commands.js';
import { hostsToml, hostsTomlPath, renderKindConfig, type HostSettings } from './config.js';
import { IMAGE_TAG, PUBLIC_REPOSITORY, SECRET_REPOSITORY } from './images.js';
import {
  DEFAULT_KIND_IMAGES,
  DEFAULT_WORKERS,
  KIND_NETWORK,
  REGISTRY_ROLES,
  WORKDIR_PREFIX,
  clusterName,
  registryContainer,
  registryHost,
  registryHosts,
  type KindImages,
} from './names.js';
import { HTPASSWD_PATH, registryContainerSpec, type RegistryContainerSpec } from './registry-container.js';

export interface KindPlanOptions {
  profiles: readonly ProfileName[];
  /** Workers per cluster (default 1). */
  workers?: number;
  keep?: boolean;
  images?: Partial<KindImages>;
  /** What preflight would adapt to on this host (none when not known). */
  host?: HostSettings;
}

export interface KindPlan {
  clusters: { profile: ProfileName; name: string; nodes: string[]; config: string }[];
  registries: RegistryContainerSpec[];
  hostsToml: { path: string; content: string }[];
  manifests: KubernetesObject[];
  images: { secret: string; public: string; base: string };
  /** Phases in order, each with the commands it runs. */
  phases: { title: string; commands: string[] }[];
}

/** Stands in for every credential in the plan: they are random per run and never printed. */
export const REDACTED = '<random per run, redacted>';

export function planKindLab(options: KindPlanOptions): KindPlan {
  if (options.profiles.length === 0) throw new Error('the plan needs at least one profile');
  const workers = options.workers ?? DEFAULT_WORKERS;
  const images: KindImages = { ...DEFAULT_KIND_IMAGES, ...options.images };
  const clusters = options.profiles.map((profile) => {
    const name = clusterName(profile);
    const nodes = [...Array.from({ length: workers }, (_, i) => `${name}-worker${i === 0 ? '' : i + 1}`), `${name}-control-plane`];
    return { profile, name, nodes, config: renderKindConfig(profile, { workers, nodeImage: images.node, ...(options.host ? { host: options.host } : {}) }) };
  });
  const htpasswd = `admin1-${'x'.repeat(6)}:${REDACTED}\nlab-pusher-${'x'.repeat(6)}:${REDACTED}\n`;
  const registries = options.profiles.flatMap((p) => [
    registryContainerSpec('secure', p, { htpasswd, image: images.registry }),
    registryContainerSpec('public', p, { image: images.registry }),
  ]);
  const first = options.profiles[0]!;
  const tomls = registryHosts(first).map((h) => ({ path: hostsTomlPath(h), content: hostsToml(h) }));
  const manifests = [
    ...serviceAccountManifests(),
    ...tenantManifests(first, serviceAccountSubject),
    ...admissionPolicyManifests(first),
    redactSecret(pullSecretManifest(registryHost('secure', first), 'admin1-xxxxxx', 'redacted'), registryHost('secure', first)),
  ];
  const phases = [
    {
      title: 'Preflight (and what the configs adapt to: cgroup v1, CAP_SYS_RESOURCE)',
      commands: [
        "docker info --format '{{.ServerVersion}}'",
        'kind version',
        "docker info --format '{{.MemTotal}} {{.CgroupVersion}} {{.Architecture}} {{.KernelVersion}}'",
        'cat /proc/sys/fs/inotify/max_user_instances /proc/self/status  (when Docker runs on this kernel)',
      ],
    },
    {
      title: 'Read the node image (pulled only if missing) and its labels',
      commands: [cmd.inspectImage(images.node), cmd.pullBaseImage(images.node), cmd.inspectImageLabels(images.node)].map(cmd.formatCommand),
    },
    {
      title: `Create the clusters in parallel${options.keep ? ' (kept clusters with the same node count are reused)' : ''}`,
      commands: clusters.map(
        (c) => cmd.formatCommand({ ...cmd.createCluster(c.name, '<the config below>', `<${WORKDIR_PREFIX}XXXXXX>/kubeconfig`), input: undefined }) + ' < config',
      ),
    },
    {
      title: `Build the lab images on ${images.busybox} (read from Docker; pulled only if missing)`,
      commands: [cmd.inspectImage(images.busybox), cmd.pullBaseImage(images.busybox), cmd.saveImage(images.busybox)].map(cmd.formatCommand),
    },
    {
      title: `As soon as the ${KIND_NETWORK} network exists: start each profile's registries with testcontainers (as \`docker run\` would; no Ryuk)`,
      commands: [cmd.formatCommand(cmd.inspectNetwork(KIND_NETWORK)), ...registries.map(describeContainer)],
    },
    {
      title: "Push into each profile's registries with the project OCI client over loopback (no docker login, no docker config written)",
      commands: [
        `PUT http://127.0.0.1:<published port>/v2/${SECRET_REPOSITORY}/manifests/${IMAGE_TAG}  (Basic auth: the lab pusher)`,
        `PUT http://127.0.0.1:<published port>/v2/${PUBLIC_REPOSITORY}/manifests/${IMAGE_TAG}  (anonymous)`,
      ],
    },
    {
      title: "Write hosts.toml for the cluster's own registries on every node",
      commands: clusters.flatMap((c) =>
        c.nodes.flatMap((n) => registryHosts(c.profile).map((h) => cmd.formatCommand({ ...cmd.writeHostsToml(n, h, ''), input: undefined }) + ' < hosts.toml')),
      ),
    },
    {
      title: 'Wait for readiness (kind --wait returns 0 on timeout; a timeout names the reason the API gives), then set the stage',
      commands: [
        ...clusters.map((c) => cmd.formatCommand(cmd.getKubeconfig(c.name))),
        'GET /api/v1/nodes until every node is Ready; GET /api/v1/namespaces/kube-system/pods until all are ready',
        'create (or replace) each manifest below as the kind admin',
        ...['admin', 'admin1', 'admin2'].map((u) => `POST /api/v1/namespaces/${LAB_NAMESPACE}/serviceaccounts/${u}/token  (TokenRequest, 12 h)`),
      ],
    },
    {
      title: 'Between scenarios (reset)',
      commands: [
        `DELETE pods in tenant-a, tenant-b, default and scenario namespaces (gracePeriodSeconds ${RESET_GRACE_PERIOD_SECONDS}), wait until gone; delete scenario namespaces, extra secrets and service accounts`,
        ...clusters.flatMap((c) =>
          c.nodes.flatMap((n) => [
            cmd.formatCommand(cmd.listImages(n)),
            `${cmd.formatCommand(cmd.removeImage(n, '<each image from the lab registries, by ID>'))}  (retried until the containers are gone)`,
            ...(PROFILES[c.profile].kubelet.ensureSecretPulledImages ? [cmd.formatCommand(cmd.clearPullRecords(n, registryHosts(c.profile)))] : []),
          ]),
        ),
        'DELETE events in tenant-a, tenant-b, default',
      ],
    },
    {
      title: options.keep ? 'At exit: keep the clusters and registries (image-heist down removes them)' : 'At exit or Ctrl-C',
      commands: options.keep
        ? []
        : [
            ...clusters.map((c) => cmd.formatCommand(cmd.deleteCluster(c.name, `<${WORKDIR_PREFIX}XXXXXX>/kubeconfig`))),
            cmd.formatCommand(cmd.removeContainers(options.profiles.flatMap((p) => REGISTRY_ROLES.map((r) => registryContainer(r, p))))),
            `rm -rf <${WORKDIR_PREFIX}XXXXXX>`,
            `${cmd.formatCommand(cmd.removeNetwork(KIND_NETWORK))}  (only if this run created it; Docker refuses while anything else uses it)`,
          ],
    },
  ];
  return {
    clusters,
    registries,
    hostsToml: tomls,
    manifests,
    images: {
      secret: `${registryHost('secure', first)}/${SECRET_REPOSITORY}:${IMAGE_TAG}`,
      public: `${registryHost('public', first)}/${PUBLIC_REPOSITORY}:${IMAGE_TAG}`,
      base: images.busybox,
    },
    phases,
  };
}

function redactSecret(secret: KubernetesObject, host: string): KubernetesObject {
  const shown = JSON.stringify({ auths: { [host]: { username: REDACTED, password: REDACTED, auth: REDACTED } } });
  return { ...secret, data: undefined, stringData: { '.dockerconfigjson': shown } } as KubernetesObject;
}

function describeContainer(spec: RegistryContainerSpec): string {
  const parts = [
    'docker run -d',
    `--name ${spec.name}`,
    `--network ${spec.network}`,
    `-p 127.0.0.1::${spec.port}`,
    ...Object.entries(spec.labels).map(([k, v]) => `--label ${k}=${v}`),
  ];
  for (const [k, v] of Object.entries(spec.environment)) parts.push(`-e ${k}=${v}`);
  if (spec.htpasswd) parts.push(`(htpasswd copied to ${HTPASSWD_PATH} before start: bcrypt lines for admin1 and the lab pusher)`);
  parts.push(spec.image, `  # ready when GET /v2/ answers ${spec.readyStatus}`);
  return parts.join(' ');
}

/** The plan as text for a terminal or a review. */
export function renderKindPlan(plan: KindPlan): string {
  const out: string[] = ['# image-heist kind backend: dry run (nothing was started)', ''];
  out.push(`Images: ${plan.images.secret} (SuperSecretImage1), ${plan.images.public} (public), base ${plan.images.base}`, '');
  for (const c of plan.clusters) {
    out.push(`## Cluster ${c.name} (profile ${c.profile}; nodes ${c.nodes.join(', ')})`, '', c.config.trimEnd(), '');
  }
  out.push(`## hosts.toml (on every node of ${plan.clusters[0]?.name ?? 'the cluster'}; each cluster names its own registries)`, '');
  for (const t of plan.hostsToml) out.push(`# ${t.path}`, t.content.trimEnd(), '');
  out.push('## Commands', '');
  plan.phases.forEach((p, i) => {
    out.push(`${i + 1}. ${p.title}`);
    for (const c of p.commands) out.push(`   ${c}`);
    out.push('');
  });
  out.push(`## Manifests (applied as the kind admin; ImagePullSecret1 names each cluster's own registry)`, '');
  out.push(plan.manifests.map((m) => stringify(m, { lineWidth: 0 }).trimEnd()).join('\n---\n'), '');
  return out.join('\n');
}
