// busybox ash, the part a lab container needs: `sh -c 'script'` with ; && || and pipelines, `for … in …; do …
// done`, `if … then … fi`, `while`/`until`, { } groups, variables and assignments, quoting, field splitting,
// pathname expansion (globs), and redirections ([n]> [n]>> < [n]>&m) — as POSIX (XCU 2) and ash define them.
// Pipelines run their commands one after the other with the output buffered (the lab has no processes), so
// `sleep infinity | x` waits forever, as on a node; command substitution is not supported and says so.
import { runProgram, lookPathIn } from './applets.js';
import { normalizePath } from './mounts.js';
import { absolute, checkKilled, errnoCapitalized, toText, type Io, type Proc, type Write } from './process.js';
import { FsError } from './rootfs.js';

/** A shell syntax problem, reported the way busybox ash does (`sh: syntax error: …`, exit 2). */
export class ShSyntaxError extends Error {}

// --- tokens ---------------------------------------------------------------------------------------------

type Part = { k: 'lit'; s: string; q: boolean } | { k: 'var'; name: string; q: boolean };
type Word = Part[];
type Op = ';' | '&' | '&&' | '||' | '|' | '(' | ')' | '\n';
type Tok = { t: 'word'; w: Word } | { t: 'op'; v: Op } | { t: 'redir'; fd: number | undefined; op: '>' | '>>' | '<' | '>&' | '<&' };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let word: Word = [];
  let inWord = false;
  const lit = (s: string, q: boolean): void => {
    const last = word[word.length - 1];
    if (last && last.k === 'lit' && last.q === q) last.s += s;
    else word.push({ k: 'lit', s, q });
    inWord = true;
  };
  const endWord = (): void => {
    if (inWord) toks.push({ t: 'word', w: word });
    word = [];
    inWord = false;
  };
  // i points at '$'; returns the index after the expansion.
  const dollar = (i: number, q: boolean): number => {
    const next = src[i + 1] ?? '';
    if (next === '(' || next === '`') throw new ShSyntaxError('the lab shell does not support command substitution');
    if (next === '{') {
      const close = src.indexOf('}', i);
      if (close === -1) throw new ShSyntaxError('missing }');
      const name = src.slice(i + 2, close);
      if (!/^([A-Za-z_][A-Za-z0-9_]*|[0-9?#$!@*-])$/.test(name)) throw new ShSyntaxError('bad substitution');
      word.push({ k: 'var', name, q });
      inWord = true;
      return close + 1;
    }
    if ('?#$!@*-0123456789'.includes(next) && next !== '') {
      word.push({ k: 'var', name: next, q });
      inWord = true;
      return i + 2;
    }
    const m = NAME.exec(src.slice(i + 1));
    if (!m) {
      lit('$', q);
      return i + 1;
    }
    word.push({ k: 'var', name: m[0], q });
    inWord = true;
    return i + 1 + m[0].length;
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\\') {
      if (src[i + 1] === '\n') i += 2;
      else if (i + 1 < src.length) {
        lit(src[i + 1] as string, true);
        i += 2;
      } else {
        lit('\\', false);
        i++;
      }
    } else if (c === "'") {
      const close = src.indexOf("'", i + 1);
      if (close === -1) throw new ShSyntaxError('unterminated quoted string');
      lit(src.slice(i + 1, close), true);
      i = close + 1;
    } else if (c === '"') {
      inWord = true;
      if (word.length === 0) word.push({ k: 'lit', s: '', q: true });
      i++;
      for (;;) {
        if (i >= src.length) throw new ShSyntaxError('unterminated quoted string');
        const d = src[i] as string;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && '$`"\\\n'.includes(src[i + 1] ?? 'x')) {
          if (src[i + 1] !== '\n') lit(src[i + 1] as string, true);
          i += 2;
        } else if (d === '$') i = dollar(i, true);
        else if (d === '`') throw new ShSyntaxError('the lab shell does not support command substitution');
        else {
          lit(d, true);
          i++;
        }
      }
    } else if (c === '$') i = dollar(i, false);
    else if (c === '`') throw new ShSyntaxError('the lab shell does not support command substitution');
    else if (c === '#' && !inWord) {
      const nl = src.indexOf('\n', i);
      i = nl === -1 ? src.length : nl;
    } else if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '>' || c === '<') {
      // an IO number: the word so far is all digits, unquoted
      let fd: number | undefined;
      if (inWord && word.length === 1 && word[0]?.k === 'lit' && !word[0].q && /^\d$/.test(word[0].s)) {
        fd = Number(word[0].s);
        word = [];
        inWord = false;
      } else endWord();
      let op: '>' | '>>' | '<' | '>&' | '<&' = c;
      if (c === '>' && src[i + 1] === '>') op = '>>';
      else if (src[i + 1] === '&') op = c === '>' ? '>&' : '<&';
      else if (c === '>' && src[i + 1] === '|') i++; // >| is > without noclobber
      i += op.length;
      toks.push({ t: 'redir', fd, op });
    } else if (c === '&' || c === '|' || c === ';' || c === '(' || c === ')' || c === '\n') {
      endWord();
      const two = src.slice(i, i + 2);
      if (two === '&&' || two === '||') {
        toks.push({ t: 'op', v: two });
        i += 2;
      } else if (two === ';;') throw new ShSyntaxError('unexpected ";;"');
      else {
        toks.push({ t: 'op', v: c as Op });
        i++;
      }
    } else {
      lit(c, false);
      i++;
    }
  }
  endWord();
  return toks;
}

