#!/usr/bin/env node
// Runs the compiled JavaScript in dist/: what an installed package holds, and what `npm run build` (prepare, so
// `npm ci` too) writes in a checkout. In a checkout whose sources changed since that build, the TypeScript runs
// through tsx instead (a devDependency), so an edit shows at once without a build.
import { fileURLToPath } from 'node:url';
import { distIsFresh } from './dist-fresh.js';

const root = new URL('../', import.meta.url);
let main;
if (distIsFresh(root)) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  // The package's own tsconfig, wherever the user stands: without it tsx would look in the working folder
  // and compile the app's JSX for the wrong React runtime.
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('tsconfig.json', root)) });
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
