// `npm run build` (and `prepare`, so `npm ci` and `npm pack` build too): compiles src/ to plain JavaScript in
// dist/ and copies the data files the code reads beside itself (field-schema.json). The stamp dist/.built holds
// the time the build started: bin/image-heist.js runs dist/ only while no source file is newer than that.
// It builds into a fresh folder and swaps it in at the end, so a binary started meanwhile never sees half a dist/.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const next = path.join(root, `.dist-${process.pid}`);
const started = Date.now();

rmSync(next, { recursive: true, force: true });
try {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', next], { stdio: 'inherit' });
  for (const file of readdirSync(src, { recursive: true })) {
    if (!file.endsWith('.json')) continue;
    mkdirSync(path.dirname(path.join(next, file)), { recursive: true });
    copyFileSync(path.join(src, file), path.join(next, file));
  }
  writeFileSync(path.join(next, '.built'), `${started}\n`);
  rmSync(dist, { recursive: true, force: true });
  renameSync(next, dist);
} catch (error) {
  rmSync(next, { recursive: true, force: true });
  console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