// --- syntax tree ----------------------------------------------------------------------------------------

interface Redir {
  fd: number;
  op: '>' | '>>' | '<' | '>&' | '<&';
  target: Word;
}
type Command =
  | { type: 'simple'; assigns: { name: string; value: Word }[]; words: Word[]; redirs: Redir[] }
  | { type: 'for'; name: string; items: Word[] | undefined; body: List; redirs: Redir[] }
  | { type: 'if'; clauses: { cond: List; body: List }[]; otherwise: List | undefined; redirs: Redir[] }
  | { type: 'loop'; until: boolean; cond: List; body: List; redirs: Redir[] }
  | { type: 'group'; body: List; redirs: Redir[] };
interface Pipeline {
  bang: boolean;
  commands: Command[];
}
interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
}
type List = AndOr[];

const plainWord = (w: Word): string | undefined => (w.length === 1 && w[0]?.k === 'lit' && !w[0].q ? w[0].s : undefined);
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'for', 'in', 'do', 'done', 'while', 'until', '{', '}', '!', 'case', 'esac']);

class Parser {
  #i = 0;
  constructor(private readonly toks: Tok[]) {}

  parseProgram(): List {
    const list = this.list(new Set());
    const t = this.toks[this.#i];
    if (t) throw new ShSyntaxError(`unexpected ${describe(t)}`);
    return list;
  }

  #peek(): Tok | undefined {
    return this.toks[this.#i];
  }
  #keyword(): string | undefined {
    const t = this.#peek();
    return t?.t === 'word' ? plainWord(t.w) : undefined;
  }
  #isOp(v: Op): boolean {
    const t = this.#peek();
    return t?.t === 'op' && t.v === v;
  }
  #skipNewlines(): void {
    while (this.#isOp('\n')) this.#i++;
  }
  #expectKeyword(k: string): void {
    this.#skipNewlines();
    if (this.#keyword() !== k) {
      const t = this.#peek();
      throw new ShSyntaxError(t ? `unexpected ${describe(t)} (expecting "${k}")` : `unexpected end of file (expecting "${k}")`);
    }
    this.#i++;
  }

  /** A compound list up to one of `stop` (a reserved word) or `)` or the end. */
  list(stop: ReadonlySet<string>): List {
    const list: List = [];
    for (;;) {
      while (this.#isOp('\n') || this.#isOp(';')) this.#i++;
      const t = this.#peek();
      if (!t || (t.t === 'op' && t.v === ')')) break;
      const k = this.#keyword();
      if (k !== undefined && stop.has(k)) break;
      list.push(this.andOr());
      if (this.#isOp('&')) throw new ShSyntaxError('the lab shell does not support background jobs (&)');
      const after = this.#peek();
      if (after && !(after.t === 'op' && (after.v === ';' || after.v === '\n' || after.v === ')'))) {
        const k2 = this.#keyword();
        if (k2 === undefined || !stop.has(k2)) throw new ShSyntaxError(`unexpected ${describe(after)}`);
      }
    }
    return list;
  }

  andOr(): AndOr {
    const first = this.pipeline();
    const rest: AndOr['rest'] = [];
    while (this.#isOp('&&') || this.#isOp('||')) {
      const op = (this.#peek() as { v: '&&' | '||' }).v;
      this.#i++;
      this.#skipNewlines();
      rest.push({ op, pipeline: this.pipeline() });
    }
    return { first, rest };
  }

  pipeline(): Pipeline {
    let bang = false;
    if (this.#keyword() === '!') {
      bang = true;
      this.#i++;
    }
    const commands = [this.command()];
    while (this.#isOp('|')) {
      this.#i++;
      this.#skipNewlines();
      commands.push(this.command());
    }
    return { bang, commands };
  }

  command(): Command {
    const t = this.#peek();
    if (!t) throw new ShSyntaxError('unexpected end of file');
    if (t.t === 'op') {
      if (t.v === '(') throw new ShSyntaxError('the lab shell does not support subshells ( )');
      throw new ShSyntaxError(`unexpected ${describe(t)}`);
    }
    const k = this.#keyword();
    if (k === 'for') return this.#withRedirs(this.forClause());
    if (k === 'if') return this.#withRedirs(this.ifClause());
    if (k === 'while' || k === 'until') return this.#withRedirs(this.loop(k === 'until'));
    if (k === '{') {
      this.#i++;
      const body = this.list(new Set(['}']));
      this.#expectKeyword('}');
      return this.#withRedirs({ type: 'group', body, redirs: [] });
    }
    if (k !== undefined && RESERVED.has(k)) throw new ShSyntaxError(`unexpected "${k}"`);
    return this.simple();
  }

  #withRedirs<C extends Command>(c: C): C {
    while (this.#peek()?.t === 'redir') c.redirs.push(this.#redir());
    return c;
  }

  #redir(): Redir {
    const r = this.#peek() as Tok & { t: 'redir' };
    this.#i++;
    const target = this.#peek();
    if (target?.t !== 'word') throw new ShSyntaxError(target ? `unexpected ${describe(target)}` : 'unexpected end of file');
    this.#i++;
    return { fd: r.fd ?? (r.op === '<' || r.op === '<&' ? 0 : 1), op: r.op, target: target.w };
  }

  simple(): Command {
    const c: Command & { type: 'simple' } = { type: 'simple', assigns: [], words: [], redirs: [] };
    for (;;) {
      const t = this.#peek();
      if (!t || t.t === 'op') break;
      if (t.t === 'redir') {
        c.redirs.push(this.#redir());
        continue;
      }
      const first = t.w[0];
      const m = c.words.length === 0 && first?.k === 'lit' && !first.q ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.s) : null;
      if (m && first?.k === 'lit') {
        const value: Word = [{ k: 'lit', s: first.s.slice(m[0].length), q: false }, ...t.w.slice(1)];
        c.assigns.push({ name: m[1] as string, value });
      } else c.words.push(t.w);
      this.#i++;
    }
    if (c.words.length === 0 && c.assigns.length === 0 && c.redirs.length === 0) {
      const t = this.#peek();
      throw new ShSyntaxError(t ? `unexpected ${describe(t)}` : 'unexpected end of file');
    }
    return c;
  }

  forClause(): Command {
    this.#i++; // for
    const nameTok = this.#peek();
    const name = nameTok?.t === 'word' ? plainWord(nameTok.w) : undefined;
    if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ShSyntaxError(`bad for loop variable`);
    this.#i++;
    this.#skipNewlines();
    let items: Word[] | undefined;
    if (this.#keyword() === 'in') {
      this.#i++;
      items = [];
      for (let t = this.#peek(); t?.t === 'word'; t = this.#peek()) {
        items.push(t.w);
        this.#i++;
      }
      if (!this.#isOp(';') && !this.#isOp('\n')) {
        const t = this.#peek();
        throw new ShSyntaxError(t ? `unexpected ${describe(t)}` : 'unexpected end of file (expecting "do")');
      }
      this.#i++;
    } else if (this.#isOp(';')) this.#i++;
    this.#expectKeyword('do');
    const body = this.list(new Set(['done']));
    this.#expectKeyword('done');
    return { type: 'for', name, items, body, redirs: [] };
  }

  ifClause(): Command {
    this.#i++; // if
    const clauses: { cond: List; body: List }[] = [];
    let otherwise: List | undefined;
    for (;;) {
      const cond = this.list(new Set(['then']));
      this.#expectKeyword('then');
      const body = this.list(new Set(['elif', 'else', 'fi']));
      clauses.push({ cond, body });
      const k = this.#keyword();
      this.#i++;
      if (k === 'elif') continue;
      if (k === 'else') {
        otherwise = this.list(new Set(['fi']));
        this.#expectKeyword('fi');
      } else if (k !== 'fi') throw new ShSyntaxError('unexpected end of file (expecting "fi")');
      break;
    }
    return { type: 'if', clauses, otherwise, redirs: [] };
  }

  loop(until: boolean): Command {
    this.#i++;
    const cond = this.list(new Set(['do']));
    this.#expectKeyword('do');
    const body = this.list(new Set(['done']));
    this.#expectKeyword('done');
    return { type: 'loop', until, cond, body, redirs: [] };
  }
}

function describe(t: Tok): string {
  if (t.t === 'op') return t.v === '\n' ? 'newline' : `"${t.v}"`;
  if (t.t === 'redir') return `"${t.op}"`;
  return `"${t.w.map((p) => (p.k === 'lit' ? p.s : `$${p.name}`)).join('')}"`;
}

/** Parses a script; throws ShSyntaxError for what ash would reject (or the lab does not support). */
export function parseScript(script: string): List {
  return new Parser(tokenize(script)).parseProgram();
}

// --- expansion ------------------------------------------------------------------------------------------

/** One field being built: its pieces, each marked quoted (literal for globbing) or not. */
type Field = { s: string; q: boolean }[];

class Shell {
  status = 0;
  exitCode: number | undefined;
  breakLevels = 0;
  continueLevels = 0;
  #iterations = 0;

  constructor(
    readonly p: Proc,
    readonly argv0: string,
  ) {}

  varValue(name: string): string {
    if (name === '?') return String(this.status);
    if (name === '0') return this.argv0;
    if (name === '#') return '0';
    if (name === '$') return '1';
    if (/^[1-9@*!-]$/.test(name)) return '';
    return this.p.vars.get(name) ?? '';
  }

  /** Parameter expansion, field splitting of unquoted results, pathname expansion, quote removal. */
  expandWords(words: readonly Word[]): string[] {
    return words.flatMap((w) => this.#glob(this.#fields(w)));
  }

  /** A word expanded to one string, without splitting or globbing (assignments, redirection targets). */
  expandOne(w: Word): string {
    return w.map((p) => (p.k === 'lit' ? p.s : this.varValue(p.name))).join('');
  }

  #fields(w: Word): Field[] {
    const fields: Field[] = [];
    let cur: Field = [];
    let has = false;
    for (const part of w) {
      if (part.k === 'lit') {
        cur.push({ s: part.s, q: part.q });
        has = true;
        continue;
      }
      const value = this.varValue(part.name);
      if (part.q) {
        cur.push({ s: value, q: true });
        has = true;
        continue;
      }
      // unquoted: split on IFS whitespace (space, tab, newline)
      const pieces = value.split(/[ \t\n]+/);
      pieces.forEach((piece, k) => {
        if (k > 0 && has) {
          fields.push(cur);
          cur = [];
          has = false;
        }
        if (piece !== '') {
          cur.push({ s: piece, q: false });
          has = true;
        }
      });
    }
    if (has) fields.push(cur);
    return fields;
  }

  /** Pathname expansion (XCU 2.13): unquoted * ? [ ] match names; no match leaves the word as it is. */
  #glob(fields: Field[]): string[] {
    return fields.flatMap((f) => {
      const text = f.map((x) => x.s).join('');
      if (!f.some((x) => !x.q && /[*?[]/.test(x.s))) return [text];
      // per character: is it a pattern character (unquoted)?
      const chars: { c: string; pattern: boolean }[] = f.flatMap((x) => [...x.s].map((c) => ({ c, pattern: !x.q })));
      const components: (typeof chars)[] = [[]];
      for (const ch of chars) {
        if (ch.c === '/') components.push([]);
        else components[components.length - 1]?.push(ch);
      }
      const absoluteRoot = chars[0]?.c === '/';
      let paths = [absoluteRoot ? '/' : ''];
      components.forEach((comp, idx) => {
        if (idx === 0 && absoluteRoot) return; // the empty component before the leading '/'
        const isLast = idx === components.length - 1;
        const source = comp.map((x) => x.c).join('');
        const magic = comp.some((x) => x.pattern && /[*?[]/.test(x.c));
        const next: string[] = [];
        for (const base of paths) {
          const join = (name: string): string => (base === '' ? name : base.endsWith('/') ? `${base}${name}` : `${base}/${name}`);
          if (!magic) {
            if (comp.length === 0 && isLast) next.push(base.endsWith('/') ? base : `${base}/`);
            else next.push(join(source));
            continue;
          }
          const re = globRegExp(comp);
          let names: string[];
          try {
            names = this.p.fs.readdir(absolute(this.p, base === '' ? '.' : base));
          } catch (err) {
            if (err instanceof FsError) continue;
            throw err;
          }
          for (const name of names) {
            if (name.startsWith('.') && comp[0]?.c !== '.') continue;
            if (re.test(name)) next.push(join(name));
          }
        }
        paths = next;
      });
      const found = paths.filter((path) => {
        try {
          this.p.fs.lstat(absolute(this.p, path));
          return true;
        } catch {
          return false;
        }
      });
      return found.length > 0 ? found.sort() : [text];
    });
  }

  // --- execution ----------------------------------------------------------------------------------------

  async list(list: List, io: Io): Promise<number> {
    for (const item of list) {
      if (this.exitCode !== undefined || this.breakLevels > 0 || this.continueLevels > 0) break;
      await this.andOr(item, io);
    }
    return this.status;
  }

  async andOr(a: AndOr, io: Io): Promise<number> {
    await this.pipeline(a.first, io);
    for (const { op, pipeline } of a.rest) {
      if (this.exitCode !== undefined || this.breakLevels > 0 || this.continueLevels > 0) break;
      // a command after && runs only on success, after || only on failure; a skipped one keeps $? (XCU 2.9.3)
      if ((op === '&&') === (this.status === 0)) await this.pipeline(pipeline, io);
    }
    return this.status;
  }

  async pipeline(pl: Pipeline, io: Io): Promise<number> {
    checkKilled(this.p);
    let stdin = io.stdin;
    let status = 0;
    for (const [k, c] of pl.commands.entries()) {
      const last = k === pl.commands.length - 1;
      if (last) status = await this.command(c, { ...io, stdin });
      else {
        const pipe = new PipeBuffer();
        status = await this.command(c, { stdin, out: pipe.write, err: io.err });
        stdin = pipe.bytes();
      }
      if (this.exitCode !== undefined && !last) this.exitCode = undefined; // `exit` in a pipeline ends only that part
    }
    this.status = pl.bang ? (status === 0 ? 1 : 0) : status;
    return this.status;
  }

  async command(c: Command, io: Io): Promise<number> {
    checkKilled(this.p);
    let redirected: Io;
    try {
      redirected = this.#redirect(c.redirs, io);
    } catch (err) {
      if (!(err instanceof RedirectError)) throw err;
      io.err(`sh: ${err.message}\n`);
      return (this.status = c.type === 'simple' ? 1 : 2);
    }
    switch (c.type) {
      case 'simple':
        return this.simple(c, redirected);
      case 'group':
        return this.list(c.body, redirected);
      case 'if': {
        for (const clause of c.clauses) {
          await this.list(clause.cond, redirected);
          if (this.exitCode !== undefined) return this.status;
          if (this.status === 0) return this.list(clause.body, redirected);
        }
        if (c.otherwise) return this.list(c.otherwise, redirected);
        return (this.status = 0);
      }
      case 'for': {
        const items = c.items ? this.expandWords(c.items) : [];
        this.status = 0;
        for (const item of items) {
          await this.#yieldSometimes();
          this.p.vars.set(c.name, item);
          await this.list(c.body, redirected);
          if (this.#loopControl()) break;
        }
        return this.status;
      }
      case 'loop': {
        let bodyStatus = 0;
        for (;;) {
          await this.#yieldSometimes();
          await this.list(c.cond, redirected);
          if (this.exitCode !== undefined || (this.status === 0) === c.until) break;
          await this.list(c.body, redirected);
          bodyStatus = this.status;
          if (this.#loopControl()) break;
        }
        return (this.status = bodyStatus);
      }
    }
  }

  /** After a loop body: true when the loop must stop (exit, or break reaching this loop). */
  #loopControl(): boolean {
    if (this.exitCode !== undefined) return true;
    if (this.breakLevels > 0) {
      this.breakLevels--;
      return true;
    }
    if (this.continueLevels > 0) {
      this.continueLevels--;
      return this.continueLevels > 0;
    }
    return false;
  }

  /** A long loop gives the rest of the lab a turn now and then, so one container cannot stall the others. */
  async #yieldSometimes(): Promise<void> {
    checkKilled(this.p);
    if (++this.#iterations % 256 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  #redirect(redirs: readonly Redir[], io: Io): Io {
    const fds: Record<number, Write | undefined> = { 1: io.out, 2: io.err };
    let stdin = io.stdin;
    for (const r of redirs) {
      const target = this.expandOne(r.target);
      if (r.op === '>&' || r.op === '<&') {
        if (target === '-') {
          fds[r.fd] = () => undefined;
          continue;
        }
        if (!/^\d$/.test(target)) throw new RedirectError(`${target}: bad file descriptor`);
        const from = Number(target);
        if (r.op === '<&' && from === 0 && r.fd === 0) continue;
        const w = fds[from];
        if (!w) throw new RedirectError(`${target}: bad file descriptor`);
        fds[r.fd] = w;
        continue;
      }
      if (r.op === '<') {
        if (target === '/dev/null') stdin = new Uint8Array();
        else {
          try {
            stdin = this.p.fs.readFile(absolute(this.p, target));
          } catch (err) {
            if (err instanceof FsError) throw new RedirectError(`can't open '${target}': ${capitalized(err)}`);
            throw err;
          }
        }
        continue;
      }
      if (target === '/dev/null') {
        fds[r.fd] = () => undefined;
        continue;
      }
      if (this.p.fs.readOnly?.(absolute(this.p, target))) throw new RedirectError(`can't create ${target}: Read-only file system`);
      throw new RedirectError(`can't create ${target}: the lab shell writes no files (only /dev/null)`);
    }
    return { stdin, out: fds[1] ?? (() => undefined), err: fds[2] ?? (() => undefined) };
  }

  async simple(c: Command & { type: 'simple' }, io: Io): Promise<number> {
    const argv = this.expandWords(c.words);
    const assigned = c.assigns.map((a) => [a.name, this.expandOne(a.value)] as const);
    if (argv.length === 0) {
      for (const [k, v] of assigned) this.p.vars.set(k, v);
      return (this.status = 0);
    }
    const [name, ...args] = argv as [string, ...string[]];
    const builtin = await this.#builtin(name, args, io);
    if (builtin !== undefined) return (this.status = builtin);
    // assignments before a command are its environment only
    const saved = assigned.map(([k]) => [k, this.p.vars.get(k)] as const);
    for (const [k, v] of assigned) this.p.vars.set(k, v);
    try {
      const found = lookPathIn(this.p, name);
      if (!found) {
        io.err(`sh: ${name}: not found\n`);
        return (this.status = 127);
      }
      return (this.status = await runProgram(this.p, argv, io));
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) this.p.vars.delete(k);
        else this.p.vars.set(k, v);
      }
    }
  }

  /** ash builtins the lab needs; undefined when `name` is not one. */
  async #builtin(name: string, args: string[], io: Io): Promise<number | undefined> {
    switch (name) {
      case 'echo':
        return runProgram(this.p, [name, ...args], io);
      case 'true':
      case ':':
        return 0;
      case 'false':
        return 1;
      case 'exit': {
        const code = args[0] === undefined ? this.status : Number.parseInt(args[0], 10);
        this.exitCode = Number.isNaN(code) ? 2 : code & 0xff;
        return this.exitCode;
      }
      case 'break':
      case 'continue': {
        const n = args[0] === undefined ? 1 : Number.parseInt(args[0], 10);
        if (!Number.isInteger(n) || n < 1) {
          io.err(`sh: ${name}: Illegal number: ${args[0] ?? ''}\n`);
          return 2;
        }
        if (name === 'break') this.breakLevels = n;
        else this.continueLevels = n;
        return 0;
      }
      case 'cd': {
        const dir = args[0] ?? this.p.vars.get('HOME') ?? '/';
        const target = normalizePath(absolute(this.p, dir));
        try {
          if (this.p.fs.stat(target).type !== 'dir') throw new FsError('ENOTDIR', target);
        } catch (err) {
          if (err instanceof FsError) {
            io.err(`sh: cd: can't cd to ${dir}: ${capitalized(err)}\n`);
            return 2;
          }
          throw err;
        }
        this.p.cwd = target;
        return 0;
      }
      case 'test':
      case '[':
        return test(this.p, name, args, io);
    }
    return undefined;
  }
}

class RedirectError extends Error {}

/** A pipe's bytes, kept in memory up to a bound (a writer that outruns it loses the rest, as after SIGPIPE). */
class PipeBuffer {
  static readonly MAX = 16 * 1024 * 1024;
  readonly #chunks: Buffer[] = [];
  #size = 0;
  readonly write: Write = (d) => {
    if (this.#size >= PipeBuffer.MAX) return;
    const b = typeof d === 'string' ? Buffer.from(d) : Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    this.#chunks.push(b);
    this.#size += b.byteLength;
  };
  bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.#chunks));
  }
}

const capitalized = (err: FsError): string => errnoCapitalized[err.code] ?? err.text;

/** A glob component (fnmatch without FNM_PATHNAME subtleties) as a RegExp; quoted characters are literal. */
export function globRegExp(chars: readonly { c: string; pattern: boolean }[]): RegExp {
  let re = '';
  for (let i = 0; i < chars.length; i++) {
    const { c, pattern } = chars[i] as { c: string; pattern: boolean };
    if (!pattern) re += escapeRe(c);
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = chars.findIndex((x, k) => k > i + 1 && x.c === ']' && x.pattern);
      if (close === -1) {
        re += '\\[';
        continue;
      }
      let body = chars
        .slice(i + 1, close)
        .map((x) => x.c)
        .join('');
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 's');
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** busybox test / [: files, strings and integers — the common part. */
function test(p: Proc, name: string, argsIn: string[], io: Io): number {
  let args = argsIn;
  if (name === '[') {
    if (args[args.length - 1] !== ']') {
      io.err('sh: [: missing ]\n');
      return 2;
    }
    args = args.slice(0, -1);
  }
  const fileTest = (op: string, file: string): boolean => {
    try {
      const e = op === '-h' || op === '-L' ? p.fs.lstat(absolute(p, file)) : p.fs.stat(absolute(p, file));
      if (op === '-f') return e.type === 'file';
      if (op === '-d') return e.type === 'dir';
      if (op === '-h' || op === '-L') return e.type === 'symlink';
      if (op === '-s') return e.type === 'file' && e.content.byteLength > 0;
      if (op === '-x') return (e.mode & 0o111) !== 0;
      return true; // -e -r
    } catch {
      return false;
    }
  };
  const evaluate = (a: string[]): boolean => {
    if (a[0] === '!') return !evaluate(a.slice(1));
    if (a.length === 0) return false;
    if (a.length === 1) return (a[0] ?? '') !== '';
    if (a.length === 2) {
      const [op, v] = a as [string, string];
      if (op === '-n') return v !== '';
      if (op === '-z') return v === '';
      if (['-e', '-f', '-d', '-h', '-L', '-s', '-r', '-x'].includes(op)) return fileTest(op, v);
      throw new Error(`${op}: unknown operand`);
    }
    const [l, op, r] = a as [string, string, string];
    switch (op) {
      case '=':
      case '==':
        return l === r;
      case '!=':
        return l !== r;
      case '-eq':
      case '-ne':
      case '-lt':
      case '-le':
      case '-gt':
      case '-ge': {
        const x = Number(l);
        const y = Number(r);
        if (!/^-?\d+$/.test(l) || !/^-?\d+$/.test(r)) throw new Error(`invalid number '${/^-?\d+$/.test(l) ? r : l}'`);
        return { '-eq': x === y, '-ne': x !== y, '-lt': x < y, '-le': x <= y, '-gt': x > y, '-ge': x >= y }[op];
      }
    }
    throw new Error('syntax error');
  };
  try {
    return evaluate(args) ? 0 : 1;
  } catch (err) {
    io.err(`sh: ${name}: ${(err as Error).message}\n`);
    return 2;
  }
}

/** `sh [-c script [name]]`: without -c, sh reads stdin (a script given on it runs too). */
export async function sh(p: Proc, args: string[], io: Io): Promise<number> {
  let script: string;
  let argv0 = 'sh';
  if (args[0] === '-c') {
    if (args[1] === undefined) {
      io.err('sh: -c requires an argument\n');
      return 2;
    }
    script = args[1];
    if (args[2] !== undefined) argv0 = args[2];
  } else if (args.length > 0) {
    try {
      script = toText(p.fs.readFile(absolute(p, args[0] as string)));
    } catch (err) {
      if (err instanceof FsError) {
        io.err(`sh: can't open '${args[0] ?? ''}': ${capitalized(err)}\n`);
        return 2;
      }
      throw err;
    }
  } else script = toText(io.stdin);
  let program: List;
  try {
    program = parseScript(script);
  } catch (err) {
    if (!(err instanceof ShSyntaxError)) throw err;
    io.err(`sh: syntax error: ${err.message}\n`);
    return 2;
  }
  // a child shell: its own variables and directory
  const child: Proc = { ...p, vars: new Map(p.vars) };
  const shell = new Shell(child, argv0);
  await shell.list(program, io);
  return shell.exitCode ?? shell.status;
}
