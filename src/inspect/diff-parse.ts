// diff: the agent's records of a container's writable layer, parsed and rendered (pure).
export interface DiffEntry {
  readonly kind: 'A' | 'C' | 'D';
  readonly path: string;
}

/** The agent's NUL-terminated `K<TAB>/path` records, sorted by path, each path once. */
export function parseDiff(text: string): DiffEntry[] {
  const seen = new Map<string, DiffEntry>();
  for (const record of text.split('\0')) {
    const tab = record.indexOf('\t');
    const kind = record.slice(0, tab);
    if (tab < 0 || (kind !== 'A' && kind !== 'C' && kind !== 'D')) continue;
    const path = record.slice(tab + 1);
    seen.set(path, { kind, path });
  }
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function renderDiff(entries: readonly DiffEntry[]): string {
  // eslint-disable-next-line no-control-regex
  return entries.map((e) => `${e.kind} ${e.path.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}\n`).join('');
}
