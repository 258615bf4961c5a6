// The programs a lab container can run: busybox applets, dispatched on argv[0]'s basename as busybox does;
// test/busybox-shell.test.ts compares them with Debian's busybox.
// Each writes what busybox writes (messages, exit codes); a program runs only if the image has a file for it
// on PATH (lookPath), as a real runtime needs the file.
import { gunzipSync } from 'node:zlib';
import { readLayer } from '../../registry/layer-reader.js';
import { absolute, checkKilled, envList, errnoCapitalized, Killed, type Io, type Proc } from './process.js';
import { FsError, type FileSystem } from './rootfs.js';
import { globRegExp, sh } from './shell.js';

/** Go's exec.LookPath inside the container (runc libcontainer), returning the resolved path or runc's error. */
export function lookPath(fs: FileSystem, file: string, env: readonly string[], cwd: string): { path: string } | { error: string } {
  const executable = (p: string): 'ok' | FsError | 'EACCES' => {
    try {
      const entry = fs.stat(p);
      if (entry.type === 'dir') return 'EACCES';
      return (entry.mode & 0o111) !== 0 ? 'ok' : 'EACCES';
    } catch (err) {
      if (err instanceof FsError) return err;
      throw err;
    }
  };
  if (file.includes('/')) {
    const p = file.startsWith('/') ? file : `${cwd.replace(/\/$/, '')}/${file}`;
    const r = executable(p);
    if (r === 'ok') return { path: p };
    if (r === 'EACCES') return { error: `exec: ${JSON.stringify(file)}: permission denied` };
    return { error: `exec: ${JSON.stringify(file)}: stat ${file}: ${r.text}` };
  }
  const pathVar = env.find((kv) => kv.startsWith('PATH='))?.slice(5) ?? '';
  for (const dir of pathVar.split(':')) {
    const p = `${dir === '' ? '.' : dir.replace(/\/$/, '')}/${file}`;
    if (executable(p.startsWith('/') ? p : `${cwd}/${p}`) === 'ok') return { path: p };
  }
  return { error: `exec: ${JSON.stringify(file)}: executable file not found in $PATH` };
}

/** The shell's PATH search for a command: the path, or undefined (`sh: x: not found`). */
export function lookPathIn(p: Proc, name: string): string | undefined {
  const found = lookPath(p.fs, name, envList(p), p.cwd);
  return 'path' in found ? found.path : undefined;
}

type Applet = (p: Proc, args: string[], io: Io) => number | Promise<number>;

const APPLETS: Record<string, Applet> = { cat, echo, find, grep, gunzip, head, ls, sh, sleep, tar, wc, zcat, true: () => 0, false: () => 1 };

/** Runs argv[0] as the applet named by its basename. */
export async function runProgram(p: Proc, argv: readonly string[], io: Io): Promise<number> {
  checkKilled(p);
  const name = (argv[0] ?? '').slice((argv[0] ?? '').lastIndexOf('/') + 1);
  const applet = Object.hasOwn(APPLETS, name) ? APPLETS[name] : undefined;
  if (!applet) {
    io.err(`${name}: applet not found\n`);
    return 127;
  }
  return applet(p, argv.slice(1), io);
}

function fsMessage(err: unknown): string {
  if (err instanceof FsError) return errnoCapitalized[err.code] ?? err.text;
  throw err;
}

/** Reads a file argument (or stdin for `-`); undefined after printing busybox's `can't open` message. */
function readInput(p: Proc, applet: string, file: string, io: Io, quiet = false): Uint8Array | undefined {
  if (file === '-') return io.stdin;
  try {
    const entry = p.fs.stat(absolute(p, file));
    if (entry.type === 'dir') {
      if (!quiet) io.err(`${applet}: read error: Is a directory\n`);
      return undefined;
    }
    return p.fs.readFile(absolute(p, file));
  } catch (err) {
    if (!quiet) io.err(`${applet}: can't open '${file}': ${fsMessage(err)}\n`);
    return undefined;
  }
}

function echo(_p: Proc, args: string[], io: Io): number {
  const noNewline = args[0] === '-n';
  io.out(`${(noNewline ? args.slice(1) : args).join(' ')}${noNewline ? '' : '\n'}`);
  return 0;
}

