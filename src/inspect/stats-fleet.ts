// `stats --all-pods`: one row per pod, so the bad replica stands out. A row is
// marked `!` when its pod was OOM-killed, throttled, or uses 90% or more of its
// memory limit; a pod whose stats failed shows its error.
import type { Stats } from './stats-parse.js';
import { formatBytes } from './stats-render.js';

export interface FleetStatsRow {
  readonly pod: string;
  readonly node: string;
  readonly stats?: Stats;
  readonly error?: string;
}

/** Memory use from this fraction of the limit on counts as a sign of trouble. */
const MEMORY_PRESSURE = 0.9;

/** Why a row stands out (empty: it doesn't). */
export function rowTrouble(stats: Stats): string[] {
  const out: string[] = [];
  if ((stats.memory.oomKills ?? 0) > 0) out.push('oom-killed');
  if ((stats.cpu.throttledPeriods ?? 0) > 0) out.push('throttled');
  const { limitBytes, workingSetBytes, usageBytes } = stats.memory;
  const used = workingSetBytes ?? usageBytes;
  if (limitBytes !== null && used !== null && used >= limitBytes * MEMORY_PRESSURE) out.push('near memory limit');
  return out;
}

const cores = (n: number | null): string => (n === null ? 'unlimited' : Number(n.toFixed(3)).toString());
const num = (n: number | null, digits = 0): string => (n === null ? '?' : n.toFixed(digits));

function throttling(stats: Stats): string {
  const { periods, throttledPeriods, throttledSeconds } = stats.cpu;
  if (throttledPeriods === null) return '?';
  const share = periods ? ` (${Math.round((throttledPeriods / periods) * 100)}%)` : '';
  return `${throttledPeriods}/${periods ?? '?'}${share}${throttledSeconds ? ` ${throttledSeconds.toFixed(2)}s` : ''}`;
}

/** The table; `visible` makes cluster text safe to show (control characters). */
export function renderFleetStatsTable(rows: readonly FleetStatsRow[], visible: (text: string) => string = (t) => t): string {
  const header = ['', 'POD', 'NODE', 'CONTAINER', 'CPU LIMIT', 'CPU USED', 'THROTTLED', 'MEM LIMIT', 'MEM USED', 'OOM KILLS'];
  const lines = rows.map((row) => {
    if (!row.stats) return { cells: ['!', visible(row.pod), visible(row.node)], error: row.error ?? 'no stats' };
    const s = row.stats;
    const memLimit = s.memory.limitBytes === null ? 'unlimited' : formatBytes(s.memory.limitBytes);
    const used = s.memory.workingSetBytes ?? s.memory.usageBytes;
    const trouble = rowTrouble(s);
    return {
      cells: [trouble.length ? '!' : '', visible(row.pod), visible(row.node), visible(s.container), cores(s.cpu.limitCores), `${num(s.cpu.usageSeconds, 2)}s`, throttling(s), memLimit, formatBytes(used), num(s.memory.oomKills)],
      error: undefined,
    };
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l.error === undefined ? (l.cells[i] ?? '').length : i < 3 ? (l.cells[i] ?? '').length : 0))));
  const format = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const out = [format(header)];
  for (const line of lines) out.push(line.error === undefined ? format(line.cells) : `${format(line.cells)}  error: ${line.error}`);
  const flagged = rows.filter((r) => r.stats && rowTrouble(r.stats).length);
  if (flagged.length) {
    out.push('', ...flagged.map((r) => `! ${visible(r.pod)}: ${rowTrouble(r.stats!).join(', ')}`));
  }
  return `${out.join('\n')}\n`;
}

/** `-o json`: [{pod, node, ...stats}] or [{pod, node, error}]. */
export function renderFleetStatsJson(rows: readonly FleetStatsRow[]): string {
  return `${JSON.stringify(rows.map((r) => (r.stats ? { pod: r.pod, node: r.node, ...r.stats } : { pod: r.pod, node: r.node, error: r.error ?? 'no stats' })), null, 2)}\n`;
}
