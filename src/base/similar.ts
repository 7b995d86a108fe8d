/** Edit distance where swapping two neighbours counts once (typos like "wbe"), for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Up to `limit` candidates close to `wanted`: prefix/substring matches first, then small edit distances. */
export function closestNames(wanted: string, candidates: readonly string[], limit = 3): string[] {
  const scored = candidates
    .map((name) => {
      const contains = name.includes(wanted) || wanted.includes(name);
      return { name, score: contains ? 0 : editDistance(wanted, name) };
    })
    .filter(({ score }) => score <= Math.max(1, Math.floor(wanted.length / 3)))
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  // Only the closest: a far second guess next to an obvious typo fix is noise.
  const best = scored[0]?.score ?? 0;
  return scored.filter(({ score }) => score <= best + 1).slice(0, limit).map(({ name }) => name);
}
