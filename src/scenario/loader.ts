// Reads scenario files: YAML with positions, validated by the zod schema, every error pointing at
// file:line:column and the field, with what was expected.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, isMap, isNode, isPair, isScalar, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../errors.js';
import { findPlaceholders, isKnownPlaceholder } from './placeholders.js';
import { ACTION_NAMES, Scenario } from './schema.js';

type Path = (string | number)[];

export class ScenarioError extends UserError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}:${line}:${column}: ${field ? `${field}: ` : ''}${problem}`, 'see docs/scenario-format.md');
    this.name = 'ScenarioError';
  }
}

/** Parses and validates one scenario; `file` is only used in error messages. */
export function parseScenario(text: string, file: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);

  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = at(syntax.pos[0]);
    throw new ScenarioError(file, line, col, '', `invalid YAML: ${firstLine(syntax.message)}`);
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError(file, 1, 1, '', 'expected a mapping with apiVersion, kind, metadata, actors, steps and verdict');
  }

  const result = Scenario.safeParse(data);
  if (!result.success) {
    // A misspelt key explains the "required" issue that comes with it, so it goes first.
    const issues = [...result.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
    const issue = explain(issues[0]!, data);
    const position = positionOf(doc, lineCounter, issue.path, issue.key);
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
    throw new ScenarioError(file, position.line, position.col, fieldName(issue.path), issue.message + more);
  }

  for (const use of findPlaceholders(result.data.steps, ['steps'])) {
    if (!isKnownPlaceholder(use.name)) {
      const position = positionOf(doc, lineCounter, use.path);
      throw new ScenarioError(file, position.line, position.col, fieldName(use.path), `unknown placeholder {{ ${use.name} }}`);
    }
  }
  return result.data;
}

export async function loadScenarioFile(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read scenario ${file}: ${code === 'ENOENT' ? 'no such file' : String(error)}`, 'check the path');
  }
  return parseScenario(text, file);
}

/** The catalogue: every *.yaml in the folder, sorted by file name; names must be unique. */
export async function loadCatalogue(dir: string): Promise<Scenario[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const scenarios = await Promise.all(files.map((f) => loadScenarioFile(path.join(dir, f))));
  const byName = new Map<string, string>();
  scenarios.forEach((s, i) => {
    const other = byName.get(s.metadata.name);
    if (other) throw new UserError(`scenario name "${s.metadata.name}" is used by both ${other} and ${files[i]}`, 'rename one of them');
    byName.set(s.metadata.name, files[i]!);
  });
  return scenarios;
}

interface Explained {
  path: Path;
  message: string;
  /** For an unknown key: point at the key itself rather than its parent. */
  key?: string;
}

/** Turns a zod issue into the sentence a scenario author needs, descending into the union branch that was meant. */
function explain(issue: z.core.$ZodIssue, data: unknown): Explained {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (issue.code) {
    case 'invalid_union': {
      if (path.at(-1) === 'action') {
        const value = valueAt(data, path);
        const keys = value && typeof value === 'object' ? Object.keys(value) : [];
        const known = keys.filter((k) => (ACTION_NAMES as readonly string[]).includes(k));
        if (known.length !== 1 || keys.length !== 1) {
          return { path, message: `expected exactly one action, one of: ${ACTION_NAMES.join(', ')}${keys.length ? ` (got ${keys.join(', ')})` : ''}` };
        }
        const branch = issue.errors.find((errs) => errs.every((e) => e.path[0] === known[0]));
        if (branch?.[0]) return explain({ ...branch[0], path: [...path, ...branch[0].path] } as z.core.$ZodIssue, data);
      }
      // Prefer the branch that got the type right: its complaint is the specific one.
      const typed = issue.errors.find((errs) => errs[0] && !(errs[0].code === 'invalid_type' && errs[0].path.length === 0));
      if (typed?.[0]) return explain({ ...typed[0], path: [...path, ...typed[0].path] } as z.core.$ZodIssue, data);
      return { path, message: 'does not match any of the allowed forms' };
    }
    case 'unrecognized_keys': {
      const key = issue.keys[0]!;
      return { path: [...path, key], key, message: `unknown field "${key}"` };
    }
    case 'invalid_type': {
      const got = valueAt(data, path);
      return { path, message: got === undefined ? `required: expected ${issue.expected}` : `expected ${issue.expected}, got ${describe(got)}` };
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
      const got = valueAt(data, path);
      return { path, message: got === undefined ? `required: one of ${allowed}` : `expected one of ${allowed}, got ${describe(got)}` };
    }
    case 'invalid_key':
      return { path, message: `unknown key ${JSON.stringify(valueAtKey(issue))}; ${issue.message}` };
    default:
      return { path, message: issue.message };
  }
}

function valueAtKey(issue: z.core.$ZodIssueInvalidKey): unknown {
  return issue.path.at(-1);
}

function valueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** Line and column (1-based) of the deepest node on the path that exists in the file. */
function positionOf(doc: Document, lineCounter: LineCounter, path: Path, key?: string): { line: number; col: number } {
  let offset = 0;
  for (let depth = path.length; depth >= 0; depth--) {
    const parentPath = path.slice(0, depth);
    if (key !== undefined && depth === path.length) {
      const parent = doc.getIn(path.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
        if (pair && isNode(pair.key) && pair.key.range) {
          offset = pair.key.range[0];
          break;
        }
      }
      continue;
    }
    const node = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
    if (isNode(node) && node.range) {
      offset = node.range[0];
      break;
    }
  }
  return lineCounter.linePos(offset);
}

/** `steps[1].action.createPod` from ['steps', 1, 'action', 'createPod']. */
function fieldName(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
