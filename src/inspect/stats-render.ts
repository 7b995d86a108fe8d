// Human renderings of `stats`: a table that puts the real limit (cgroup) beside
// what the container sees (/proc), and one plain line per sample for --watch
// when stdout is not a terminal.
import type { Stats } from './stats-parse.js';
import type { StatsRates } from './stats-rates.js';
import { visible } from '../base/visible.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number | null): string {
  if (n === null) return '?';
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u += 1;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${UNITS[u] ?? ''}`;
}

export function formatRate(n: number | null): string {
  return n === null ? '?' : `${formatBytes(Math.round(n))}/s`;
}

function num(n: number | null, digits = 0): string {
  return n === null ? '?' : n.toFixed(digits);
}

function seconds(n: number | null): string {
  return n === null ? '?' : `${n.toFixed(2)} s`;
}

function cores(n: number | null): string {
  if (n === null) return '?';
  const s = Number(n.toFixed(3)).toString();
  return `${s} ${n === 1 ? 'core' : 'cores'}`;
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - s.length));
}

export function renderStatsTable(s: Stats): string {
  const { cpu, memory, io, pids, containerView: view } = s;
  const cpuLimit = cpu.limitCores === null ? 'unlimited' : cores(cpu.limitCores);
  const memLimit = memory.limitBytes === null ? 'unlimited' : formatBytes(memory.limitBytes);
  const viewCpus = view.cpus === null ? '?' : `${view.cpus} CPU${view.cpus === 1 ? '' : 's'} (nproc)`;
  const viewMem = view.memTotalBytes === null ? '?' : `${formatBytes(view.memTotalBytes)} (free)`;

  const side: [string, string, string][] = [
    ['', 'real limit (cgroup)', 'what the container sees (/proc)'],
    ['CPU', cpuLimit, viewCpus],
    ['Memory', memLimit, viewMem],
  ];
  const w0 = 10;
  const w1 = Math.max(...side.map((r) => r[1].length)) + 4;
  const out: string[] = [
    `container ${s.container} (cgroup v${s.cgroupVersion}${s.pid === null ? '' : `, pid ${s.pid}`})`,
    '',
    ...side.map(([a, b, c]) => `${pad(a, w0)}${pad(b, w1)}${c}`.trimEnd()),
    '',
  ];

  const quota = cpu.quotaMicros === null ? 'no quota' : `quota ${cpu.quotaMicros}/${num(cpu.periodMicros)} µs`;
  const weight = cpu.shares !== null ? `shares ${cpu.shares}` : `weight ${num(cpu.weight)}`;
  const row = (label: string, text: string): void => {
    out.push(`${pad(label, w0)}${text}`);
  };
  row('CPU', `${quota}, ${weight}, cpuset ${cpu.cpuset ?? '?'}`);
  row('', `usage ${seconds(cpu.usageSeconds)}, throttled ${num(cpu.throttledPeriods)} of ${num(cpu.periods)} periods (${seconds(cpu.throttledSeconds)})`);
  row('Memory', `usage ${formatBytes(memory.usageBytes)}, working set ${formatBytes(memory.workingSetBytes)}, cache ${formatBytes(memory.cacheBytes)}, rss ${formatBytes(memory.rssBytes)}`);
  const oomOn = memory.oomKillerEnabled === null ? 'OOM killer ?' : `OOM killer ${memory.oomKillerEnabled ? 'on' : 'off'}`;
  row('', `${oomOn}, ${num(memory.oomKills)} OOM kill${memory.oomKills === 1 ? '' : 's'}`);
  row('Block IO', `read ${formatBytes(io.readBytes)}, written ${formatBytes(io.writeBytes)}`);
  const ifaces = Object.entries(s.network);
  const wIf = Math.max(0, ...ifaces.map(([n]) => visible(n).length)) + 2;
  if (ifaces.length === 0) row('Network', '?');
  ifaces.forEach(([name, n], i) => {
    row(i === 0 ? 'Network' : '', `${pad(visible(name), wIf)}rx ${formatBytes(n.rxBytes)} (${n.rxPackets} packets), tx ${formatBytes(n.txBytes)} (${n.txPackets} packets)`);
  });
  row('PIDs', `${num(pids.current)} of ${pids.max === null ? 'unlimited' : pids.max}`);
  return `${out.join('\n')}\n`;
}

/** One line per sample for --watch on a non-terminal; `rates` is null for the first sample. */
export function renderStatsLine(s: Stats, rates: StatsRates | null, at: Date): string {
  const t = at.toISOString().slice(11, 19);
  const cpu = rates === null ? `cpu ${seconds(s.cpu.usageSeconds)}` : `cpu ${num(rates.cpuCores, 2)} cores`;
  const limit = s.cpu.limitCores === null ? 'no limit' : `limit ${Number(s.cpu.limitCores.toFixed(3))}`;
  const thr = rates === null ? '' : ` thr ${num(rates.throttledPeriodsPerSec, 1)}/s`;
  const memLimit = s.memory.limitBytes === null ? 'unlimited' : formatBytes(s.memory.limitBytes);
  const parts = [
    t,
    `${cpu} (${limit})${thr}`,
    `mem ${formatBytes(s.memory.usageBytes)}/${memLimit} ws ${formatBytes(s.memory.workingSetBytes)}`,
    rates === null
      ? `io r ${formatBytes(s.io.readBytes)} w ${formatBytes(s.io.writeBytes)}`
      : `io r ${formatRate(rates.readBytesPerSec)} w ${formatRate(rates.writeBytesPerSec)}`,
  ];
  for (const [name, n] of Object.entries(s.network)) {
    if (name === 'lo') continue; // loopback traffic never leaves the pod
    const r = rates?.network[name];
    parts.push(
      r === undefined
        ? `${visible(name)} rx ${formatBytes(n.rxBytes)} tx ${formatBytes(n.txBytes)}`
        : `${visible(name)} rx ${formatRate(r.rxBytesPerSec)} tx ${formatRate(r.txBytesPerSec)}`,
    );
  }
  parts.push(`pids ${num(s.pids.current)}`);
  return parts.join('  ');
}

/** The rates block under the table in the interactive --watch view. */
export function renderStatsRates(rates: StatsRates | null): string {
  if (rates === null) return 'Rates     (from the next sample on)\n';
  const lines = [
    `CPU ${num(rates.cpuCores, 2)} cores, throttled ${num(rates.throttledPeriodsPerSec, 1)} periods/s`,
    `Block IO read ${formatRate(rates.readBytesPerSec)}, write ${formatRate(rates.writeBytesPerSec)}`,
    ...Object.entries(rates.network).map(
      ([name, r]) => `${visible(name)} rx ${formatRate(r.rxBytesPerSec)} (${num(r.rxPacketsPerSec, 1)} packets/s), tx ${formatRate(r.txBytesPerSec)} (${num(r.txPacketsPerSec, 1)} packets/s)`,
    ),
  ];
  return `${lines.map((l, i) => `${pad(i === 0 ? 'Rates' : '', 10)}${l}`).join('\n')}\n`;
}
