// `run --markdown FILE`: a handout. The verdict table first (scenarios × profiles, as the CLI prints it),
// contents, then per scenario and profile what each actor did and saw, in plain words, with a Mermaid
// sequence diagram of the exchange as it happened (Admin → API server → kubelet → registry, with the real
// answers: the 401, the flag). Manifests and raw events fold away under <details>. GitHub renders it all.
import { stringify } from 'yaml';
import type { ObservedEvent, ScenarioResult, StepResult, VerdictValue } from '../scenario/results.js';
import type { Action, Scenario, Step } from '../scenario/schema.js';
import { failureLines } from './failures.js';

const ACTOR_NAMES: Record<string, string> = { admin: 'the cluster admin', admin1: 'Admin1', admin2: 'Admin2' };
const actorName = (actor: string) => ACTOR_NAMES[actor] ?? actor;
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const VERDICT_MARK: Record<VerdictValue, string> = { bypassed: '✘ bypassed', blocked: '✔ blocked', allowed: '✔ allowed', denied: '✘ denied', error: '! error' };

export function markdownReport(scenarios: Scenario[], results: ScenarioResult[], backend: string): string {
  const profiles = [...new Set(results.map((r) => r.profile))];
  const shown = scenarios.filter((s) => results.some((r) => r.scenario === s.metadata.name));
  const failed = results.filter((r) => !r.passed).length;
  const out: string[] = [
    '# image-heist: does a cached private image leak to another tenant?',
    '',
    `Each scenario ran on a fresh ${backend} cluster per defence (profile). ${results.length - failed} of ${results.length} runs went as expected${failed ? `; ${failed} did not (marked ⚠)` : ''}.`,
    '',
    '## Verdicts',
    '',
    `| scenario | ${profiles.map((p) => `\`${p}\``).join(' | ')} |`,
    `|---|${profiles.map(() => '---').join('|')}|`,
  ];
  for (const scenario of shown) {
    const name = scenario.metadata.name;
    const cells = profiles.map((p) => {
      const r = results.find((x) => x.scenario === name && x.profile === p);
      if (!r) return '–';
      return `${VERDICT_MARK[r.verdict]}${r.passed ? '' : ` ⚠ expected ${r.expectedVerdict}`}`;
    });
    out.push(`| [${name}](#${name}) | ${cells.join(' | ')} |`);
  }
  out.push(
    '',
    "**bypassed**: the attacker read the flag baked into the private image — the defence did not hold. **blocked**: the attacker's pod never ran the image. " +
      "**allowed** / **denied**: whether the legitimate owner's pod ran (the cost of a defence).",
    '',
    '## Contents',
    '',
    ...shown.map((s) => `- [${s.metadata.title}](#${s.metadata.name}) — ${s.metadata.summary}`),
  );
  for (const scenario of shown) {
    out.push('', `<a id="${scenario.metadata.name}"></a>`, '', `## ${scenario.metadata.title}`, '', scenario.metadata.summary.trim());
    if (scenario.metadata.references.length > 0) {
      out.push('', `References: ${scenario.metadata.references.map((r) => (r.url ? `[${r.id}](${r.url})` : r.id)).join(', ')}.`);
    }
    for (const run of results.filter((r) => r.scenario === scenario.metadata.name)) out.push(...profileSection(scenario, run));
  }
  return `${out.join('\n')}\n`;
}

function profileSection(scenario: Scenario, run: ScenarioResult): string[] {
  const expected = run.passed ? 'as expected' : `⚠ expected ${run.expectedVerdict}`;
  const out = ['', `### On \`${run.profile}\`: ${VERDICT_MARK[run.verdict]} (${expected})`, ''];
  scenario.steps.forEach((step, i) =>
    out.push(
      `${i + 1}. ${stepInWords(
        step,
        run.steps.find((s) => s.id === step.id),
      )}`,
    ),
  );
  out.push('', `**Verdict: ${run.verdict}.** ${run.evidence}`);
  const failures = failureLines(run);
  if (failures.length > 0) out.push('', 'What did not go as expected:', '', ...failures.map((l) => `- ${l}`));
  out.push('', '```mermaid', ...sequenceDiagram(scenario, run), '```');
  const details = scenario.steps.flatMap((step, i) =>
    stepDetails(
      step,
      i,
      run.steps.find((s) => s.id === step.id),
    ),
  );
  if (details.length > 0) out.push('', '<details><summary>Manifests and kubelet events</summary>', '', ...details, '', '</details>');
  return out;
}

