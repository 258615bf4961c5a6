import { describe, expect, it } from 'vitest';
import { invocation, withInvocation } from './invocation.js';

describe('invocation', () => {
  it('names the command as the user typed it', () => {
    expect(invocation({ npm_lifecycle_event: 'start' }, ['node', '/c/bin/image-heist.js'], '/c')).toBe('npm start --');
    expect(invocation({ npm_command: 'exec' }, ['node', '/x/node_modules/.bin/image-heist'], '/c')).toBe('npx image-heist');
    expect(invocation({}, ['node', '/usr/local/bin/image-heist'], '/c')).toBe('image-heist');
    expect(invocation({}, ['node', '/c/bin/image-heist.js'], '/c')).toBe('node bin/image-heist.js');
  });

  it('rewrites image-heist commands in text, not the name in prose', () => {
    const text = 'Start it:\n\n```\nimage-heist up --profile none\n```\n\nas `image-heist play classic` shows; image-heist is a lab';
    expect(withInvocation(text, 'npm start --')).toBe('Start it:\n\n```\nnpm start -- up --profile none\n```\n\nas `npm start -- play classic` shows; image-heist is a lab');
    expect(withInvocation(text, 'image-heist')).toBe(text);
  });
});
