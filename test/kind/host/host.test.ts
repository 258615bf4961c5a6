// kind:host's pure parts against real inputs: this machine's CapBnd format, the wrapper run by bash in front of a
// stand-in runc that records what it was given (no Docker needed), and dockerd's real iptables rules.
import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { capDropWrapper, withheldCapabilities } from './capabilities.js';
import { cleanupCommands, parseRules, type IptablesSnapshot } from './iptables.js';

describe('withheldCapabilities', () => {
  it('names the capabilities missing from the bounding set, up to the kernel last cap', () => {
    // this sandbox: every capability up to 40 except 24
    expect(withheldCapabilities('Name:\tx\nCapBnd:\t000001fffeffffff\n', 40)).toEqual(['CAP_SYS_RESOURCE']);
    expect(withheldCapabilities('CapBnd:\t000001ffffffffff\n', 40)).toEqual([]);
    // a kernel that knows fewer capabilities does not make the newer ones "withheld"
    expect(withheldCapabilities('CapBnd:\t0000003fffffffff\n', 37)).toEqual([]);
    expect(withheldCapabilities('CapBnd:\t0000003fffffffff\n', 40)).toEqual(['CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE']);
    expect(() => withheldCapabilities('CapEff:\t0\n', 40)).toThrow(/CapBnd/);
  });
});

