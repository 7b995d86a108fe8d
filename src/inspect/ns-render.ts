// The `ns` report: merges the agent's entries with the pod's container states,
// then renders a table (one letter per distinct inode per column, so sharing
// shows at a glance) or the JSON shape of issue 6.
import { buildNsFindings, type PodFacts } from './ns-findings.js';
import { NAMESPACE_TYPES as NS_TYPES, type ContainerState } from '../base/rules.js';
import type { NsEntry, NsKind, NsType } from './ns-parse.js';

export interface NsReportEntry {
  readonly name: string;
  readonly kind: NsKind;
  /** null for a container that is not running. */
  readonly pid: number | null;
  readonly namespaces: Partial<Record<NsType, number>>;
  /** Containers only. */
  readonly state?: ContainerState;
  readonly reason?: string;
}

export interface NsReport {
  readonly pod: string;
  readonly namespace: string;
  readonly node: string;
  readonly entries: readonly NsReportEntry[];
  readonly findings: readonly string[];
}

export interface NsReportInput {
  readonly pod: string;
  readonly namespace: string;
  readonly node: string;
  readonly entries: readonly NsEntry[];
  readonly facts: PodFacts;
}

/** Order: sandbox, containers in spec order (non-running ones from the facts), node. */
export function buildNsReport(input: NsReportInput): NsReport {
  const { entries, facts } = input;
  const out: NsReportEntry[] = [];
  const byName = new Map(entries.filter((e) => e.kind === 'container').map((e) => [e.name, e]));
  out.push(...entries.filter((e) => e.kind === 'sandbox'));
  for (const c of facts.containers) {
    const e = byName.get(c.name);
    byName.delete(c.name);
    const reason = c.reason === undefined ? {} : { reason: c.reason };
    if (e !== undefined) out.push({ ...e, state: c.state, ...reason });
    else out.push({ name: c.name, kind: 'container', pid: null, namespaces: {}, state: c.state, ...reason });
  }
  out.push(...byName.values()); // entries the facts did not name: keep, never drop data
  // The agent only knows "node"; the client knows which.
  out.push(...entries.filter((e) => e.kind === 'node').map((e) => ({ ...e, name: input.node })));
  return {
    pod: input.pod,
    namespace: input.namespace,
    node: input.node,
    entries: out,
    findings: buildNsFindings(entries, facts),
  };
}

export function renderNsJson(report: NsReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Colour only for a terminal, and never when NO_COLOR is set (no-color.org). */
export function shouldColor(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  return isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

const COLORS = [32, 33, 36, 35, 34, 31]; // green yellow cyan magenta blue red

function letter(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : `${String.fromCharCode(65 + (i % 26))}${Math.floor(i / 26)}`;
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - s.length));
}

export interface RenderOptions {
  readonly color: boolean;
}

export function renderNsTable(report: NsReport, opts: RenderOptions): string {
  // Letters per column in order of first appearance: the sandbox's are all A.
  const letters = new Map<NsType, Map<number, string>>();
  for (const t of NS_TYPES) {
    const m = new Map<number, string>();
    for (const e of report.entries) {
      const inode = e.namespaces[t];
      if (inode !== undefined && !m.has(inode)) m.set(inode, letter(m.size));
    }
    letters.set(t, m);
  }
  const paint = (s: string, idx: number): string =>
    opts.color ? `\u001b[${COLORS[idx % COLORS.length] ?? 0}m${s}\u001b[0m` : s;

  const header = ['NAME', 'KIND', 'PID', ...NS_TYPES.map((t) => t.toUpperCase())];
  const rows: { cells: string[]; colorIdx: (number | undefined)[]; note?: string }[] = report.entries.map((e) => {
    if (e.pid === null) {
      const why = e.reason === undefined ? (e.state ?? 'not running') : `${e.state ?? 'not running'} (${e.reason})`;
      return { cells: [e.name, e.kind, '-'], colorIdx: [], note: why };
    }
    const nsCells = NS_TYPES.map((t) => {
      const inode = e.namespaces[t];
      return inode === undefined ? '-' : (letters.get(t)?.get(inode) ?? '?');
    });
    const colorIdx = NS_TYPES.map((t) => {
      const inode = e.namespaces[t];
      return inode === undefined ? undefined : [...(letters.get(t)?.keys() ?? [])].indexOf(inode);
    });
    return { cells: [e.name, e.kind, String(e.pid), ...nsCells], colorIdx };
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]?.length ?? 0)));
  const line = (cells: string[], colorIdx: (number | undefined)[] = []): string =>
    cells
      .map((c, i) => {
        const padded = pad(c, widths[i] ?? 0);
        const idx = i >= 3 ? colorIdx[i - 3] : undefined;
        return idx === undefined ? padded : paint(c, idx) + ' '.repeat(padded.length - c.length);
      })
      .join('  ')
      .trimEnd();

  const out: string[] = [`pod ${report.namespace}/${report.pod} on node ${report.node}`, '', line(header)];
  for (const r of rows) {
    out.push(r.note === undefined ? line(r.cells, r.colorIdx) : `${line(r.cells)}  ${r.note}`.trimEnd());
  }
  out.push('');
  for (const t of NS_TYPES) {
    const m = letters.get(t);
    if (m === undefined || m.size === 0) continue;
    out.push(`${pad(`${t}:`, 8)}${[...m].map(([inode, l], i) => `${paint(l, i)}=${inode}`).join('  ')}`);
  }
  if (report.findings.length > 0) {
    out.push('');
    for (const f of report.findings) out.push(`- ${f}`);
  }
  return `${out.join('\n')}\n`;
}
