import { afterEach, describe, expect, it } from 'vitest';
import { createLabClock, createManualClock, type LabClock } from '../clock.js';
import { ContainerLog } from './container-logs.js';
import { ImageStore, type ImageConfig } from './image-store.js';
import { unpackRootfs, type RootFs } from './rootfs.js';
import { execFailedMessage, failedToStartEventMessage, resolveProcess, startContainer, type StartContainerRequest, type StartResult } from './runtime.js';
import { buildImage, buildLayer, busyboxEntries, type LayerEntry } from '../../../test/support/node-images.js';

async function fsOf(entries: LayerEntry[]): Promise<RootFs> {
  const store = new ImageStore();
  const image = store.addImage('lab/app:v1', buildImage([await buildLayer(entries)]));
  return unpackRootfs(image, store);
}

const labImage = (): Promise<RootFs> => fsOf([...busyboxEntries(), { type: 'file', path: 'flag.txt', content: 'FLAG{secret}\n' }, { type: 'dir', path: 'data/' }]);

function started(r: StartResult) {
  if (!r.started || !('handle' in r)) throw new Error(`expected the container to start: ${JSON.stringify(r)}`);
  return r.handle;
}

async function run(fs: RootFs, req: Partial<StartContainerRequest> & { imageConfig?: ImageConfig }, clock: LabClock = createManualClock()) {
  const log = new ContainerLog({ clock });
  const handle = started(startContainer({ containerId: 'c1', imageConfig: {}, fs, clock, log, ...req }));
  const exit = await handle.exited;
  return { exit, out: log.lines().map((l) => `${l.stream === 'stderr' ? '! ' : ''}${l.text}`), handle };
}

describe('resolveProcess: command and args vs Entrypoint and Cmd (k8s docs table)', () => {
  const image: ImageConfig = { Entrypoint: ['/ep-1'], Cmd: ['foo', 'bar'] };
  it.each([
    [undefined, undefined, ['/ep-1', 'foo', 'bar']],
    [['/cmd'], undefined, ['/cmd']],
    [undefined, ['zoo', 'boo'], ['/ep-1', 'zoo', 'boo']],
    [['/cmd'], ['zoo', 'boo'], ['/cmd', 'zoo', 'boo']],
  ])('command %j args %j → %j', (command, args, argv) => {
    const spec = resolveProcess({ imageConfig: image, command, args });
    expect('argv' in spec && spec.argv).toEqual(argv);
  });

  it('uses Cmd alone when there is no Entrypoint, and fails when there is nothing to run', () => {
    expect(resolveProcess({ imageConfig: { Cmd: ['sh'] } })).toMatchObject({ argv: ['sh'] });
    expect(resolveProcess({ imageConfig: { Entrypoint: ['/ep'], Cmd: ['x'] }, command: ['/c'] })).toMatchObject({ argv: ['/c'] });
    expect(resolveProcess({ imageConfig: { Env: ['BROKEN'], Cmd: ['x'] } })).toEqual({ error: 'invalid environment variable "BROKEN"' });
    expect(resolveProcess({ imageConfig: {} })).toEqual({ error: 'no command specified' });
  });

  it('merges env: default PATH, then image, then container; expands $(VAR) in command and args', () => {
    const spec = resolveProcess({
      imageConfig: { Env: ['PATH=/bin', 'MODE=image'] },
      command: ['echo', '$(MODE)', '$(NOPE)'],
      env: [{ name: 'MODE', value: 'pod' }],
      workingDir: '/data',
    });
    expect(spec).toEqual({ argv: ['echo', 'pod', '$(NOPE)'], env: ['PATH=/bin', 'MODE=pod'], cwd: '/data' });
    expect(resolveProcess({ imageConfig: { Cmd: ['x'] } })).toMatchObject({ env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] });
  });
});

