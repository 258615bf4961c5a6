import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, ExitCode } from '../errors.js';
import { createKindBackend } from './backend.js';
import { CommandError, runCommand } from './exec.js';
import { probeDocker } from './preflight.js';

const docker = await probeDocker();

// On this machine (no Docker engine) the real backend must stop at its preflight, leave nothing behind and say why.
describe.skipIf(docker.engine)('the kind backend without a Docker engine', () => {
  it('start() rejects with exit code 3 and one line, and creates no work directory', async () => {
    const before = (await readdir(tmpdir())).filter((n) => n.startsWith('image-heist-kind-'));
    const backend = createKindBackend({ profiles: ['none', 'always-pull-images'] });
    const error = await backend.start({ profile: 'none' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).exitCode).toBe(ExitCode.backendUnavailable);
    expect((error as Error).message).toMatch(/Docker engine/);
    const after = (await readdir(tmpdir())).filter((n) => n.startsWith('image-heist-kind-'));
    expect(after).toEqual(before);
    await backend.shutdown(); // idempotent after a failed start
  });
});

describe('commands', () => {
  it('a missing program is one clear error', async () => {
    const error = await runCommand({ file: 'kind', args: ['version'], title: 't' }, {}).catch((e: unknown) => e);
    // kind is not installed on the development machines; where it is, it answers
    if (error instanceof CommandError) expect(error.message).toMatch(/kind version failed: kind is not installed/);
    else expect(String(error)).toMatch(/kind v\d/);
  });

  it.skipIf(docker.engine)('a failing docker command ends in its own last error line', async () => {
    const error = await runCommand({ file: 'docker', args: ['ps'], title: 't' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).message).toMatch(/^docker ps failed: .*(daemon|docker\.sock)/);
    expect((error as CommandError).message).not.toContain('\n');
  });
});
