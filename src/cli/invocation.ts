// How the user started image-heist, so hints name a command that works where they type it: a clone has no
// `image-heist` on PATH, only `npm start --`; the packed package runs as `npx image-heist`.
import path from 'node:path';

export function invocation(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv, cwd = process.cwd()): string {
  // npm sets these for the scripts it runs: `npm start -- …` and `npx image-heist …` (npm exec)
  if (env.npm_lifecycle_event === 'start') return 'npm start --';
  if (env.npm_command === 'exec') return 'npx image-heist';
  const script = argv[1] ?? '';
  if (path.basename(script) === 'image-heist') return 'image-heist';
  // `node bin/image-heist.js` from a clone: the same path, relative when it is below the working folder
  const relative = path.relative(cwd, script);
  return `node ${relative && !relative.startsWith('..') ? relative : script}`;
}

/** `image-heist …` in prose, code blocks and inline code, as the user invoked it. */
export function withInvocation(text: string, command: string): string {
  if (command === 'image-heist') return text;
  return text.replace(/(^|[\s`(])image-heist (?=(play|run|up|list|doctor|down|tutorial|status)\b)/gm, (_, before: string) => `${before}${command} `);
}
