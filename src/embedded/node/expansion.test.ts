import { describe, expect, it } from 'vitest';
import { expand, expandCommandAndArgs, expandEnv, mappingFuncFor } from './expansion.js';

describe('expand (third_party/forked/golang/expansion)', () => {
  const mapping = mappingFuncFor(
    new Map([
      ['VAR_A', 'A'],
      ['VAR_B', 'B'],
      ['VAR_EMPTY', ''],
    ]),
  );
  it.each([
    ['$(VAR_A)', 'A'],
    ['___$(VAR_B)___', '___B___'],
    ['$(VAR_A)-$(VAR_B)', 'A-B'],
    ['$(VAR_EMPTY)', ''],
    ['$(UNKNOWN)', '$(UNKNOWN)'],
    ['$$(VAR_A)', '$(VAR_A)'],
    ['$$$(VAR_A)', '$A'],
    ['$VAR_A', '$VAR_A'],
    ['$(VAR_A', '$(VAR_A'],
    ['$', '$'],
    ['foo$', 'foo$'],
    ['$()', '$()'],
  ])('%s → %s', (input, want) => {
    expect(expand(input, mapping)).toBe(want);
  });
});

describe('expandEnv and expandCommandAndArgs', () => {
  it('lets env values refer to earlier ones only, and command/args to the env', () => {
    const env = expandEnv([
      { name: 'GREETING', value: 'hello' },
      { name: 'MSG', value: '$(GREETING) $(LATER)' },
      { name: 'LATER', value: 'world' },
    ]);
    expect(env).toEqual([
      { name: 'GREETING', value: 'hello' },
      { name: 'MSG', value: 'hello $(LATER)' },
      { name: 'LATER', value: 'world' },
    ]);
    expect(expandCommandAndArgs(['echo', '$(MSG)'], ['$(LATER)', '$$(LATER)'], env)).toEqual({
      command: ['echo', 'hello $(LATER)'],
      args: ['world', '$(LATER)'],
    });
  });
});
