// `image-heist audit`: is your own cluster open to the cached-image heist? Parses flags and calls src/audit.
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { PAUSE_IMAGE } from '../audit/defaults.js';
import { ExitCode, UserError } from '../errors.js';

export interface AuditCliOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  pod?: string;
  probeImage: string;
  json?: boolean;
  sarif?: string;
  junit?: string;
  attack?: boolean;
  yes?: boolean;
  image?: string;
  pullSecret?: string;
  pushTo?: string;
  hostImage: string;
  timeout: string;
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description("audit your own cluster: can a tenant run another tenant's cached private image? (passive by default: dry runs only)")
    .option('--kubeconfig <file>', 'kubeconfig to use (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('-n, --namespace <ns>', "namespace for the dry-run probes (default: the context's, else one you may create pods in)")
    .option('--pod <name>', 'an existing pod in that namespace for the ephemeral-container dry run (default: the first running one)')
    .option('--probe-image <image>', 'image named in the dry-run pods (nothing is pulled)', PAUSE_IMAGE)
    .option('--json', 'print the findings as JSON (docs/audit.md)')
    .option('--sarif <file>', 'write a SARIF 2.1.0 report (for code scanning)')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--attack', 'also play the heist for real in two throwaway namespaces (asks first; deletes everything it made)')
    .option('--yes', 'with --attack: do not ask (needed without a terminal)')
    .option('--image <image>', 'with --attack: your private image, pullable with --pull-secret')
    .option('--pull-secret <file>', 'with --attack: a .dockerconfigjson file with credentials for the image')
    .option('--push-to <repository>', "with --attack: push the lab's secret image to REPOSITORY (with --pull-secret's credentials) and use it")
    .option('--host-image <image>', 'with --attack: an image pullable without credentials, to host the ephemeral container', PAUSE_IMAGE)
    .option('--timeout <seconds>', 'with --attack: how long to wait for each pod', '120')
    .action(async (options: AuditCliOptions) => {
      process.exitCode = await audit(options);
    });
}

const ATTACK_ONLY = ['yes', 'image', 'pullSecret', 'pushTo'] as const;
const flagName = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Checks the flags before anything touches the cluster; bad input is a usage error (exit 2). */
export function validateAuditOptions(o: AuditCliOptions): { timeoutMs: number } {
  if (!o.attack) {
    const stray = ATTACK_ONLY.find((k) => o[k] !== undefined);
    if (stray) throw new UserError(`${flagName(stray)} is for --attack`, 'add --attack, or drop it');
  }
  const timeout = Number(o.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UserError(`--timeout must be a number of seconds greater than 0, got "${o.timeout}"`);
  if (o.attack) {
    if (!o.pullSecret) throw new UserError('--attack needs --pull-secret FILE (a .dockerconfigjson with credentials for the image)');
    if (!o.image === !o.pushTo) throw new UserError('--attack needs exactly one of --image IMAGE or --push-to REPOSITORY');
  }
  return { timeoutMs: timeout * 1000 };
}

async function confirmAttack(o: AuditCliOptions): Promise<void> {
  if (o.yes) return;
  if (!(process.stdin.isTTY && process.stderr.isTTY)) {
    throw new UserError('--attack creates two namespaces and runs pods in the cluster, and there is no terminal to ask', 'add --yes to confirm');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question('--attack creates two namespaces (image-heist-audit-*), runs your image in them, and deletes them again. Type "yes" to go on: ');
    if (answer.trim().toLowerCase() !== 'yes') throw new UserError('--attack was not confirmed; nothing was created');
  } finally {
    rl.close();
  }
}

async function readPullSecret(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read --pull-secret ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const { parseDockerConfigJson } = await import('../registry/docker-config.js');
  try {
    parseDockerConfigJson(text);
  } catch (error) {
    // the parser's messages name no secret value
    throw new UserError(`--pull-secret ${file} is not a docker config: ${(error as Error).message}`, 'give the .dockerconfigjson of a kubernetes.io/dockerconfigjson secret');
  }
  return text;
}

async function audit(o: AuditCliOptions): Promise<number> {
  const { timeoutMs } = validateAuditOptions(o);
  const dockerConfigJson = o.pullSecret ? await readPullSecret(o.pullSecret) : undefined;
  const { KubeHttp } = await import('../audit/kube-http.js');
  const http = KubeHttp.load({ ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}), ...(o.context ? { context: o.context } : {}) });
  const { runAudit, checkReachable } = await import('../audit/run-audit.js');
  const { hasFindings } = await import('../audit/findings.js');
  const reporters = await import('../audit/reporters.js');
  let attack: Parameters<typeof runAudit>[2];
  const abort = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    signalled = signal;
    abort.abort();
  };
  if (o.attack && dockerConfigJson) {
    await checkReachable(http);
    await confirmAttack(o);
    let image = o.image ?? '';
    if (o.pushTo) {
      const { pushLabImage } = await import('../audit/push-lab-image.js');
      try {
        image = (await pushLabImage(o.pushTo, dockerConfigJson)).image;
      } catch (error) {
        // the registry client's messages carry no credential
        throw new UserError(`cannot push the lab's secret image to ${o.pushTo}: ${(error as Error).message}`, 'give --pull-secret credentials that may push there');
      }
      process.stderr.write(`pushed the lab's secret image as ${image} (it stays in your registry)\n`);
    }
    const { runAttack } = await import('../audit/attack.js');
    attack = () =>
      runAttack(http, {
        image,
        dockerConfigJson,
        hostImage: o.hostImage,
        timeoutMs,
        signal: abort.signal,
        onProgress: (line) => process.stderr.write(`attack: ${line}\n`),
      });
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  let result;
  try {
    result = await runAudit(http, { ...(o.namespace ? { namespace: o.namespace } : {}), ...(o.pod ? { pod: o.pod } : {}), probeImage: o.probeImage }, attack);
  } catch (error) {
    if (signalled) {
      process.stderr.write(`image-heist: interrupted; the namespaces the audit created were deleted\n`);
      return signalled === 'SIGINT' ? 130 : 143;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const context = { result, toolVersion: version };
  if (o.sarif) await writeFile(o.sarif, `${JSON.stringify(reporters.auditSarif(context), null, 2)}\n`);
  if (o.junit) await writeFile(o.junit, reporters.auditJunit(context));
  process.stdout.write(o.json ? `${JSON.stringify(reporters.auditJson(context), null, 2)}\n` : reporters.auditText(context));
  return hasFindings(result.findings) ? ExitCode.expectationFailed : ExitCode.ok;
}
