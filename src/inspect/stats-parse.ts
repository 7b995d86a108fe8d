// Parses the agent's `stats` dump (docs/design.md, "stats" mode: `### key`
// headers, then the raw file) into the JSON shape of issue 6, for cgroup v1
// and v2 alike. A file the agent could not read gives null, never a guess.

export interface CpuStats {
  /** quota / period; null when unlimited (v1 quota -1, v2 "max"). */
  readonly limitCores: number | null;
  readonly quotaMicros: number | null;
  readonly periodMicros: number | null;
  /** v1 cpu.shares; null on v2. */
  readonly shares: number | null;
  /** v2 cpu.weight; null on v1. */
  readonly weight: number | null;
  readonly cpuset: string | null;
  readonly usageSeconds: number | null;
  readonly periods: number | null;
  readonly throttledPeriods: number | null;
  readonly throttledSeconds: number | null;
}

export interface MemoryStats {
  /** null when unlimited. */
  readonly limitBytes: number | null;
  readonly usageBytes: number | null;
  /** usage minus inactive file pages: what the kubelet evicts and OOM-kills on. */
  readonly workingSetBytes: number | null;
  readonly cacheBytes: number | null;
  readonly rssBytes: number | null;
  readonly oomKillerEnabled: boolean | null;
  readonly oomKills: number | null;
}

export interface IoStats {
  readonly readBytes: number | null;
  readonly writeBytes: number | null;
}

export interface NetIfStats {
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly rxPackets: number;
  readonly txPackets: number;
}

export interface Stats {
  readonly container: string;
  readonly cgroupVersion: 1 | 2;
  readonly pid: number | null;
  readonly cpu: CpuStats;
  readonly memory: MemoryStats;
  readonly io: IoStats;
  readonly network: Readonly<Record<string, NetIfStats>>;
  readonly pids: { readonly current: number | null; readonly max: number | null };
  /** What `free` and `nproc` show inside the container. */
  readonly containerView: { readonly memTotalBytes: number | null; readonly cpus: number | null };
}

/** Section key (e.g. `v1/memory/memory.stat`, `proc/meminfo`) -> file text. */
export type StatsDump = ReadonlyMap<string, string>;

export function parseStatsSections(text: string): StatsDump {
  const sections = new Map<string, string>();
  let key: string | undefined;
  let body: string[] = [];
  const flush = (): void => {
    if (key !== undefined) sections.set(key, body.join('\n'));
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('### ')) {
      flush();
      key = line.slice(4).trim();
      body = [];
    } else if (key !== undefined) {
      body.push(line);
    }
  }
  flush();
  return sections;
}

/** v1 limits at or above this are the kernel's "no limit" (PAGE_COUNTER_MAX pages, ~2^63). */
const V1_UNLIMITED = 2 ** 60;

function int(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  return /^-?[0-9]+$/.test(t) ? Number(t) : null;
}

/** `key value` lines (memory.stat, cpu.stat, memory.events, oom_control). */
export function parseKeyValues(s: string | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of (s ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    const n = int(v);
    if (k !== undefined && k !== '' && n !== null) m.set(k, n);
  }
  return m;
}

/** Number of CPUs in a list like `0-3,8,10-11`. */
export function countCpuList(list: string): number | null {
  let n = 0;
  for (const part of list.trim().split(',')) {
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(part.trim());
    if (m === null || m[1] === undefined) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return null;
    n += hi - lo + 1;
  }
  return n;
}

/** /proc/net/dev: two header lines, then `iface: rxBytes rxPackets ... (8 rx) txBytes txPackets ...`. */
export function parseNetDev(s: string | undefined): Record<string, NetIfStats> {
  const out: Record<string, NetIfStats> = {};
  for (const line of (s ?? '').split('\n')) {
    const m = /^\s*([^\s:|]+):\s*(.*)$/.exec(line);
    if (m === null || m[1] === undefined || m[2] === undefined) continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    if (f.length < 16 || f.some((x) => !Number.isFinite(x))) continue;
    out[m[1]] = { rxBytes: f[0] ?? 0, rxPackets: f[1] ?? 0, txBytes: f[8] ?? 0, txPackets: f[9] ?? 0 };
  }
  return out;
}