describe('the capability-dropping runtime wrapper', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function setUp() {
    dir = await mkdtemp(path.join(tmpdir(), 'ih-capdrop-'));
    // a stand-in for runc: records its arguments, so the test sees the wrapper exec it with the same ones
    const runc = path.join(dir, 'runc');
    await writeFile(runc, `#!/bin/bash\nprintf '%s\\n' "$@" > '${dir}/args'\n`);
    await chmod(runc, 0o755);
    const wrapper = path.join(dir, 'wrapper');
    await writeFile(wrapper, capDropWrapper({ runc, node: process.execPath, drop: ['CAP_SYS_RESOURCE', 'CAP_BPF'] }));
    await chmod(wrapper, 0o755);
    return { wrapper };
  }
  const allSets = (caps: string[]) => ({ bounding: caps, effective: caps, inheritable: caps, permitted: caps, ambient: caps });

  it('removes the withheld capabilities from every set of the bundle on create, then runs runc with the same arguments', async () => {
    const { wrapper } = await setUp();
    const bundle = path.join(dir, 'bundle');
    await execa('mkdir', [bundle]);
    await writeFile(
      path.join(bundle, 'config.json'),
      JSON.stringify({ ociVersion: '1.0.2', process: { args: ['sh'], capabilities: allSets(['CAP_CHOWN', 'CAP_SYS_RESOURCE', 'CAP_BPF', 'CAP_SYS_ADMIN']) } }),
    );
    const args = ['--root', '/run/x', '--log', '/run/x/log.json', 'create', '--bundle', bundle, '--pid-file', '/run/x/pid', 'ctr-1'];
    const r = await execa(wrapper, args, { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const spec = JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8'));
    for (const set of Object.values(spec.process.capabilities)) expect(set).toEqual(['CAP_CHOWN', 'CAP_SYS_ADMIN']);
    expect(spec.process.args).toEqual(['sh']);
    expect((await readFile(path.join(dir, 'args'), 'utf8')).trim().split('\n')).toEqual(args);
  });

  it('edits the --process file on exec and leaves other commands alone', async () => {
    const { wrapper } = await setUp();
    const processFile = path.join(dir, 'process.json');
    await writeFile(processFile, JSON.stringify({ args: ['sh'], capabilities: allSets(['CAP_SYS_RESOURCE', 'CAP_KILL']) }));
    expect((await execa(wrapper, ['--root', '/r', 'exec', '--process', processFile, '--detach', 'ctr-1'], { reject: false })).exitCode).toBe(0);
    expect(JSON.parse(await readFile(processFile, 'utf8')).capabilities.bounding).toEqual(['CAP_KILL']);
    // `state`, `kill`, `delete`: passed straight through
    expect((await execa(wrapper, ['--root', '/r', 'state', 'ctr-1'], { reject: false })).exitCode).toBe(0);
    expect((await readFile(path.join(dir, 'args'), 'utf8')).trim().split('\n')).toEqual(['--root', '/r', 'state', 'ctr-1']);
  });

  it('fails (and runs nothing) when the bundle cannot be read', async () => {
    const { wrapper } = await setUp();
    const r = await execa(wrapper, ['create', '--bundle', path.join(dir, 'missing'), 'ctr-1'], { reject: false });
    expect(r.exitCode).not.toBe(0);
    await expect(readFile(path.join(dir, 'args'), 'utf8')).rejects.toThrow();
  });
});

describe('iptables clean-up after dockerd', () => {
  // what dockerd 20.10 wrote on this machine (iptables -S), with a pre-existing rule of someone else's
  const filterAfter = [
    '-P INPUT ACCEPT',
    '-P FORWARD DROP',
    '-P OUTPUT ACCEPT',
    '-N DOCKER',
    '-N DOCKER-ISOLATION-STAGE-1',
    '-N DOCKER-ISOLATION-STAGE-2',
    '-N DOCKER-USER',
    '-N THEIRS',
    '-A FORWARD -j DOCKER-USER',
    '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
    '-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A FORWARD -o docker0 -j DOCKER',
    '-A FORWARD -i docker0 ! -o docker0 -j ACCEPT',
    '-A FORWARD -i docker0 -o docker0 -j ACCEPT',
    '-A FORWARD -i eth0 -j THEIRS',
    '-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2',
    '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP',
    '-A DOCKER-ISOLATION-STAGE-2 -j RETURN',
    '-A DOCKER-USER -j RETURN',
  ].join('\n');
  const natAfter = [
    '-P PREROUTING ACCEPT',
    '-P INPUT ACCEPT',
    '-P OUTPUT ACCEPT',
    '-P POSTROUTING ACCEPT',
    '-N DOCKER',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
    '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
    '-A DOCKER -i docker0 -j RETURN',
  ].join('\n');
  const before: IptablesSnapshot = {
    chains: { filter: ['THEIRS'], nat: [] },
    policies: { filter: { INPUT: 'ACCEPT', FORWARD: 'ACCEPT', OUTPUT: 'ACCEPT' }, nat: parseRules(natAfter).policies },
  };

  it('deletes the jumps and bridge rules, flushes and removes the chains, and puts the FORWARD policy back', () => {
    expect(cleanupCommands('filter', filterAfter, before, ['docker0'])).toEqual([
      '-D FORWARD -j DOCKER-USER',
      '-D FORWARD -j DOCKER-ISOLATION-STAGE-1',
      '-D FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-D FORWARD -o docker0 -j DOCKER',
      '-D FORWARD -i docker0 ! -o docker0 -j ACCEPT',
      '-D FORWARD -i docker0 -o docker0 -j ACCEPT',
      '-F DOCKER',
      '-F DOCKER-ISOLATION-STAGE-1',
      '-F DOCKER-ISOLATION-STAGE-2',
      '-F DOCKER-USER',
      '-X DOCKER',
      '-X DOCKER-ISOLATION-STAGE-1',
      '-X DOCKER-ISOLATION-STAGE-2',
      '-X DOCKER-USER',
      '-P FORWARD ACCEPT',
    ]);
    expect(cleanupCommands('nat', natAfter, before, ['docker0'])).toEqual([
      '-D PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
      '-D OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
      '-D POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
      '-F DOCKER',
      '-X DOCKER',
    ]);
  });

  it('leaves chains that were there before up, and a docker0 it did not create', () => {
    const theirs: IptablesSnapshot = {
      chains: { filter: ['DOCKER', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-ISOLATION-STAGE-2', 'DOCKER-USER', 'THEIRS'] },
      policies: { filter: { FORWARD: 'DROP' } },
    };
    expect(cleanupCommands('filter', filterAfter, theirs, [])).toEqual([]);
  });
});
