import { describe, expect, it } from 'vitest';
import type { LabInfo } from '../lab/backend.js';
import { labStoryText } from './lab-story.js';

const info: LabInfo = {
  profile: 'none',
  apiServer: 'https://127.0.0.1:40001',
  kubeconfig: '/home/me/clone/.lab/kubeconfig',
  registry: { host: '127.0.0.1:35813', username: 'admin1', password: 'secret-password' },
  tenants: { admin1: { namespace: 'tenant-a', pullSecret: 'image-pull-secret-1' }, admin2: { namespace: 'tenant-b' } },
  images: { secret: '127.0.0.1:35813/secure/super-secret-image:1', public: '127.0.0.1:35813/public/hello:1' },
  flag: 'FLAG{x}',
  nodes: ['image-heist-worker', 'image-heist-worker2'],
};

describe("up's story text", () => {
  it('runs as printed: bash reads the wrapped run command back as the same arguments', async () => {
    const { execFileSync } = await import('node:child_process');
    const lines = labStoryText(info, '/x', 80, '/').split('\n');
    const first = lines.findIndex((l) => l.includes('run pod1'));
    let last = first;
    while (lines[last]!.endsWith('\\') || (lines[last]!.match(/'/g) ?? []).length % 2 === 1) last++;
    const command = lines
      .slice(first, last + 1)
      .join('\n')
      .trim();
    const args = execFileSync('bash', ['-c', `set -- ${command}; printf '%s\\0' "$@"`], { encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    expect(args.slice(0, 5)).toEqual(['kubectl', '--context', 'admin1', 'run', 'pod1']);
    const overrides = JSON.parse(args.find((a) => a.startsWith('--overrides='))!.slice('--overrides='.length));
    expect(overrides).toEqual({ spec: { nodeName: 'image-heist-worker', imagePullSecrets: [{ name: 'image-pull-secret-1' }] } });
  });

  const text = labStoryText(info, '/home/me/clone/.lab', 80, '/home/me/clone');

  it('starts with export KUBECONFIG and waits for Ready before every logs', () => {
    expect(text).toContain('export KUBECONFIG=/home/me/clone/.lab/kubeconfig');
    expect(text.replace(/\s+/g, ' ')).toContain('Lab details: .lab/lab.json');
    const lines = text.split('\n');
    for (const [i, line] of lines.entries()) {
      const logs = /--context (admin\d) logs (pod\d)/.exec(line);
      if (!logs) continue;
      const before = lines.slice(0, i).join('\n');
      expect(before).toContain(`--context ${logs[1]} wait --for=condition=Ready pod/${logs[2]}`);
    }
  });

  it('fits 80 columns and never shows the password', () => {
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(text).not.toContain('secret-password');
  });
});
