// Whether dist/ holds the code to run: always in an installed package (it has no src/); in a development
// checkout only while it is fresh, i.e. no source file changed since `npm run build` began (dist/.built).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** @param {URL} root the package's folder */
export function distIsFresh(root) {
  let files;
  try {
    files = readdirSync(new URL('src/', root), { recursive: true });
  } catch {
    return true; // an installed package: no sources, dist/ is the code
  }
  let built;
  try {
    built = Number(readFileSync(new URL('dist/.built', root), 'utf8'));
  } catch {
    return false; // not built
  }
  const src = fileURLToPath(new URL('src/', root));
  // tests are not compiled: editing one leaves dist/ as it was
  return files.every((file) => /\.test\.tsx?$/.test(file) || statSync(src + file).mtimeMs < built);
}
