// The tutorial start to finish, and a hands-on task ticked by real kubectl actions against a real
// `image-heist up` lab (runUp in-process, kubectl from the machine).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUp } from '../src/embedded/up.js';
import type { LabInfo } from '../src/lab/backend.js';
import { loadChapters } from '../src/tutorial/chapters.js';
import { readLabSnapshot } from '../src/tutorial/lab-snapshot.js';
import { TutorialApp } from '../src/ui/TutorialApp.js';
import { admin1RunsTheSecretImage, admin2RunsTheCachedImage } from './support/story.js';

const chapters = await loadChapters();
const size = { columns: 100, rows: 30 };

/** The frame's words without borders and line breaks: wrapped text reads as one line. */
const flat = (frame: string) => frame.replace(/[│\s]+/g, ' ');

async function frameWith(app: ReturnType<typeof render>, test: (frame: string) => boolean, ms = 15_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const frame = app.lastFrame() ?? '';
    if (test(frame)) return frame;
    if (Date.now() > deadline) throw new Error(`frame never matched within ${ms} ms:\n${frame}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('tutorial', () => {
  it('has the chapters the issue asks for, each with a title and a body', () => {
    expect(chapters.map((c) => c.id)).toEqual([
      '01-image-cache-and-pull-policies',
      '02-admission-control',
      '03-the-attack',
      '04-always-pull-images',
      '05-kubelet-ensure-secret-pulled-images',
      '06-policy-alternatives',
      '07-out-of-band-node-access',
      '08-hands-on',
    ]);
    for (const c of chapters) expect(c.body.length).toBeGreaterThan(200);
    expect(chapters.filter((c) => c.task).map((c) => c.id)).toEqual([
      '03-the-attack',
      '04-always-pull-images',
      '05-kubelet-ensure-secret-pulled-images',
      '06-policy-alternatives',
      '07-out-of-band-node-access',
      '08-hands-on',
    ]);
  });

  it('runs start to finish with n, and says how to start the lab a task needs', async () => {
    const dir = path.join(tmpdir(), `image-heist-no-lab-${process.pid}`);
    const app = render(<TutorialApp chapters={chapters} labDir={dir} readSnapshot={readLabSnapshot} pollMs={50} onQuit={() => {}} size={size} color={false} />);
    for (const [i, chapter] of chapters.entries()) {
      const frame = await frameWith(app, (f) => f.includes(`${i + 1}/${chapters.length} ${chapter.title}`));
      if (chapter.task) await frameWith(app, (f) => flat(f).includes(`image-heist up --profile ${chapter.task!.profile}`));
      else expect(frame).not.toContain('TASK');
      app.stdin.write('n');
    }
    await frameWith(app, (f) => f.includes(`${chapters.length}/${chapters.length}`));
    app.unmount();
  });

  describe('with `image-heist up --profile none` running', () => {
    let dir: string;
    const stop = new AbortController();
    let up: Promise<void>;
    let info: LabInfo;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'image-heist-tutorial-'));
      up = runUp({ profile: 'none', dir: path.join(dir, 'lab'), signal: stop.signal, out: () => {} });
      const deadline = Date.now() + 20_000;
      while (!existsSync(path.join(dir, 'lab', 'lab.json'))) {
        if (Date.now() > deadline) throw new Error('image-heist up did not write lab.json');
        await new Promise((r) => setTimeout(r, 50));
      }
      info = JSON.parse(await readFile(path.join(dir, 'lab', 'lab.json'), 'utf8')) as LabInfo;
    });

    afterAll(async () => {
      stop.abort();
      await up;
      await rm(dir, { recursive: true, force: true });
    });

    it('ticks "make Admin2’s pod print the flag" after the learner’s own kubectl commands, not before', async () => {
      const app = render(
        <TutorialApp chapters={chapters} labDir={path.join(dir, 'lab')} readSnapshot={readLabSnapshot} pollMs={100} onQuit={() => {}} size={size} color={false} />,
      );
      app.stdin.write('n');
      await frameWith(app, (f) => f.includes('2/8'));
      app.stdin.write('n');
      await frameWith(app, (f) => f.includes('3/8') && f.includes('watching the cluster: not yet'));

      await admin1RunsTheSecretImage(info);
      // Admin1's pod alone does not tick the task
      await new Promise((r) => setTimeout(r, 400));
      expect(app.lastFrame()).toContain('☐ TASK');
      await admin2RunsTheCachedImage(info);
      const frame = await frameWith(app, (f) => f.includes('☑ DONE'));
      expect(flat(frame)).toContain(`tenant-b/pod2 printed ${info.flag}`);
      expect(frame).not.toContain(info.registry.password);
      app.unmount();
    });

    it('ticks chapter 6 only when the learner’s own VAP holds for containers, init containers and kubectl debug, and admits Admin1', async () => {
      const kubectl = (context: string, args: string[]) => execa('kubectl', ['--kubeconfig', info.kubeconfig, '--context', context, ...args]);
      const policies = path.resolve('cluster-configs/policies');
      const app = render(
        <TutorialApp chapters={chapters} labDir={path.join(dir, 'lab')} readSnapshot={readLabSnapshot} pollMs={100} onQuit={() => {}} size={size} color={false} />,
      );
      for (let i = 2; i <= 6; i++) {
        app.stdin.write('n');
        await frameWith(app, (f) => f.includes(`${i}/8`));
      }
      await frameWith(app, (f) => f.includes('watching the cluster: not yet'));
      // Admin2 has a pod to debug; a policy whose rules forget pods/ephemeralcontainers does not tick the task
      await kubectl('admin2', ['run', 'target', `--image=${info.images.public}`, '--image-pull-policy=Always']);
      await kubectl('admin', ['apply', '-f', path.join(policies, 'gap-forgets-ephemeral-containers.yaml')]);
      await new Promise((r) => setTimeout(r, 600));
      expect(app.lastFrame()).toContain('☐ TASK');
      await kubectl('admin', ['delete', '-f', path.join(policies, 'gap-forgets-ephemeral-containers.yaml')]);
      await kubectl('admin', ['apply', '-f', path.join(policies, 'require-always.yaml')]);
      const frame = await frameWith(app, (f) => f.includes('☑ DONE'));
      expect(flat(frame)).toContain('require-imagepullpolicy-always.image-heist.lab: Admin2');
      app.unmount();
      await kubectl('admin', ['delete', '-f', path.join(policies, 'require-always.yaml')]);
    });
  });
});

describe('chapter 7 live: the hostPath reader under always-pull-images, then refused under pod-security', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-tutorial-07-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** `up --profile P` in-process on the same folder each time, as the learner restarts it. */
  async function startLab(profile: 'always-pull-images' | 'pod-security') {
    const stop = new AbortController();
    const up = runUp({ profile, dir: path.join(dir, 'lab'), signal: stop.signal, out: () => {} });
    const deadline = Date.now() + 30_000;
    while (!existsSync(path.join(dir, 'lab', 'lab.json'))) {
      if (Date.now() > deadline) throw new Error('image-heist up did not write lab.json');
      await new Promise((r) => setTimeout(r, 50));
    }
    const info = JSON.parse(await readFile(path.join(dir, 'lab', 'lab.json'), 'utf8')) as LabInfo;
    const kubectl = (context: string, args: string[], input?: string) =>
      execa('kubectl', ['--kubeconfig', info.kubeconfig, '--context', context, ...args], { reject: false, ...(input ? { input } : {}) });
    return { info, kubectl, stop: async () => (stop.abort(), await up) };
  }

  /** The chapter's own reader manifest (its heredoc), on `node` with the lab's public image. */
  function readerManifest(info: LabInfo, node: string): string {
    const body = chapters.find((c) => c.id === '07-out-of-band-node-access')!.body;
    const yaml = /<<'YAML'\n([\s\S]*?)\nYAML\n/.exec(body)?.[1];
    if (!yaml) throw new Error('chapter 7 has no reader manifest');
    return yaml.replace('image-heist-worker', node).replace(/127\.0\.0\.1:PORT\/public\/hello:1/, info.images.public);
  }

  it('ticks part 1 on the flag read through hostPath, keeps it across the restart, ticks on the PodSecurity refusal; earlier work never counts', async () => {
    let lab = await startLab('always-pull-images');
    const node = lab.info.nodes[0]!;
    try {
      // done before the chapter opens: Admin1's pod and a reader that already printed the flag
      await lab.kubectl('admin1', [
        'run',
        'pod1',
        `--image=${lab.info.images.secret}`,
        `--overrides={"spec":{"nodeName":"${node}","imagePullSecrets":[{"name":"${lab.info.tenants.admin1.pullSecret}"}]}}`,
      ]);
      await lab.kubectl('admin1', ['wait', '--for=condition=Ready', 'pod/pod1', '--timeout=30s']);
      expect((await lab.kubectl('admin2', ['apply', '-f', '-'], readerManifest(lab.info, node))).exitCode).toBe(0);
      await lab.kubectl('admin2', ['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/node-reader', '--timeout=30s']);
      expect((await lab.kubectl('admin2', ['logs', 'node-reader'])).stdout).toContain(lab.info.flag);

      const app = render(
        <TutorialApp
          chapters={chapters}
          labDir={path.join(dir, 'lab')}
          readSnapshot={readLabSnapshot}
          pollMs={100}
          onQuit={() => {}}
          size={{ columns: 120, rows: 40 }}
          color={false}
        />,
      );
      for (let i = 0; i < 6; i++) app.stdin.write('n');
      await frameWith(app, (f) => f.includes('7/8') && f.includes('watching the cluster: not yet'));
      // the reader from before the chapter does not tick it, nor does Admin1 reading its own node
      await new Promise((r) => setTimeout(r, 1_200));
      const admin1Reader = readerManifest(lab.info, node).replace('name: node-reader', 'name: own-reader');
      expect((await lab.kubectl('admin1', ['apply', '-f', '-'], admin1Reader)).exitCode).toBe(0);
      await lab.kubectl('admin1', ['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/own-reader', '--timeout=30s']);
      await new Promise((r) => setTimeout(r, 500));
      expect(app.lastFrame()).toContain('☐ TASK');
      expect(flat(app.lastFrame() ?? '')).toContain('watching the cluster: not yet');

      // the learner's reader, made in this chapter
      await lab.kubectl('admin2', ['delete', 'pod', 'node-reader', '--wait=true']);
      expect((await lab.kubectl('admin2', ['apply', '-f', '-'], readerManifest(lab.info, node))).exitCode).toBe(0);
      const half = await frameWith(app, (f) => flat(f).includes('stop this lab and run image-heist up --profile pod-security'), 30_000);
      expect(flat(half)).toContain(`tenant-b/node-reader read ${lab.info.flag} via hostPath /var/lib/containerd`);
      expect(half).toContain('☐ TASK');

      await lab.stop();
      lab = await startLab('pod-security');
      await frameWith(app, (f) => flat(f).includes('watching the cluster: not yet'), 30_000);
      expect(flat(app.lastFrame() ?? '')).toContain('tenant-b/node-reader read');
      const refused = await lab.kubectl('admin2', ['apply', '-f', '-'], readerManifest(lab.info, lab.info.nodes[0]!));
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toContain('violates PodSecurity "baseline:latest": hostPath volumes (volume "containerd")');
      const done = await frameWith(app, (f) => f.includes('☑ DONE'), 30_000);
      expect(flat(done)).toContain('tenant-b/node-reader refused: violates PodSecurity "baseline:latest": hostPath volumes (volume "containerd")');
      app.unmount();
    } finally {
      await lab.stop();
    }
  }, 180_000);
});