describe('startContainer', () => {
  it('runs the image Cmd: cat prints the flag, exit 0 Completed, timestamped lines', async () => {
    const clock = createManualClock({ start: Date.parse('2026-03-01T12:00:00Z') });
    const { exit, out } = await run(await labImage(), { imageConfig: { Cmd: ['cat', '/flag.txt'] } }, clock);
    expect(out).toEqual(['FLAG{secret}']);
    expect(exit).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  it('cat of a missing file says what busybox says and exits 1', async () => {
    const { exit, out } = await run(await labImage(), { command: ['cat', '/x', 'flag.txt', '/data'] });
    expect(out).toEqual(["! cat: can't open '/x': No such file or directory", 'FLAG{secret}', '! cat: read error: Is a directory']);
    expect(exit).toMatchObject({ exitCode: 1, reason: 'Error' });
  });

  it('echo and echo -n', async () => {
    const { out } = await run(await labImage(), { command: ['echo', '-n', 'no', 'newline'] });
    expect(out).toEqual(['no newline']);
  });

  it('fails to start a program that is not in the image, worded as containerd + runc', async () => {
    const clock = createManualClock();
    const log = new ContainerLog({ clock });
    const r = startContainer({ containerId: 'c', imageConfig: {}, command: ['foo'], fs: await labImage(), clock, log });
    expect(r).toEqual({
      started: false,
      error: {
        reason: 'StartError',
        exitCode: 128,
        finishedAt: clock.now(),
        message:
          'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "foo": executable file not found in $PATH: unknown',
      },
    });
    expect(log.closed).toBe(true);
    expect(failedToStartEventMessage(execFailedMessage('x'))).toMatch(/^Error: failed to create containerd task/);
  });

  it('needs the program file: cat in a FROM-scratch image fails, an absolute missing path says stat', async () => {
    const scratch = await fsOf([{ type: 'file', path: 'flag.txt', content: 'x' }]);
    const clock = createManualClock();
    const r = startContainer({ containerId: 'c', imageConfig: { Cmd: ['cat', '/flag.txt'] }, fs: scratch, clock, log: new ContainerLog({ clock }) });
    expect(!r.started && 'error' in r && r.error.message).toContain('exec: "cat": executable file not found in $PATH');
    const abs = startContainer({ containerId: 'c', imageConfig: {}, command: ['/bin/cat'], fs: scratch, clock, log: new ContainerLog({ clock }) });
    expect(!abs.started && 'error' in abs && abs.error.message).toContain('exec: "/bin/cat": stat /bin/cat: no such file or directory');
    const noexec = await fsOf([{ type: 'file', path: 'bin/cat', content: 'x', mode: 0o644 }]);
    const denied = startContainer({ containerId: 'c', imageConfig: {}, command: ['/bin/cat'], fs: noexec, clock, log: new ContainerLog({ clock }) });
    expect(!denied.started && 'error' in denied && denied.error.message).toContain('exec: "/bin/cat": permission denied');
    const nocmd = startContainer({ containerId: 'c', imageConfig: {}, fs: scratch, clock, log: new ContainerLog({ clock }) });
    expect(nocmd).toEqual({ started: false, createError: 'no command specified' });
  });

  it('runs only applets: another program present in the image behaves like busybox without that applet', async () => {
    const fs = await fsOf([...busyboxEntries(), { type: 'symlink', path: 'bin/wget', target: 'busybox' }]);
    const { exit, out } = await run(fs, { command: ['wget', 'http://x'] });
    expect(out).toEqual(['! wget: applet not found']);
    expect(exit.exitCode).toBe(127);
  });
});

describe('sh -c', () => {
  const sh = async (script: string, env: { name: string; value: string }[] = []) => run(await labImage(), { command: ['sh', '-c', script], env });

  it('chains with ; && || and keeps $? per POSIX', async () => {
    const r = await sh('cat /nope && echo not-here || echo recovered; echo "status $?"; false || echo \'or ran\' && echo and-ran');
    expect(r.out).toEqual(["! cat: can't open '/nope': No such file or directory", 'recovered', 'status 0', 'or ran', 'and-ran']);
    expect(r.exit.exitCode).toBe(0);
  });

  it('expands $VAR and ${VAR} from the environment, with quoting rules', async () => {
    const r = await sh(`echo $GREETING "\${WHO}!" '$GREETING' "a   b" $EMPTY end`, [
      { name: 'GREETING', value: 'hello   there' },
      { name: 'WHO', value: 'world' },
    ]);
    expect(r.out).toEqual(['hello there world! $GREETING a   b end']);
  });

  it('reports a missing program as ash does and returns the last status', async () => {
    const r = await sh('wget http://x; echo after');
    expect(r.out).toEqual(['! sh: wget: not found', 'after']);
    const last = await sh('echo before; nosuch');
    expect(last.exit.exitCode).toBe(127);
  });

  it('exit N ends the script with N', async () => {
    const r = await sh('echo one; exit 3; echo two');
    expect(r.out).toEqual(['one']);
    expect(r.exit).toMatchObject({ exitCode: 3, reason: 'Error' });
  });

  it('rejects syntax it does not support with exit 2', async () => {
    const r = await sh('echo $(cat /flag.txt)');
    expect(r.out).toEqual(['! sh: syntax error: the lab shell does not support command substitution']);
    expect(r.exit.exitCode).toBe(2);
    expect((await sh("echo 'open")).exit.exitCode).toBe(2);
    expect((await sh('echo a &&')).exit.exitCode).toBe(2);
  });
});

describe('sleep and kill on the lab clock', () => {
  it('sleep N waits N lab seconds between lines', async () => {
    const clock = createManualClock({ start: 0 });
    const log = new ContainerLog({ clock });
    const h = started(startContainer({ containerId: 'c', imageConfig: {}, command: ['sh', '-c', 'echo a; sleep 10; echo b'], fs: await labImage(), clock, log }));
    await clock.advance(9_000);
    expect(log.lines().map((l) => l.text)).toEqual(['a']);
    expect(h.running()).toBe(true);
    await clock.advance(1_000);
    const exit = await h.exited;
    expect(log.lines().map((l) => [l.text, l.time])).toEqual([
      ['a', 0],
      ['b', 10_000],
    ]);
    expect(exit).toMatchObject({ exitCode: 0, startedAt: 0, finishedAt: 10_000 });
  });

  it('kill ends sleep infinity at once with 143, SIGKILL with 137', async () => {
    const clock = createManualClock();
    const fs = await labImage();
    const h = started(startContainer({ containerId: 'c', imageConfig: { Cmd: ['sleep', 'infinity'] }, fs, clock, log: new ContainerLog({ clock }) }));
    await clock.advance(3_600_000);
    expect(h.running()).toBe(true);
    h.kill();
    expect(await h.exited).toMatchObject({ exitCode: 143, reason: 'Error', signal: 'SIGTERM' });
    expect(h.running()).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
    const k = started(startContainer({ containerId: 'd', imageConfig: {}, command: ['sleep', '5m'], fs, clock, log: new ContainerLog({ clock }) }));
    k.kill('SIGKILL');
    expect((await k.exited).exitCode).toBe(137);
  });

  it('rejects a bad sleep operand like busybox', async () => {
    const { exit, out } = await run(await labImage(), { command: ['sleep', 'abc'] });
    expect(out).toEqual(["! sleep: invalid number 'abc'"]);
    expect(exit.exitCode).toBe(1);
  });
});

describe('real timers at a high time scale (bounded)', () => {
  let clock: LabClock | undefined;
  afterEach(() => clock?.dispose());

  it('a container sleeping 30 lab seconds finishes in well under a second at time scale 200', async () => {
    clock = createLabClock({ timeScale: 200 });
    const log = new ContainerLog({ clock });
    const t0 = performance.now();
    const h = started(startContainer({ containerId: 'c', imageConfig: {}, command: ['sh', '-c', 'echo start; sleep 30; echo done'], fs: await labImage(), clock, log }));
    const exit = await h.exited;
    const real = performance.now() - t0;
    expect(exit.exitCode).toBe(0);
    expect(exit.finishedAt - exit.startedAt).toBeGreaterThanOrEqual(30_000);
    expect(real).toBeGreaterThanOrEqual(140);
    expect(real).toBeLessThan(3_000);
    expect(log.lines().map((l) => l.text)).toEqual(['start', 'done']);
  });
});