/** `Key:   value` lines of /proc/status and /proc/meminfo. */
function procField(s: string | undefined, key: string): string | undefined {
  for (const line of (s ?? '').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i) === key) return line.slice(i + 1).trim();
  }
  return undefined;
}

function containerView(d: StatsDump): Stats['containerView'] {
  const mem = /^([0-9]+)\s*kB$/.exec(procField(d.get('proc/meminfo'), 'MemTotal') ?? '');
  const cpus = procField(d.get('proc/status'), 'Cpus_allowed_list');
  return {
    memTotalBytes: mem?.[1] === undefined ? null : Number(mem[1]) * 1024,
    cpus: cpus === undefined ? null : countCpuList(cpus),
  };
}

const div = (a: number | null | undefined, b: number): number | null => (a === null || a === undefined ? null : a / b);
const sub = (a: number | null, b: number | null | undefined): number | null =>
  a === null ? null : Math.max(0, a - (b ?? 0));

function statsV1(d: StatsDump): Omit<Stats, 'container' | 'cgroupVersion' | 'pid' | 'network' | 'containerView'> {
  const f = (ctrl: string, file: string): string | undefined => d.get(`v1/${ctrl}/${file}`);
  const quota = int(f('cpu', 'cpu.cfs_quota_us'));
  const period = int(f('cpu', 'cpu.cfs_period_us'));
  const cpuStat = parseKeyValues(f('cpu', 'cpu.stat'));
  const limitRaw = int(f('memory', 'memory.limit_in_bytes'));
  const usage = int(f('memory', 'memory.usage_in_bytes'));
  const memStat = parseKeyValues(f('memory', 'memory.stat'));
  // total_* include child cgroups; plain keys are this cgroup alone.
  const stat = (k: string): number | undefined => memStat.get(`total_${k}`) ?? memStat.get(k);
  const oom = parseKeyValues(f('memory', 'memory.oom_control'));
  const oomDisable = oom.get('oom_kill_disable');
  const blkio = f('blkio', 'blkio.throttle.io_service_bytes_recursive') ?? f('blkio', 'blkio.throttle.io_service_bytes');
  const pidsMax = f('pids', 'pids.max');
  return {
    cpu: {
      limitCores: quota !== null && quota > 0 && period !== null && period > 0 ? quota / period : null,
      quotaMicros: quota !== null && quota > 0 ? quota : null,
      periodMicros: period,
      shares: int(f('cpu', 'cpu.shares')),
      weight: null,
      cpuset: f('cpuset', 'cpuset.cpus')?.trim() || null,
      usageSeconds: div(int(f('cpuacct', 'cpuacct.usage')), 1e9),
      periods: cpuStat.get('nr_periods') ?? null,
      throttledPeriods: cpuStat.get('nr_throttled') ?? null,
      throttledSeconds: div(cpuStat.get('throttled_time'), 1e9),
    },
    memory: {
      limitBytes: limitRaw === null || limitRaw >= V1_UNLIMITED ? null : limitRaw,
      usageBytes: usage,
      workingSetBytes: memStat.size === 0 ? null : sub(usage, stat('inactive_file')),
      cacheBytes: stat('cache') ?? null,
      rssBytes: stat('rss') ?? null,
      oomKillerEnabled: oomDisable === undefined ? null : oomDisable === 0,
      oomKills: oom.get('oom_kill') ?? null,
    },
    io: blkioTotals(blkio),
    pids: { current: int(f('pids', 'pids.current')), max: pidsMax?.trim() === 'max' ? null : int(pidsMax) },
  };
}

