// Parses the agent's `ns` dump (docs/design.md, "ns" mode): one tab-separated
// line per entry, `KIND NAME PID net:INODE pid:INODE ...`, `type:-` when the
// kernel lacks that namespace type.

import { isNamespaceType, type NamespaceName } from '../base/rules.js';

export type NsType = NamespaceName;
export type NsKind = 'container' | 'sandbox' | 'node';

export interface NsEntry {
  readonly kind: NsKind;
  readonly name: string;
  readonly pid: number;
  /** Inode per namespace type; a type the kernel lacks is absent. */
  readonly namespaces: Partial<Record<NsType, number>>;
}

const KINDS: readonly string[] = ['container', 'sandbox', 'node'];

/** Throws on a malformed line: the agent and this parser share one contract. */
export function parseNsDump(text: string): NsEntry[] {
  const entries: NsEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const fields = line.split('\t');
    const [kind, name, pidText, nsText] = fields;
    const where = `ns dump line ${i + 1}`;
    if (fields.length !== 4 || kind === undefined || name === undefined || pidText === undefined || nsText === undefined) {
      throw new Error(`${where}: expected 4 tab-separated fields, got ${fields.length}: ${JSON.stringify(line)}`);
    }
    if (!KINDS.includes(kind)) throw new Error(`${where}: unknown kind ${JSON.stringify(kind)}`);
    if (!/^[1-9][0-9]*$/.test(pidText)) throw new Error(`${where}: bad pid ${JSON.stringify(pidText)}`);
    const namespaces: Partial<Record<NsType, number>> = {};
    for (const pair of nsText.split(' ').filter((p) => p !== '')) {
      const m = /^([a-z]+):([0-9]+|-)$/.exec(pair);
      if (m === null || m[1] === undefined || m[2] === undefined || !isNamespaceType(m[1])) {
        throw new Error(`${where}: bad namespace field ${JSON.stringify(pair)}`);
      }
      if (m[2] !== '-') namespaces[m[1]] = Number(m[2]);
    }
    entries.push({ kind: kind as NsKind, name, pid: Number(pidText), namespaces });
  });
  return entries;
}