/** busybox cat: `cat: can't open 'X': No such file or directory`, exit 1, carrying on with the other files. */
function cat(p: Proc, args: string[], io: Io): number {
  let status = 0;
  for (const file of args.length === 0 ? ['-'] : args) {
    const data = readInput(p, 'cat', file, io);
    if (data === undefined) status = 1;
    else io.out(data);
  }
  return status;
}

const sleepUnits: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** busybox sleep: N[smhd] (fractions allowed), several summed; `infinity` never ends. */
async function sleep(p: Proc, args: string[], io: Io): Promise<number> {
  if (args.length === 0) {
    io.err('sleep: missing operand\n');
    return 1;
  }
  let seconds = 0;
  for (const a of args) {
    if (/^inf(inity)?$/i.test(a)) {
      seconds = Infinity;
      continue;
    }
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a);
    if (!m) {
      io.err(`sleep: invalid number '${a}'\n`);
      return 1;
    }
    seconds += Number(m[1]) * (sleepUnits[m[2] ?? ''] ?? 1);
  }
  try {
    await p.clock.sleep(seconds * 1000, p.signal);
  } catch (err) {
    if (p.signal.aborted) throw new Killed();
    throw err;
  }
  return 0;
}

/** Splits `-abc` style option bundles; `--` ends options. Returns the flags in order and the operands. */
function options(args: readonly string[], withValue: string): { flags: { f: string; v?: string }[]; operands: string[]; bad?: string } {
  const flags: { f: string; v?: string }[] = [];
  const operands: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (let k = 1; k < a.length; k++) {
      const f = a[k] as string;
      if (withValue.includes(f)) {
        const v = k + 1 < a.length ? a.slice(k + 1) : args[++i];
        if (v === undefined) return { flags, operands, bad: `option requires an argument -- '${f}'` };
        flags.push({ f, v });
        break;
      }
      flags.push({ f });
    }
  }
  operands.push(...args.slice(i));
  return { flags, operands };
}

/**
 * busybox grep: BRE by default (-E extended, -F fixed), -i -v -c -l -q -s -n -h -H -o -e; several files prefix
 * lines with `name:`. Exit 0 on a match, 1 on none, 2 on an error (unless -q found a match).
 */
