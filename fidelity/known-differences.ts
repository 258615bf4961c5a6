// Every difference between the real kube-apiserver and the embedded one that the differential suite accepts,
// with the reason. A difference not listed here fails the suite; an entry never observed fails it too, so
// this list cannot go stale. docs/fidelity.md is the prose version.
import type { Difference } from './normalize.js';

export interface KnownDifference {
  id: string;
  /** The path of the differing field (normalize.ts diff paths, e.g. `body.metadata.managedFields`). */
  path: RegExp;
  /** Only in comparisons whose title matches (default: all). */
  title?: RegExp;
  /** not-modelled: the embedded server leaves it out on purpose (docs/apiserver.md "Not supported");
   *  environment: the two servers are different builds or set-ups, not a behaviour difference. */
  kind: 'not-modelled' | 'environment' | 'intentional';
  reason: string;
}

export const knownDifferences: readonly KnownDifference[] = [
  {
    id: 'managed-fields',
    path: /(^|\.)managedFields$/,
    kind: 'not-modelled',
    reason:
      'the real server records metadata.managedFields on every write (field manager, operation, time); the embedded server does not model field ownership or server-side apply (docs/apiserver.md "Not supported")',
  },
  {
    id: 'service-account-token-volume',
    path: /\.(volumeMounts|volumes)$/,
    kind: 'not-modelled',
    reason:
      'the real ServiceAccount admission plugin adds the projected kube-api-access-<random> volume (token, kube-root-ca.crt, namespace) and mounts it in every container; the embedded server has no token requests and no kube-root-ca.crt ConfigMap, so pods carry no token volume',
  },
  {
    id: 'service-account-token-volume-describe',
    path: /^stdout\[\d+\]$/,
    title: /kubectl describe pod/,
    kind: 'not-modelled',
    reason: 'the same token volume, as kubectl describe prints it: Mounts and Volumes sections, and a wider label column',
  },
  {
    id: 'build-metadata',
    path: /^serverVersion\.(gitCommit|goVersion)$/,
    kind: 'environment',
    reason:
      'the real binary is built here from the module proxy (no git commit stamp, the local Go toolchain); the embedded server claims fixed values. gitVersion, major and minor match.',
  },
  {
    id: 'pod-update-diff-text',
    path: /^body\.(message|details\.causes\[0\]\.message)$/,
    title: /pod update changing a container name/,
    kind: 'intentional',
    reason:
      "upstream appends a go-cmp diff of its internal Go structs (field names like \"InitContainers\", line offsets) to 'pod updates may not change fields…'; the embedded server keeps the same sentence and reason but cannot print Go's internal type layout",
  },
  {
    id: 'label-selector-error-wording',
    path: /^body\.message$/,
    title: /bad label selector/,
    kind: 'intentional',
    reason:
      "a malformed label selector is 400 BadRequest on both, but upstream's lexer names the token where it stopped (found '', expected: ',' or ')'); the embedded server's term-by-term parser names the whole term",
  },
  {
    id: 'cel-syntax-error-wording',
    path: /^body\.(message|details\.causes\[\d+\]\.message)$/,
    title: /bad CEL/,
    kind: 'intentional',
    reason:
      "a policy whose CEL does not parse is 422 Invalid on both, on the same field, as 'compilation failed: ERROR: <input>:L:C: Syntax error: …'; the words and the column after that come from the parser: cel-go's ANTLR grammar (\"mismatched input '<EOF>' expecting {…}\" and a caret line) vs @bufbuild/cel's own parser (\"found . but expecting end of input\"). Reproducing ANTLR's error recovery would mean porting its generated parser",
  },
];

export function classify(
  title: string,
  differences: readonly Difference[],
): {
  documented: { known: KnownDifference; difference: Difference }[];
  undocumented: Difference[];
} {
  const documented: { known: KnownDifference; difference: Difference }[] = [];
  const undocumented: Difference[] = [];
  for (const difference of differences) {
    const known = knownDifferences.find((k) => k.path.test(difference.path) && (!k.title || k.title.test(title)));
    if (known) documented.push({ known, difference });
    else undocumented.push(difference);
  }
  return { documented, undocumented };
}