/** One step as a sentence or two: who did what, what the API server answered, what the pod did. */
function stepInWords(step: Step, result: StepResult | undefined): string {
  const action = result?.applied ?? step.action;
  const who = capital(actorName(step.actor));
  const did = `${who} ${actionInWords(action)}.`;
  if (!result) return `${did} _(not run)_`;
  const o = result.observed;
  const said: string[] = [];
  if (o.admission === 'denied')
    said.push(`The API server refused it (${o.apiStatus ? `${o.apiStatus.code} ${o.apiStatus.reason}` : 'refused'}): ${o.admissionMessage ?? ''}`.trim());
  else if (o.admission === 'allowed') said.push(`The API server admitted it${o.pullPolicy ? ` with \`imagePullPolicy: ${o.pullPolicy}\`` : ''}.`);
  if (o.pod) said.push(podInWords(o.pod, o.events ?? []));
  if (o.flag === 'seen') said.push(`Its log printed the flag${o.flagEvidence ? `: \`${o.flagEvidence}\`` : ''}.`);
  else if (o.flag === 'not-seen' && o.pod && o.admission !== 'denied') said.push('The flag never appeared in its log.');
  if (result.error) said.push(`The step failed: ${result.error}`);
  return [did, ...said].join(' ');
}

function actionInWords(action: Action): string {
  if ('createPod' in action) {
    const m = action.createPod.manifest as PodManifest;
    const c = [...(m.spec?.initContainers ?? []), ...(m.spec?.containers ?? [])];
    const images = [...new Set(c.map((x) => `\`${shortImage(x.image ?? '')}\``))].join(', ');
    const policies = [...new Set(c.map((x) => x.imagePullPolicy))];
    const policy = policies.every((p) => p === undefined) ? 'no pull policy' : `\`imagePullPolicy: ${policies.filter(Boolean).join('/')}\``;
    const secrets = m.spec?.imagePullSecrets?.map((s) => `\`${s.name}\``).join(', ');
    const node = m.spec?.nodeName ? ` on node \`${m.spec.nodeName}\`` : '';
    return `created pod \`${m.metadata?.name ?? ''}\` with ${images}, ${policy}${secrets ? `, pull secret ${secrets}` : ', no pull secret'}${node}`;
  }
  if ('createSecret' in action) return `created secret \`${(action.createSecret.manifest as PodManifest).metadata?.name ?? ''}\``;
  if ('createServiceAccount' in action) return `created service account \`${(action.createServiceAccount.manifest as PodManifest).metadata?.name ?? ''}\``;
  if ('deletePod' in action) return `deleted pod \`${action.deletePod.name}\``;
  if ('deleteSecret' in action) return `deleted secret \`${action.deleteSecret.name}\``;
  if ('addEphemeralContainer' in action) {
    const c = action.addEphemeralContainer.container;
    return `added a debug (ephemeral) container with \`${shortImage(c.image)}\` to pod \`${action.addEphemeralContainer.pod}\`, as \`kubectl debug\` does`;
  }
  if ('updatePodImage' in action) return `changed pod \`${action.updatePodImage.pod}\`'s image to \`${shortImage(action.updatePodImage.image)}\``;
  if ('preloadImage' in action)
    return `put \`${shortImage(action.preloadImage.image)}\` on node \`${action.preloadImage.node}\` outside the kubelet (as \`kind load\` or \`crictl pull\` do)`;
  if ('removeImage' in action) return `removed \`${shortImage(action.removeImage.image)}\` from node \`${action.removeImage.node}\``;
  if ('applyPolicy' in action) return `applied \`cluster-configs/policies/${action.applyPolicy.file}.yaml\` as the cluster admin`;
  if ('labelNamespace' in action)
    return `labelled its namespace ${Object.entries(action.labelNamespace.labels)
      .map(([k, v]) => `\`${k}=${v}\``)
      .join(', ')}`;
  if ('registryDown' in action) return 'took the registry down';
  if ('registryUp' in action) return 'brought the registry back';
  return `waited for pod \`${action.wait.pod}\` to be ${action.wait.for.join(' or ')}`;
}

function podInWords(status: string, events: readonly ObservedEvent[]): string {
  const cached = events.some((e) => e.reason === 'Pulled' && /already present/.test(e.message));
  const pulled = events.some((e) => e.reason === 'Pulled' && !/already present/.test(e.message));
  const refusal = registryRefusal(events);
  if (status === 'Running' || status === 'Completed') {
    return `The kubelet ${cached ? 'found the image in its cache and never asked the registry' : pulled ? 'pulled the image from the registry' : 'started it'}; the pod was ${status}.`;
  }
  // the step settles at the first failure; the verdict, read later, sees the back-off that follows it
  const state = status === 'ErrImagePull' ? 'ErrImagePull, then ImagePullBackOff as it retries' : status;
  if (/ErrImagePull|ImagePullBackOff/.test(status)) return `The kubelet could not pull the image (${state})${refusal ? `: ${refusal}` : ''}.`;
  if (/ErrImageNeverPull/.test(status)) return `The kubelet refused to use the cached image without a pull (${status}).`;
  return `The pod was ${status}.`;
}

