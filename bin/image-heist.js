#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a clone works with `npm start` and `npx image-heist` alike.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
