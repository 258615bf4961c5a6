import { describe, expect, it } from 'vitest';
import { CommandError } from './exec.js';

describe('CommandError', () => {
  it("names the tool's ERROR line, not the end of the Go stack trace after it", () => {
    // kind's own shape: progress, the ERROR line, then a stack trace ending in runtime noise
    const stderr = [
      'Creating cluster "x" ...',
      'ERROR: failed to create cluster: failed to init node with kubeadm',
      'Stack Trace:',
      'main.main()',
      '\truntime/asm_amd64.s:1771',
      '',
    ].join('\n');
    const error = new CommandError('kind create cluster --name x', 1, stderr);
    expect(error.message).toBe('kind create cluster --name x failed: ERROR: failed to create cluster: failed to init node with kubeadm');
    expect(error.stderr).toContain('runtime/asm_amd64.s:1771');
  });

  it("names docker's daemon error, and falls back to the last line or the exit code", () => {
    expect(new CommandError('docker rm x', 1, 'Error response from daemon: No such container: x\n').message).toBe(
      'docker rm x failed: Error response from daemon: No such container: x',
    );
    expect(new CommandError('kind get clusters', 3, 'first\nlast\n').message).toBe('kind get clusters failed: last');
    expect(new CommandError('kind version', 2, '').message).toBe('kind version failed: exit code 2');
  });
});