/** The registry's answer in the kubelet's Failed event, without containerd's long prefixes. */
function registryRefusal(events: readonly ObservedEvent[]): string | undefined {
  const failed = events.find((e) => e.type === 'Warning' && e.reason === 'Failed' && !e.message.startsWith('Error: '));
  if (!failed) return undefined;
  return failed.message.replace(/^Failed to pull image "[^"]*": /, '').replace(/failed to (pull and unpack image|resolve reference) "[^"]*": /g, '');
}

/** The exchange as it happened, from what each step observed. */
function sequenceDiagram(scenario: Scenario, run: ScenarioResult): string[] {
  const actors = [...new Set(scenario.steps.map((s) => s.actor))];
  const lines = [
    'sequenceDiagram',
    ...actors.map((a) => `  participant ${a} as ${capital(actorName(a))}`),
    '  participant API as API server',
    '  participant K as kubelet',
    '  participant R as registry',
  ];
  // Mermaid ends a message at ';' and reads '#' as an entity; backticks would show as they are
  const say = (text: string) => text.replace(/[;#]/g, ',').replace(/`/g, '').replace(/\s+/g, ' ').slice(0, 140);
  for (const step of scenario.steps) {
    const result = run.steps.find((s) => s.id === step.id);
    if (!result) continue;
    const action = result.applied ?? step.action;
    const o = result.observed;
    const a = step.actor;
    if ('preloadImage' in action || 'removeImage' in action || 'registryDown' in action || 'registryUp' in action) {
      lines.push(`  Note over ${a},R: ${say(actionInWords(action))}`);
      continue;
    }
    lines.push(`  ${a}->>API: ${say(actionInWords(action))}`);
    if (o.admission === 'denied') {
      lines.push(`  API-->>${a}: ${say(`${o.apiStatus ? `${o.apiStatus.code} ${o.apiStatus.reason}` : 'refused'}: ${o.admissionMessage ?? ''}`)}`);
      continue;
    }
    if (o.admission === 'allowed') lines.push(`  API-->>${a}: admitted${o.pullPolicy ? ` (imagePullPolicy ${o.pullPolicy})` : ''}`);
    if (!o.pod) continue;
    const events = o.events ?? [];
    const cached = events.some((e) => e.reason === 'Pulled' && /already present/.test(e.message));
    const refusal = registryRefusal(events);
    lines.push('  API->>K: run the pod');
    if (cached) lines.push('  Note over K: image already in the node cache: no pull, no credentials asked');
    else if (refusal || events.some((e) => e.reason === 'Pulling')) {
      const secrets = 'createPod' in action ? (action.createPod.manifest as PodManifest).spec?.imagePullSecrets?.map((x) => x.name) : undefined;
      lines.push(`  K->>R: pull the image ${secrets?.length ? `with pull secret ${secrets.join(', ')}` : 'with no credentials of this pod'}`);
      lines.push(refusal ? `  R-->>K: ${say(/no basic auth|401|unauthorized/i.test(refusal) ? `401 ${refusal}` : refusal)}` : '  R-->>K: 200 the image');
    }
    lines.push(`  K-->>${a}: ${say(`pod ${o.pod}${o.flag === 'seen' ? `, log: ${o.flagEvidence ?? 'the flag'}` : ''}`)}`);
  }
  return lines;
}

function stepDetails(step: Step, index: number, result: StepResult | undefined): string[] {
  const action = result?.applied ?? step.action;
  const manifest =
    'createPod' in action
      ? action.createPod.manifest
      : 'createSecret' in action
        ? action.createSecret.manifest
        : 'createServiceAccount' in action
          ? action.createServiceAccount.manifest
          : undefined;
  const events = result?.observed.events ?? [];
  if (manifest === undefined && events.length === 0) return [];
  const out = [`**${index + 1}. ${step.title}**`];
  if (manifest !== undefined) out.push('', '```yaml', stringify(manifest).trimEnd(), '```');
  if (events.length > 0) out.push('', '| type | reason | message |', '|---|---|---|', ...events.map((e) => `| ${e.type} | ${e.reason} | ${e.message.replace(/\|/g, '\\|')} |`));
  out.push('');
  return out;
}

interface PodManifest {
  metadata?: { name?: string };
  spec?: {
    nodeName?: string;
    imagePullSecrets?: { name: string }[];
    containers?: { image?: string; imagePullPolicy?: string }[];
    initContainers?: { image?: string; imagePullPolicy?: string }[];
  };
}

/** `HOST:PORT/secure/super-secret-image:1` → `super-secret-image:1`. */
function shortImage(reference: string): string {
  return reference.split('/').at(-1) ?? reference;
}
