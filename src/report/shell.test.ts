import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellWords, wrapCommand, wrapCommands } from './shell.js';

describe('wrapCommand', () => {
  const long = `kubectl --kubeconfig .lab/kubeconfig --context admin1 run pod1 --image=127.0.0.1:35813/secure/super-secret-image:1 --overrides='{"spec":{"nodeName":"image-heist-worker","imagePullSecrets":[{"name":"image-pull-secret-1"}]}}'`;

  it('fits 80 columns, breaking only between words, and the shell reads the same words back', () => {
    const lines = wrapCommand(long, 80);
    expect(lines.length).toBeGreaterThan(1);
    // the JSON override is one word longer than nothing: it may not fit, but it is never split
    for (const line of lines) if (!line.includes("'{")) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.slice(0, -1).every((l) => l.endsWith(' \\'))).toBe(true);
    // what bash parses from the wrapped lines is exactly the original command's words
    const words = (script: string) => execFileSync('bash', ['-c', `set -- ${script.replace(/^kubectl /, '')}; printf '%s\\n' kubectl "$@"`], { encoding: 'utf8' });
    expect(words(lines.join('\n'))).toBe(words(long));
    expect(shellWords(long).at(-1)).toMatch(/^--overrides='\{.*\}'$/);
  });

  it('leaves short lines, comments and heredoc bodies alone', () => {
    expect(wrapCommand('kubectl get pods', 80)).toEqual(['kubectl get pods']);
    const comment = `# ${'x'.repeat(100)}`;
    expect(wrapCommand(comment, 80)).toEqual([comment]);
    const body = `  image: ${'r'.repeat(90)}`;
    expect(wrapCommands(["kubectl apply -f - <<'EOF'", body, 'EOF'], 40)).toEqual(["kubectl apply -f - <<'EOF'", body, 'EOF']);
  });
});
