// A small line tokenizer for the manifests the app shows: keys, values, list dashes and comments, with the
// fields this lab is about (image, imagePullPolicy, imagePullSecrets, nodeName) marked for emphasis.

export type YamlTokenKind = 'indent' | 'dash' | 'key' | 'colon' | 'string' | 'number' | 'literal' | 'comment' | 'plain';

export interface YamlToken {
  kind: YamlTokenKind;
  text: string;
}

export interface YamlLine {
  tokens: YamlToken[];
  /** The line sets a field the heist turns on: worth a reader's eye. */
  important: boolean;
}

const IMPORTANT_KEYS = new Set(['image', 'imagePullPolicy', 'imagePullSecrets', 'nodeName', 'serviceAccountName']);

export function highlightYaml(source: string): YamlLine[] {
  return source.replace(/\n$/, '').split('\n').map(highlightLine);
}

function highlightLine(line: string): YamlLine {
  const tokens: YamlToken[] = [];
  let rest = line;
  const indent = /^\s*/.exec(rest)![0];
  if (indent) tokens.push({ kind: 'indent', text: indent });
  rest = rest.slice(indent.length);
  while (rest.startsWith('- ')) {
    tokens.push({ kind: 'dash', text: '- ' });
    rest = rest.slice(2);
  }
  if (rest.startsWith('#')) return { tokens: [...tokens, { kind: 'comment', text: rest }], important: false };
  let key: string | undefined;
  const keyMatch = /^([^\s:'"#{}[\],][^:#]*?|"[^"]*"|'[^']*'):(\s|$)/.exec(rest);
  if (keyMatch) {
    key = keyMatch[1]!;
    tokens.push({ kind: 'key', text: key }, { kind: 'colon', text: ':' });
    rest = rest.slice(key.length + 1);
  }
  if (rest) {
    const space = /^\s*/.exec(rest)![0];
    const value = rest.slice(space.length);
    if (space) tokens.push({ kind: 'plain', text: space });
    if (value) tokens.push({ kind: valueKind(value), text: value });
  }
  return { tokens, important: key !== undefined && IMPORTANT_KEYS.has(key) };
}

function valueKind(value: string): YamlTokenKind {
  if (/^#/.test(value)) return 'comment';
  if (/^-?\d+(\.\d+)?$/.test(value)) return 'number';
  if (/^(true|false|null|~)$/.test(value)) return 'literal';
  if (/^[|>][-+]?$/.test(value) || /^[[{]/.test(value)) return 'plain';
  return 'string';
}