function grep(p: Proc, args: string[], io: Io): number {
  const o = options(args, 'ef');
  if (o.bad) {
    io.err(`grep: ${o.bad}\n`);
    return 2;
  }
  const has = (f: string): boolean => o.flags.some((x) => x.f === f);
  for (const x of o.flags) {
    if (!'efivclqsnhHoEFaw'.includes(x.f)) {
      io.err(`grep: unrecognized option: ${x.f}\n`);
      return 2;
    }
  }
  const patterns = o.flags.filter((x) => x.f === 'e').map((x) => x.v as string);
  let files = o.operands;
  if (patterns.length === 0) {
    if (files.length === 0) {
      io.err('Usage: grep [-HhnlLoqvsrRiwFEz] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n');
      return 2;
    }
    patterns.push(files[0] as string);
    files = files.slice(1);
  }
  let re: RegExp;
  try {
    const sources = patterns.flatMap((pat) => pat.split('\n')).map((pat) => (has('F') ? escape(pat) : has('E') ? pat : breToJs(pat)));
    const body = sources.map((s) => (has('w') ? `(?<![A-Za-z0-9_])(?:${s})(?![A-Za-z0-9_])` : `(?:${s})`)).join('|');
    re = new RegExp(body, has('i') ? 'gi' : 'g');
  } catch {
    io.err(`grep: bad regex '${patterns[0] ?? ''}'\n`);
    return 2;
  }
  if (files.length === 0) files = ['-'];
  const prefixNames = has('H') || (files.length > 1 && !has('h'));
  let matchedAny = false;
  let error = false;
  for (const file of files) {
    const data = readInput(p, 'grep', file, io, has('s'));
    if (data === undefined) {
      error = true;
      continue;
    }
    const name = file === '-' ? '(standard input)' : file;
    const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let count = 0;
    for (const [n, line] of lines.entries()) {
      re.lastIndex = 0;
      const matches = re.test(line) !== has('v');
      if (!matches) continue;
      count++;
      matchedAny = true;
      if (has('q')) return 0;
      if (has('l') || has('c')) continue;
      const prefix = `${prefixNames ? `${name}:` : ''}${has('n') ? `${n + 1}:` : ''}`;
      if (has('o') && !has('v')) {
        re.lastIndex = 0;
        for (const m of line.matchAll(re)) if (m[0] !== '') io.out(Buffer.from(`${prefix}${m[0]}\n`, 'latin1'));
      } else io.out(Buffer.from(`${prefix}${line}\n`, 'latin1'));
    }
    if (has('l') && count > 0) io.out(`${name}\n`);
    if (has('c')) io.out(`${prefixNames ? `${name}:` : ''}${count}\n`);
  }
  if (error && !(has('q') && matchedAny)) return 2;
  return matchedAny ? 0 : 1;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A POSIX basic regular expression as a JavaScript one: \( \) \{ \} \| group and count; ( ) { } | + ? are literal. */
export function breToJs(bre: string): string {
  let out = '';
  for (let i = 0; i < bre.length; i++) {
    const c = bre[i] as string;
    if (c === '\\' && i + 1 < bre.length) {
      const n = bre[++i] as string;
      out += '(){}|+?'.includes(n) ? n : `\\${n}`;
    } else if (c === '[') {
      const close = bre.indexOf(']', i + (bre[i + 1] === ']' ? 2 : bre[i + 1] === '^' && bre[i + 2] === ']' ? 3 : 1));
      if (close === -1) throw new Error('unmatched [');
      out += bre.slice(i, close + 1).replace(/\\/g, '\\\\');
      i = close;
    } else if ('(){}|+?/'.includes(c)) out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** busybox ls, without -l: names one per line (stdout is not a terminal), directories listed with `dir:` headers. */
function ls(p: Proc, args: string[], io: Io): number {
  const o = options(args, '');
  const all = o.flags.some((x) => x.f === 'a');
  const almostAll = o.flags.some((x) => x.f === 'A');
  const paths = o.operands.length === 0 ? ['.'] : o.operands;
  let status = 0;
  const files: string[] = [];
  const dirs: string[] = [];
  for (const path of paths) {
    try {
      const e = p.fs.stat(absolute(p, path));
      (e.type === 'dir' ? dirs : files).push(path);
    } catch (err) {
      io.err(`ls: ${path}: ${fsMessage(err)}\n`);
      status = 1;
    }
  }
  for (const f of files.sort()) io.out(`${f}\n`);
  dirs.sort().forEach((d, k) => {
    if (paths.length > 1) io.out(`${files.length > 0 || k > 0 ? '\n' : ''}${d}:\n`);
    const names = p.fs.readdir(absolute(p, d)).filter((n) => all || almostAll || !n.startsWith('.'));
    if (all) names.unshift('.', '..');
    for (const n of names) io.out(`${n}\n`);
  });
  return status;
}

/**
 * busybox tar: -t lists, -x extracts (only to stdout, -O: the lab writes no files), -z gunzips, -f FILE (or
 * stdin), -v; names after the archive pick members (`tar: NAME: not found in archive` when one is missing).
 * The first argument may be a bundle without a dash (`tar xzOf FILE`), as tar's old syntax allows.
 */
async function tar(p: Proc, argsIn: string[], io: Io): Promise<number> {
  const args = argsIn[0] !== undefined && !argsIn[0].startsWith('-') ? [`-${argsIn[0]}`, ...argsIn.slice(1)] : argsIn;
  const o = options(args, 'fC');
  if (o.bad) {
    io.err(`tar: ${o.bad}\n`);
    return 1;
  }
  const has = (f: string): boolean => o.flags.some((x) => x.f === f);
  for (const x of o.flags) {
    if (!'txczOvfC'.includes(x.f)) {
      io.err(`tar: unrecognized option: ${x.f}\n`);
      return 1;
    }
  }
  const list = has('t');
  if (list === has('x') || has('c')) {
    io.err(has('c') ? 'tar: the lab runtime cannot create archives\n' : "tar: exactly one of 'c', 'x' or 't' must be specified\n");
    return 1;
  }
  if (!list && !has('O')) {
    io.err('tar: the lab runtime extracts only to stdout (-O): it writes no files\n');
    return 1;
  }
  const file = o.flags.filter((x) => x.f === 'f').pop()?.v ?? '-';
  let data = readInput(p, 'tar', file, io);
  if (data === undefined) return 1;
  if (has('z')) {
    if (data[0] !== 0x1f || data[1] !== 0x8b) {
      // the gunzip child fails, then tar reads a short archive and still checks the names it was given
      io.err('tar: invalid magic\ntar: short read\n');
      for (const w of o.operands.slice(0, 1)) io.err(`tar: ${w}: not found in archive\n`);
      return 1;
    }
    try {
      data = new Uint8Array(gunzipSync(data, { maxOutputLength: 256 * 1024 * 1024 }));
    } catch {
      io.err('tar: corrupted data\n');
      return 1;
    }
  } else if (data[0] === 0x1f && data[1] === 0x8b) {
    data = new Uint8Array(gunzipSync(data, { maxOutputLength: 256 * 1024 * 1024 })); // FEATURE_SEAMLESS_GZ
  }
  if (data.byteLength === 0) return 0; // an empty archive is not an error
  let entries: Awaited<ReturnType<typeof readLayer>>;
  try {
    entries = await readLayer(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch {
    io.err('tar: invalid tar magic\n');
    return 1;
  }
  checkKilled(p);
  const wanted = o.operands;
  const matchers = wanted.map((w) => globRegExp([...w.replace(/^\.\//, '').replace(/\/$/, '')].map((c) => ({ c, pattern: true }))));
  const found = new Set<number>();
  for (const e of entries) {
    const name = e.path;
    if (wanted.length > 0) {
      // a named directory selects what is under it too (FNM_LEADING_DIR)
      const k = matchers.findIndex((m) => m.test(name) || name.split('/').some((_, n, parts) => m.test(parts.slice(0, n + 1).join('/'))));
      if (k === -1) continue;
      found.add(k);
    }
    if (list)
      io.out(
        `${has('v') ? `${modeString(e.type, e.mode ?? 0)} root/root ${String(typeof e.content === 'string' ? Buffer.byteLength(e.content) : (e.content?.byteLength ?? 0)).padStart(9)} 1970-01-01 00:00:00 ` : ''}${name}${e.type === 'directory' ? '/' : ''}\n`,
      );
    else {
      if (has('v')) io.err(`${name}\n`);
      if (e.type === 'file' && e.content !== undefined) io.out(typeof e.content === 'string' ? e.content : new Uint8Array(e.content));
    }
  }
  for (const [k, w] of wanted.entries()) {
    if (!found.has(k)) {
      io.err(`tar: ${w}: not found in archive\n`);
      return 1;
    }
  }
  return 0;
}

function modeString(type: string, mode: number): string {
  const kind = type === 'directory' ? 'd' : type === 'symlink' ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  return kind + [...bits].map((c, i) => ((mode & (0o400 >> i)) !== 0 ? c : '-')).join('');
}

/** busybox zcat: each file (or stdin) gunzipped to stdout; `no gzip/bzip2/xz magic` for anything else. */
function zcat(p: Proc, args: string[], io: Io, applet = 'zcat'): number {
  let status = 0;
  for (const file of args.length === 0 ? ['-'] : args) {
    let data: Uint8Array;
    try {
      data = file === '-' ? io.stdin : p.fs.readFile(absolute(p, file));
    } catch (err) {
      io.err(`${applet}: ${file}: ${fsMessage(err)}\n`);
      status = 1;
      continue;
    }
    if (data[0] !== 0x1f || data[1] !== 0x8b) {
      // zcat tries every format it knows; gunzip only gzip
      io.err(applet === 'zcat' ? 'zcat: no gzip/bzip2/xz magic\n' : `${applet}: invalid magic\n`);
      status = 1;
      continue;
    }
    try {
      io.out(new Uint8Array(gunzipSync(data, { maxOutputLength: 256 * 1024 * 1024 })));
    } catch {
      io.err(`${applet}: corrupted data\n`);
      status = 1;
    }
  }
  return status;
}

/** busybox gunzip: only `-c` (to stdout) here, since the lab writes no files. */
function gunzip(p: Proc, args: string[], io: Io): number {
  const o = options(args, '');
  if (!o.flags.some((x) => x.f === 'c')) {
    io.err('gunzip: the lab runtime decompresses only to stdout (-c): it writes no files\n');
    return 1;
  }
  return zcat(p, o.operands, io, 'gunzip');
}

/** busybox head: the first N lines (-n N or -N, default 10); `==> name <==` headers for several files. */
function head(p: Proc, argsIn: string[], io: Io): number {
  const args = argsIn.map((a) => (/^-\d+$/.test(a) ? `-n${a.slice(1)}` : a));
  const o = options(args, 'n');
  const n = Number(o.flags.filter((x) => x.f === 'n').pop()?.v ?? 10);
  if (!Number.isInteger(n) || n < 0) {
    io.err(`head: invalid number '${o.flags.filter((x) => x.f === 'n').pop()?.v ?? ''}'\n`);
    return 1;
  }
  const files = o.operands.length === 0 ? ['-'] : o.operands;
  let status = 0;
  files.forEach((file, k) => {
    const data = readInput(p, 'head', file, io);
    if (data === undefined) {
      status = 1;
      return;
    }
    if (files.length > 1) io.out(`${k > 0 ? '\n' : ''}==> ${file === '-' ? 'standard input' : file} <==\n`);
    let end = 0;
    for (let lines = 0; lines < n && end < data.byteLength; lines++) {
      const nl = data.indexOf(0x0a, end);
      end = nl === -1 ? data.byteLength : nl + 1;
    }
    io.out(data.subarray(0, end));
  });
  return status;
}

/** busybox wc: lines, words, bytes (-l -w -c pick); one column unpadded, several in width 9; a name after files. */
function wc(p: Proc, args: string[], io: Io): number {
  const o = options(args, '');
  const picked = ['l', 'w', 'c'].filter((f) => o.flags.some((x) => x.f === f));
  const columns = picked.length === 0 ? ['l', 'w', 'c'] : picked;
  const files = o.operands.length === 0 ? ['-'] : o.operands;
  const totals = { l: 0, w: 0, c: 0 };
  let status = 0;
  const line = (counts: Record<string, number>, name: string): string => {
    const cells = columns.map((c) => String(counts[c] ?? 0));
    const text = columns.length === 1 ? (cells[0] ?? '') : cells.map((x) => x.padStart(9)).join('');
    return `${text}${name === '-' ? '' : ` ${name}`}\n`;
  };
  for (const file of files) {
    const data = readInput(p, 'wc', file, io);
    if (data === undefined) {
      status = 1;
      continue;
    }
    const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
    const counts = { l: (text.match(/\n/g) ?? []).length, w: text.split(/\s+/).filter((x) => x !== '').length, c: data.byteLength };
    totals.l += counts.l;
    totals.w += counts.w;
    totals.c += counts.c;
    io.out(line(counts, file));
  }
  if (files.length > 1) io.out(line(totals, 'total'));
  return status;
}

/** busybox find: paths (default .), then -name PATTERN, -type f|d|l, -maxdepth N; prints every match, depth first. */
function find(p: Proc, args: string[], io: Io): number {
  const firstTest = args.findIndex((a) => a.startsWith('-'));
  const paths = firstTest === -1 ? args : args.slice(0, firstTest);
  const tests = firstTest === -1 ? [] : args.slice(firstTest);
  let name: RegExp | undefined;
  let type: string | undefined;
  let maxDepth = Infinity;
  for (let i = 0; i < tests.length; i += 2) {
    const [t, v] = [tests[i] as string, tests[i + 1]];
    if (v === undefined) {
      io.err(`find: missing argument to '${t}'\n`);
      return 1;
    }
    if (t === '-name') name = globRegExp([...v].map((c) => ({ c, pattern: true })));
    else if (t === '-type') type = v;
    else if (t === '-maxdepth') maxDepth = Number(v);
    else {
      io.err(`find: unrecognized: ${t}\n`);
      return 1;
    }
  }
  let status = 0;
  const walk = (path: string, depth: number): void => {
    checkKilled(p);
    let entry;
    try {
      entry = p.fs.lstat(absolute(p, path));
    } catch (err) {
      io.err(`find: ${path}: ${fsMessage(err)}\n`);
      status = 1;
      return;
    }
    const base = path.slice(path.replace(/\/+$/, '').lastIndexOf('/') + 1) || path;
    const kind = entry.type === 'dir' ? 'd' : entry.type === 'symlink' ? 'l' : 'f';
    if ((!name || name.test(base)) && (!type || type === kind)) io.out(`${path}\n`);
    if (entry.type !== 'dir' || depth >= maxDepth) return;
    for (const child of p.fs.readdir(absolute(p, path))) walk(`${path.replace(/\/+$/, '')}/${child}`, depth + 1);
  };
  for (const path of paths.length === 0 ? ['.'] : paths) walk(path, 0);
  return status;
}
