// The embedded Lab's lifecycle: nothing keeps running after stop() or a failed start, stop is idempotent,
// kubeconfigFor hands out each user's context, bad input is a clear error.
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { startEmbeddedLab } from '../src/embedded/lab.js';

/** Listening servers, sockets and timers this process holds (node's active resources). */
const handles = (): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) if (r !== 'TTYWrap' && r !== 'FSReqCallback') counts[r] = (counts[r] ?? 0) + 1;
  return counts;
};

async function settleHandles(before: Record<string, number>): Promise<Record<string, number>> {
  // sockets closed by the peer go away within a few event-loop turns
  for (let i = 0; i < 50; i++) {
    const now = handles();
    if ((now['TCPServerWrap'] ?? 0) <= (before['TCPServerWrap'] ?? 0) && (now['TCPSocketWrap'] ?? 0) <= (before['TCPSocketWrap'] ?? 0)) return now;
    await new Promise((r) => setTimeout(r, 20));
  }
  return handles();
}

describe('embedded lab lifecycle', () => {
  it('stop() closes every server and socket, and is idempotent', async () => {
    const before = handles();
    const lab = await startEmbeddedLab({ profile: 'none', timeScale: 50 });
    expect(handles()['TCPServerWrap'] ?? 0).toBeGreaterThanOrEqual((before['TCPServerWrap'] ?? 0) + 2);
    const kc = new KubeConfig();
    kc.loadFromString(lab.kubeconfigFor('admin2'));
    expect(kc.getCurrentContext()).toBe('admin2');
    expect(kc.getContextObject('admin2')?.namespace).toBe('tenant-b');
    expect(kc.getContextObject('admin1')?.namespace).toBe('tenant-a');
    await Promise.all([lab.stop(), lab.stop()]);
    await lab.stop();
    const after = await settleHandles(before);
    expect(after['TCPServerWrap'] ?? 0).toBe(before['TCPServerWrap'] ?? 0);
    expect(after['TCPSocketWrap'] ?? 0).toBeLessThanOrEqual(before['TCPSocketWrap'] ?? 0);
  });

  it('a start cancelled half-way stops what it had started', async () => {
    const before = handles();
    const abort = new AbortController();
    const progress: string[] = [];
    const started = startEmbeddedLab({
      profile: 'kubelet-default',
      signal: abort.signal,
      onProgress: (p) => {
        progress.push(`${p.action}: ${p.status}`);
        if (p.action === 'Pushing the images' && p.status === 'done') abort.abort();
      },
    });
    await expect(started).rejects.toThrow('lab start was cancelled');
    expect(progress).toContain('Pushing the images: done');
    const after = await settleHandles(before);
    expect(after['TCPServerWrap'] ?? 0).toBe(before['TCPServerWrap'] ?? 0);
  });

  it('rejects a node count it cannot run', async () => {
    await expect(startEmbeddedLab({ profile: 'none', nodes: 0 })).rejects.toThrow('--nodes must be a whole number from 1 to 16, got 0');
  });
});
