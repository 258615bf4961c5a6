// "Did you mean …?" for a mistyped name: the closest known one by edit distance, when it is close enough to
// be a typo (as commander does for commands and options).

/** Edit distance with adjacent transpositions (optimal string alignment): `nnoe` is one typo from `none`. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name closest to `name`, if a typo away (at most a third of its letters, at least 1); or one it starts. */
export function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const scored = known.map((k) => ({ k, d: editDistance(lower, k.toLowerCase()) })).sort((x, y) => x.d - y.d);
  const best = scored[0];
  if (best && best.d <= Math.max(1, Math.floor(best.k.length / 3))) return best.k;
  const prefixed = known.filter((k) => k.startsWith(lower) && lower.length >= 3);
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** ` — did you mean "x"?` or nothing. */
export function didYouMean(name: string, known: readonly string[]): string | undefined {
  const guess = closest(name, known);
  return guess ? `did you mean "${guess}"?` : undefined;
}
