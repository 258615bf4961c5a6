// How fast the binary starts, against bare node measured in the same run (`npm run bench -- startup`):
// `--version` (goal ≤ 2× `node -e 0`), `up` until lab.json exists (goal ≤ 500 ms), and `play classic` in a
// pseudo-terminal until its first line and its first Ink frame (goal ≤ 500 ms). It runs bin/image-heist.js as a
// user does: compiled code from dist/ when `npm run build` has run, the TypeScript sources through tsx otherwise.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { BenchLine } from './index.js';

const bin = path.resolve('bin/image-heist.js');
const rounds = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function timed(args: string[]): Promise<number> {
  const t0 = performance.now();
  await execa(process.execPath, args);
  return performance.now() - t0;
}

/** From spawn until the file exists; then SIGINT and wait for the clean exit. */
async function untilFile(args: string[], file: string): Promise<number> {
  const t0 = performance.now();
  const child = execa(process.execPath, args, { reject: false });
  try {
    while (!existsSync(file)) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.exitCode} before writing ${file}`);
      if (performance.now() - t0 > 30_000) throw new Error(`${file} did not appear within 30 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return performance.now() - t0;
  } finally {
    child.kill('SIGINT');
    await child;
  }
}

/**
 * Runs a command in a pseudo-terminal of 80×24 (util-linux `script`) and returns the times from spawn until
 * the output first passes each test (escape codes removed); then stops it with SIGTERM.
 */
async function inTerminal(command: string, tests: Array<(text: string) => boolean>): Promise<number[]> {
  const t0 = performance.now();
  // CI=true would make Ink print only its last frame: a terminal user has no CI variable
  const env = { ...process.env, TERM: 'xterm-256color', CI: undefined, CONTINUOUS_INTEGRATION: undefined };
  const child = execa('script', ['-qfec', `stty cols 80 rows 24; exec ${command}`, '/dev/null'], { reject: false, env, extendEnv: false, stdin: 'pipe' });
  const times: number[] = tests.map(() => NaN);
  let text = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${command}: no expected output within 30 s:\n${text.slice(-400)}`)), 30_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
        const now = performance.now() - t0;
        tests.forEach((test, i) => {
          if (Number.isNaN(times[i]) && test(text)) times[i] = now;
        });
        if (times.every((t) => !Number.isNaN(t))) {
          clearTimeout(timer);
          resolve();
        }
      });
      void child.then(() => reject(new Error(`${command} exited before its output was seen:\n${text.slice(-400)}`)));
    });
    return times;
  } finally {
    child.kill('SIGTERM');
    await child;
  }
}

export default async function startupBench(): Promise<BenchLine[]> {
  const bare: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < rounds; i++) {
    bare.push(await timed(['-e', '0']));
    version.push(await timed([bin, '--version']));
  }
  const node = median(bare);

  const dir = await mkdtemp(path.join(tmpdir(), 'image-heist-startup-'));
  const up: number[] = [];
  const terminalBare: number[] = [];
  const firstLine: number[] = [];
  const firstFrame: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const labDir = path.join(dir, `lab-${i}`);
      up.push(await untilFile([bin, 'up', '--dir', labDir], path.join(labDir, 'lab.json')));
      // the pseudo-terminal's own cost: bare node printing one word through the same wrapper
      terminalBare.push((await inTerminal(`${process.execPath} -e "process.stdout.write('ready')"`, [(t) => t.includes('ready')]))[0]!);
      const [line, frame] = await inTerminal(`${process.execPath} ${bin} play classic --dir ${path.join(dir, `play-${i}`)}`, [
        (t) => t.includes('image-heist'),
        (t) => t.includes('Steps 0/'),
      ]);
      firstLine.push(line!);
      firstFrame.push(frame!);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const term = median(terminalBare);
  return [
    { name: 'node -e 0 (reference)', value: ms(node) },
    { name: 'image-heist --version', value: `${ms(median(version))} vs ${ms(node)} bare node`, ratio: node / median(version), target: '>= 0.5x (≤ 2× bare node)' },
    { name: 'up → lab.json', value: ms(median(up)), ratio: 500 / median(up), target: '>= 1.0x (≤ 500 ms)' },
    { name: 'pseudo-terminal + bare node (reference)', value: ms(term) },
    { name: 'play: first line on screen', value: ms(median(firstLine)), ratio: 500 / median(firstLine), target: '>= 1.0x (≤ 500 ms)' },
    {
      name: 'play: first Ink frame',
      value: `${ms(median(firstFrame))} (${ms(median(firstFrame) - term)} after bare node's first word)`,
      ratio: 500 / median(firstFrame),
      target: '>= 1.0x (≤ 500 ms)',
    },
  ];
}
