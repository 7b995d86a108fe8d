/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Up to `limit` candidates close to `wanted`: prefix/substring matches first, then small edit distances. */
export function closestNames(wanted: string, candidates: readonly string[], limit = 3): string[] {
  const scored = candidates
    .map((name) => {
      const contains = name.includes(wanted) || wanted.includes(name);
      return { name, score: contains ? 0 : editDistance(wanted, name) };
    })
    .filter(({ score }) => score <= Math.max(2, Math.floor(wanted.length / 3)))
    .sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  return scored.slice(0, limit).map(({ name }) => name);
}
