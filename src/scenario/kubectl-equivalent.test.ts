import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubectlEquivalent } from './kubectl-equivalent.js';
import type { Action } from './schema.js';

const tenantB = { namespace: 'tenant-b' };

describe('kubectlEquivalent', () => {
  it('applies a pod manifest as the acting tenant through a heredoc that round-trips', () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pod2' },
      spec: { containers: [{ name: 'app', image: 'reg:5000/secure/super-secret-image:1', imagePullPolicy: 'IfNotPresent' }] },
    };
    const lines = kubectlEquivalent('admin2', { createPod: { manifest } } as Action, tenantB);
    expect(lines[0]).toBe("kubectl --context admin2 -n tenant-b apply -f - <<'EOF'");
    expect(lines.at(-1)).toBe('EOF');
    expect(parse(lines.slice(1, -1).join('\n'))).toEqual(manifest);
  });

  it('adds an ephemeral container with kubectl debug, keeping the pull policy and the command', () => {
    const action = {
      addEphemeralContainer: { pod: 'pod2', container: { name: 'debugger', image: 'reg:5000/secure/app:1', imagePullPolicy: 'IfNotPresent', command: ['cat', '/flag.txt'] } },
    } as Action;
    expect(kubectlEquivalent('admin2', action, tenantB)).toEqual([
      'kubectl --context admin2 -n tenant-b debug pod2 --image=reg:5000/secure/app:1 --container=debugger --image-pull-policy=IfNotPresent -- cat /flag.txt',
    ]);
  });

  it('changes a running pod’s image with kubectl set image', () => {
    const action = { updatePodImage: { pod: 'pod2', container: 'app', image: 'reg:5000/secure/app@sha256:abc' } } as Action;
    expect(kubectlEquivalent('admin2', action, tenantB)).toEqual(['kubectl --context admin2 -n tenant-b set image pod/pod2 app=reg:5000/secure/app@sha256:abc']);
  });

  it('deletes pods and secrets by name', () => {
    expect(kubectlEquivalent('admin1', { deletePod: { name: 'pod1' } }, { namespace: 'tenant-a' })).toEqual(['kubectl --context admin1 -n tenant-a delete pod pod1']);
    expect(kubectlEquivalent('admin1', { deleteSecret: { name: 'regcred' } }, { namespace: 'tenant-a' })).toEqual(['kubectl --context admin1 -n tenant-a delete secret regcred']);
  });

  it('side-loads an image with kind load (naming the cluster when known) and removes it with crictl rmi', () => {
    const preload = kubectlEquivalent('admin', { preloadImage: { image: 'reg:5000/secure/app:1', node: 'worker' } }, { namespace: 'default', kindCluster: 'heist-none' });
    expect(preload).toContain('kind load docker-image reg:5000/secure/app:1 --name heist-none --nodes worker');
    expect(kubectlEquivalent('admin', { removeImage: { image: 'reg:5000/secure/app:1', node: 'worker' } }, { namespace: 'default' })).toEqual([
      'docker exec worker crictl rmi reg:5000/secure/app:1',
    ]);
  });

  it('quotes words the shell would split', () => {
    const action = { addEphemeralContainer: { pod: 'p', container: { name: 'c', image: 'img:1', command: ['sh', '-c', "echo it's here"] } } } as Action;
    expect(kubectlEquivalent('admin2', action, tenantB)[0]).toMatch(/-- sh -c 'echo it'\\''s here'$/);
  });

  it('waits by watching the pod until the named states', () => {
    expect(kubectlEquivalent('admin2', { wait: { pod: 'pod2', for: ['ErrImagePull', 'ImagePullBackOff'] } }, tenantB)).toEqual([
      '# until STATUS shows ErrImagePull or ImagePullBackOff',
      'kubectl --context admin2 -n tenant-b get pod pod2 --watch',
    ]);
  });
});
