import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown } from './markdown.js';
import { highlightYaml } from './yaml-highlight.js';

describe('highlightYaml', () => {
  it('splits keys, dashes and values and marks the fields the heist turns on', () => {
    const lines = highlightYaml('spec:\n  containers:\n    - name: app\n      image: reg:5000/secure/app:1\n      imagePullPolicy: IfNotPresent\n');
    expect(lines).toHaveLength(5);
    expect(lines[2]!.tokens.map((t) => t.kind)).toEqual(['indent', 'dash', 'key', 'colon', 'plain', 'string']);
    expect(lines[3]!.tokens.find((t) => t.kind === 'string')?.text).toBe('reg:5000/secure/app:1');
    expect(lines.map((l) => l.important)).toEqual([false, false, false, true, true]);
    // every character survives: the view shows exactly the YAML
    expect(lines.map((l) => l.tokens.map((t) => t.text).join('')).join('\n')).toBe(
      'spec:\n  containers:\n    - name: app\n      image: reg:5000/secure/app:1\n      imagePullPolicy: IfNotPresent',
    );
  });

  it('tells numbers, literals and comments from strings', () => {
    const kinds = highlightYaml('a: 1\nb: true\n# note\nc: "x"').map((l) => l.tokens.at(-1)!.kind);
    expect(kinds).toEqual(['number', 'literal', 'comment', 'string']);
  });
});

describe('parseMarkdown', () => {
  it('reads bold and code inline, keeping the text between them', () => {
    expect(parseInline('Admin1 creates **Pod1** in `tenant-a`.')).toEqual([
      { text: 'Admin1 creates ' },
      { text: 'Pod1', bold: true },
      { text: ' in ' },
      { text: 'tenant-a', code: true },
      { text: '.' },
    ]);
  });

  it('joins wrapped lines into paragraphs and keeps list items apart', () => {
    const blocks = parseMarkdown('First line\nwraps here.\n\n- one `a`\n- two\n  continues\n\nLast.');
    expect(blocks.map((b) => b.kind)).toEqual(['paragraph', 'item', 'item', 'paragraph']);
    expect(blocks[0]).toEqual({ kind: 'paragraph', inlines: [{ text: 'First line wraps here.' }] });
    expect(blocks[2]).toEqual({ kind: 'item', inlines: [{ text: 'two continues' }] });
  });

  it('leaves an unclosed marker as text', () => {
    expect(parseInline('a **b and `c')).toEqual([{ text: 'a **b and `c' }]);
  });
});

describe('parseMarkdown for the tutorial', () => {
  it('reads headings and fenced code, keeping the code lines as written', () => {
    const blocks = parseMarkdown('## Your task\n\n```\nimage-heist up --profile none\n  indented\n```\nAfter.');
    expect(blocks).toEqual([
      { kind: 'heading', inlines: [{ text: 'Your task' }] },
      { kind: 'code', lines: ['image-heist up --profile none', '  indented'] },
      { kind: 'paragraph', inlines: [{ text: 'After.' }] },
    ]);
  });
});

describe('parseMarkdown numbered lists', () => {
  it('keeps the number of an ordered item', () => {
    expect(parseMarkdown('1. first\n2. second')).toEqual([
      { kind: 'item', marker: '1.', inlines: [{ text: 'first' }] },
      { kind: 'item', marker: '2.', inlines: [{ text: 'second' }] },
    ]);
  });
});
