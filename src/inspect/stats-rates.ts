// Per-second rates between two `stats` samples, for --watch. A counter that
// went backwards (the container restarted, the cgroup changed) gives null.
import type { Stats } from './stats-parse.js';

export interface NetIfRates {
  readonly rxBytesPerSec: number | null;
  readonly txBytesPerSec: number | null;
  readonly rxPacketsPerSec: number | null;
  readonly txPacketsPerSec: number | null;
}

export interface StatsRates {
  readonly seconds: number;
  /** CPU time per wall second: 0.5 means half a core busy. */
  readonly cpuCores: number | null;
  readonly throttledPeriodsPerSec: number | null;
  readonly readBytesPerSec: number | null;
  readonly writeBytesPerSec: number | null;
  readonly network: Readonly<Record<string, NetIfRates>>;
}

function rate(prev: number | null | undefined, next: number | null | undefined, seconds: number): number | null {
  if (prev === null || prev === undefined || next === null || next === undefined || next < prev) return null;
  return (next - prev) / seconds;
}

export function computeRates(prev: Stats, next: Stats, seconds: number): StatsRates {
  if (!(seconds > 0)) throw new Error(`computeRates: seconds must be > 0, got ${seconds}`);
  const network: Record<string, NetIfRates> = {};
  for (const [name, n] of Object.entries(next.network)) {
    const p = prev.network[name];
    network[name] = {
      rxBytesPerSec: rate(p?.rxBytes, n.rxBytes, seconds),
      txBytesPerSec: rate(p?.txBytes, n.txBytes, seconds),
      rxPacketsPerSec: rate(p?.rxPackets, n.rxPackets, seconds),
      txPacketsPerSec: rate(p?.txPackets, n.txPackets, seconds),
    };
  }
  return {
    seconds,
    cpuCores: rate(prev.cpu.usageSeconds, next.cpu.usageSeconds, seconds),
    throttledPeriodsPerSec: rate(prev.cpu.throttledPeriods, next.cpu.throttledPeriods, seconds),
    readBytesPerSec: rate(prev.io.readBytes, next.io.readBytes, seconds),
    writeBytesPerSec: rate(prev.io.writeBytes, next.io.writeBytes, seconds),
    network,
  };
}