/** blkio.throttle.io_service_bytes: `MAJ:MIN Read N` ... then `Total N`. */
function blkioTotals(s: string | undefined): IoStats {
  if (s === undefined) return { readBytes: null, writeBytes: null };
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of s.split('\n')) {
    const [dev, op, v] = line.trim().split(/\s+/);
    if (dev === undefined || !/^[0-9]+:[0-9]+$/.test(dev)) continue;
    const n = int(v) ?? 0;
    if (op === 'Read') readBytes += n;
    if (op === 'Write') writeBytes += n;
  }
  return { readBytes, writeBytes };
}

/** io.stat: `MAJ:MIN rbytes=N wbytes=N rios=N ...` per device. */
function ioStatTotals(s: string | undefined): IoStats {
  if (s === undefined) return { readBytes: null, writeBytes: null };
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of s.split('\n')) {
    for (const kv of line.trim().split(/\s+/).slice(1)) {
      const [k, v] = kv.split('=');
      if (k === 'rbytes') readBytes += int(v) ?? 0;
      if (k === 'wbytes') writeBytes += int(v) ?? 0;
    }
  }
  return { readBytes, writeBytes };
}

function statsV2(d: StatsDump): Omit<Stats, 'container' | 'cgroupVersion' | 'pid' | 'network' | 'containerView'> {
  const f = (file: string): string | undefined => d.get(`v2/${file}`);
  const [quotaText, periodText] = (f('cpu.max') ?? '').trim().split(/\s+/);
  const quota = quotaText === 'max' ? null : int(quotaText);
  const period = int(periodText);
  const cpuStat = parseKeyValues(f('cpu.stat'));
  const maxText = f('memory.max')?.trim();
  const usage = int(f('memory.current'));
  const memStat = parseKeyValues(f('memory.stat'));
  const events = parseKeyValues(f('memory.events'));
  const pidsMax = f('pids.max');
  return {
    cpu: {
      limitCores: quota !== null && quota > 0 && period !== null && period > 0 ? quota / period : null,
      quotaMicros: quota,
      periodMicros: period,
      shares: null,
      weight: int(f('cpu.weight')),
      cpuset: (f('cpuset.cpus.effective') ?? f('cpuset.cpus'))?.trim() || null,
      usageSeconds: div(cpuStat.get('usage_usec'), 1e6),
      periods: cpuStat.get('nr_periods') ?? null,
      throttledPeriods: cpuStat.get('nr_throttled') ?? null,
      throttledSeconds: div(cpuStat.get('throttled_usec'), 1e6),
    },
    memory: {
      limitBytes: maxText === 'max' ? null : int(maxText),
      usageBytes: usage,
      workingSetBytes: memStat.size === 0 ? null : sub(usage, memStat.get('inactive_file')),
      cacheBytes: memStat.get('file') ?? null,
      rssBytes: memStat.get('anon') ?? null,
      // v2 has no switch to turn the OOM killer off for a cgroup.
      oomKillerEnabled: true,
      oomKills: f('memory.events') === undefined ? null : (events.get('oom_kill') ?? 0),
    },
    io: ioStatTotals(f('io.stat')),
    pids: { current: int(f('pids.current')), max: pidsMax?.trim() === 'max' ? null : int(pidsMax) },
  };
}

export function buildStats(dump: StatsDump, container: string): Stats {
  const versionText = dump.get('cgroup-version');
  const headerVersion = [...dump.keys()].find((k) => k.startsWith('cgroup-version '))?.slice('cgroup-version '.length);
  const version = int(headerVersion ?? versionText);
  if (version !== 1 && version !== 2) {
    throw new Error('stats dump has no "### cgroup-version 1|2" header: the agent and this client disagree; rebuild both');
  }
  const pidKey = [...dump.keys()].find((k) => k.startsWith('pid '));
  const body = version === 1 ? statsV1(dump) : statsV2(dump);
  return {
    container,
    cgroupVersion: version,
    pid: int(pidKey?.slice(4)),
    ...body,
    network: parseNetDev(dump.get('proc/net/dev')),
    containerView: containerView(dump),
  };
}

export function parseStats(text: string, container: string): Stats {
  return buildStats(parseStatsSections(text), container);
}
