// The agent's catch progress (docs/design.md, "The agent", mode catch): one
// `nsdebug-catch: EVENT KEY=VALUE...` line each on stderr. Pure parsing; any
// other stderr line is the agent's or the session's own and passes through.

export type CatchEvent =
  | { readonly kind: 'waiting'; readonly freezer: 'v1' | 'v2'; readonly timeoutSeconds: number }
  | { readonly kind: 'vanished'; readonly containerId: string; readonly livedMs: number }
  | {
      readonly kind: 'frozen';
      readonly containerId: string;
      readonly pid: number;
      /** The entrypoint's process state just before the freeze (R, S, D...). */
      readonly state: string;
      readonly procs: number;
      readonly cpuTicks?: number;
      readonly hz: number;
      /** From the init's start (its clone by the runtime, before the exec) to the freeze. */
      readonly startToFreezeMs: number;
      /** From when the agent first listed the container's cgroup to the freeze. */
      readonly seenToFreezeMs: number;
      readonly settleMs: number;
    }
  | { readonly kind: 'escaped'; readonly containerId: string; readonly livedMs: number }
  | { readonly kind: 'released'; readonly containerId: string; readonly action: 'thaw' | 'kill'; readonly frozenMs?: number };

const PREFIX = 'nsdebug-catch: ';
const ID = /^[0-9a-f]{12,64}$/;

/** One stderr line (without its newline) -> the event, or undefined for any other line. */
export function parseCatchEvent(line: string): CatchEvent | undefined {
  if (!line.startsWith(PREFIX)) return undefined;
  const [kind, ...pairs] = line.slice(PREFIX.length).split(' ');
  const f = new Map<string, string>();
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq > 0) f.set(p.slice(0, eq), p.slice(eq + 1));
  }
  const int = (key: string) => {
    const v = f.get(key);
    return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
  };
  const id = f.get('container');
  switch (kind) {
    case 'waiting': {
      const freezer = f.get('freezer');
      const timeoutSeconds = int('timeout');
      if ((freezer !== 'v1' && freezer !== 'v2') || timeoutSeconds === undefined) return undefined;
      return { kind, freezer, timeoutSeconds };
    }
    case 'vanished':
    case 'escaped': {
      const livedMs = int('lived_ms');
      if (id === undefined || !ID.test(id) || livedMs === undefined) return undefined;
      return { kind, containerId: id, livedMs };
    }
    case 'frozen': {
      const pid = int('pid');
      const procs = int('procs');
      const hz = int('hz');
      const startToFreezeMs = int('start_to_freeze_ms');
      const seenToFreezeMs = int('seen_to_freeze_ms');
      const settleMs = int('settle_ms');
      const state = f.get('state') ?? '?';
      if (id === undefined || !ID.test(id) || pid === undefined || procs === undefined || hz === undefined) return undefined;
      if (startToFreezeMs === undefined || seenToFreezeMs === undefined || settleMs === undefined) return undefined;
      const cpuTicks = int('cpu_ticks');
      return {
        kind,
        containerId: id,
        pid,
        state: /^[A-Za-z?]$/.test(state) ? state : '?',
        procs,
        ...(cpuTicks !== undefined ? { cpuTicks } : {}),
        hz,
        startToFreezeMs,
        seenToFreezeMs,
        settleMs,
      };
    }
    case 'released': {
      const action = f.get('action');
      if (id === undefined || !ID.test(id) || (action !== 'thaw' && action !== 'kill')) return undefined;
      const frozenMs = int('frozen_ms');
      return { kind, containerId: id, action, ...(frozenMs !== undefined ? { frozenMs } : {}) };
    }
    default:
      return undefined;
  }
}
