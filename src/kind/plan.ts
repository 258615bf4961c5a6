// `--dry-run`: the exact kind configs, commands and manifests the kind backend would run, reviewable on a
// machine without Docker. Built from the same functions the backend calls, so the plan cannot drift from the run.
import type { KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { PROFILES, type ProfileName } from '../lab/profiles.js';
import * as cmd from './commands.js';
import { hostsToml, hostsTomlPath, renderKindConfig } from './config.js';
import { IMAGE_TAG, PUBLIC_REPOSITORY, SECRET_REPOSITORY } from './images.js';
import { BASE_IMAGE, DEFAULT_WORKERS, LAB_NAMESPACE, REGISTRIES, clusterName, registryHost } from './names.js';
import { HTPASSWD_PATH, registryContainerSpec, type RegistryContainerSpec } from './registry-container.js';
import { pullSecretManifest, stageManifests } from './tenants.js';

export interface KindPlanOptions {
  profiles: readonly ProfileName[];
  /** Workers per cluster (default 1). */
  workers?: number;
  keep?: boolean;
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
  const clusters = options.profiles.map((profile) => {
    const name = clusterName(profile);
    const nodes = [...Array.from({ length: workers }, (_, i) => `${name}-worker${i === 0 ? '' : i + 1}`), `${name}-control-plane`];
    return { profile, name, nodes, config: renderKindConfig(profile, { workers }) };
  });
  const registries = [registryContainerSpec('secure', `admin1-${'x'.repeat(6)}:${REDACTED}\nlab-pusher-${'x'.repeat(6)}:${REDACTED}\n`), registryContainerSpec('public')];
  const hosts = [registryHost('secure'), registryHost('public')];
  const tomls = hosts.map((h) => ({ path: hostsTomlPath(h), content: hostsToml(h) }));
  const manifests = [...stageManifests(), redactSecret(pullSecretManifest(registryHost('secure'), 'admin1-xxxxxx', 'redacted'))];
  const allNodes = clusters.flatMap((c) => c.nodes);
  const phases = [
    { title: 'Preflight', commands: ["docker info --format '{{.ServerVersion}}'", 'kind version', "docker info --format '{{.MemTotal}} {{.CgroupVersion}} {{.Architecture}}'"] },
    {
      title: `Create the clusters in parallel${options.keep ? ' (kept clusters with the same node count are reused)' : ''}`,
      commands: clusters.map((c) => cmd.formatCommand({ ...cmd.createCluster(c.name, '<the config below>', '<private temp dir>/kubeconfig'), input: undefined }) + ' < config'),
    },
    {
      title: `Build the lab images on ${BASE_IMAGE} (read from Docker; pulled only if missing)`,
      commands: [cmd.inspectImage(BASE_IMAGE), cmd.pullBaseImage(BASE_IMAGE), cmd.saveImage(BASE_IMAGE)].map(cmd.formatCommand),
    },
    {
      title: 'Start the registries with testcontainers on the kind network (as `docker run` would)',
      commands: registries.map(describeContainer),
    },
    {
      title: 'Push with the project OCI client over loopback (no docker login, no docker config written)',
      commands: [`PUT http://127.0.0.1:<published port>/v2/${SECRET_REPOSITORY}/manifests/${IMAGE_TAG}  (Basic auth: the lab pusher)`, `PUT http://127.0.0.1:<published port>/v2/${PUBLIC_REPOSITORY}/manifests/${IMAGE_TAG}  (anonymous)`],
    },
    { title: 'Write hosts.toml on every node', commands: allNodes.flatMap((n) => hosts.map((h) => cmd.formatCommand({ ...cmd.writeHostsToml(n, h, ''), input: undefined }) + ' < hosts.toml')) },
    {
      title: 'Wait for readiness (kind --wait returns 0 on timeout), then set the stage',
      commands: [
        ...clusters.map((c) => cmd.formatCommand(cmd.getKubeconfig(c.name))),
        'GET /api/v1/nodes until every node is Ready; GET /api/v1/namespaces/kube-system/pods until all are ready',
        'server-side apply of the manifests below (field manager image-heist)',
        ...['admin', 'admin1', 'admin2'].map((u) => `POST /api/v1/namespaces/${LAB_NAMESPACE}/serviceaccounts/${u}/token  (TokenRequest, 12 h)`),
      ],
    },
    {
      title: 'Between scenarios (reset)',
      commands: [
        'DELETE pods in tenant-a, tenant-b, default (grace 0), wait until gone; delete scenario namespaces, extra secrets and service accounts, events',
        ...clusters.flatMap((c) =>
          c.nodes.flatMap((n) => [
            cmd.formatCommand(cmd.listImages(n)),
            `${cmd.formatCommand(cmd.removeImage(n, '<each image from the lab registries, by ID>'))}`,
            ...(PROFILES[c.profile].kubelet.ensureSecretPulledImages ? [cmd.formatCommand(cmd.clearPullRecords(n, hosts))] : []),
          ]),
        ),
      ],
    },
    {
      title: options.keep ? 'At exit: keep the clusters and registries (image-heist down removes them)' : 'At exit or Ctrl-C',
      commands: options.keep ? [] : [...clusters.map((c) => cmd.formatCommand(cmd.deleteCluster(c.name, '<private temp dir>/kubeconfig'))), cmd.formatCommand(cmd.removeContainers(Object.values(REGISTRIES).map((r) => r.container)))],
    },
  ];
  return {
    clusters,
    registries,
    hostsToml: tomls,
    manifests,
    images: { secret: `${registryHost('secure')}/${SECRET_REPOSITORY}:${IMAGE_TAG}`, public: `${registryHost('public')}/${PUBLIC_REPOSITORY}:${IMAGE_TAG}`, base: BASE_IMAGE },
    phases,
  };
}

function redactSecret(secret: KubernetesObject): KubernetesObject {
  const host = registryHost('secure');
  const shown = JSON.stringify({ auths: { [host]: { username: REDACTED, password: REDACTED, auth: REDACTED } } });
  return { ...secret, data: undefined, stringData: { '.dockerconfigjson': shown } } as KubernetesObject;
}

function describeContainer(spec: RegistryContainerSpec): string {
  const parts = ['docker run -d', `--name ${spec.name}`, `--network ${spec.network}`, `-p ${spec.port}`, ...Object.entries(spec.labels).map(([k, v]) => `--label ${k}=${v}`)];
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
  out.push('## hosts.toml (on every node)', '');
  for (const t of plan.hostsToml) out.push(`# ${t.path}`, t.content.trimEnd(), '');
  out.push('## Commands', '');
  plan.phases.forEach((p, i) => {
    out.push(`${i + 1}. ${p.title}`);
    for (const c of p.commands) out.push(`   ${c}`);
    out.push('');
  });
  out.push('## Manifests (server-side applied as the kind admin)', '');
  out.push(plan.manifests.map((m) => stringify(m, { lineWidth: 0 }).trimEnd()).join('\n---\n'), '');
  return out.join('\n');
}
