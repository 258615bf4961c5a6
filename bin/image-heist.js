#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a clone works with `npm start` and `npx image-heist` alike.
// The package's own tsconfig, wherever the user stands: without it tsx would look in the working folder
// and compile the app's JSX for the wrong React runtime.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
