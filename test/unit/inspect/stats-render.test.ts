import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStats, type Stats } from '../../../src/inspect/stats-parse.js';
import { computeRates } from '../../../src/inspect/stats-rates.js';
import { formatBytes, renderStatsLine, renderStatsRates, renderStatsTable } from '../../../src/inspect/stats-render.js';

const stats = (name: string): Stats =>
  parseStats(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8'), 'app');

describe('formatBytes', () => {
  it('binary units, one decimal', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(67108864)).toBe('64.0 MiB');
    expect(formatBytes(24683656 * 1024)).toBe('23.5 GiB');
    expect(formatBytes(null)).toBe('?');
  });
});

describe('renderStatsTable', () => {
  it('v1 limited: the limit beside what /proc shows', () => {
    expect(renderStatsTable(stats('stats-v1-limited.txt'))).toMatchInlineSnapshot(`
      "container app (cgroup v1, pid 14425)

                real limit (cgroup)    what the container sees (/proc)
      CPU       0.5 cores              2 CPUs (nproc)
      Memory    64.0 MiB               23.5 GiB (free)

      CPU       quota 50000/100000 µs, shares 512, cpuset 0-1
                usage 0.37 s, throttled 1 of 36 periods (0.03 s)
      Memory    usage 33.8 MiB, working set 27.8 MiB, cache 6.0 MiB, rss 26.9 MiB
                OOM killer on, 0 OOM kills
      Block IO  read 8.0 MiB, written 8.0 MiB
      Network   lo    rx 0 B (0 packets), tx 0 B (0 packets)
                eth0  rx 41.2 KiB (47 packets), tx 4.0 KiB (13 packets)
      PIDs      3 of 1024
      "
    `);
  });
  it('v2 unlimited', () => {
    expect(renderStatsTable(stats('stats-v2-unlimited.txt'))).toMatchInlineSnapshot(`
      "container app (cgroup v2, pid 22051)

                real limit (cgroup)    what the container sees (/proc)
      CPU       unlimited              2 CPUs (nproc)
      Memory    unlimited              23.5 GiB (free)

      CPU       no quota, weight 1, cpuset 0-1
                usage 0.19 s, throttled 0 of 0 periods (0.00 s)
      Memory    usage 33.5 MiB, working set 27.5 MiB, cache 6.0 MiB, rss 26.8 MiB
                OOM killer on, 0 OOM kills
      Block IO  read 0 B, written 0 B
      Network   lo    rx 0 B (0 packets), tx 0 B (0 packets)
                eth0  rx 41.2 KiB (47 packets), tx 4.1 KiB (14 packets)
      PIDs      3 of unlimited
      "
    `);
  });
});

describe('renderStatsLine', () => {
  it('first sample: totals; later samples: rates per second', () => {
    const a = stats('stats-v1-limited.txt');
    const b: Stats = {
      ...a,
      cpu: { ...a.cpu, usageSeconds: (a.cpu.usageSeconds ?? 0) + 0.45, throttledPeriods: (a.cpu.throttledPeriods ?? 0) + 3 },
      io: { readBytes: a.io.readBytes, writeBytes: (a.io.writeBytes ?? 0) + 1048576 },
      network: { ...a.network, eth0: { rxBytes: 42238 + 1500, txBytes: 4098 + 300, rxPackets: 50, txPackets: 15 } },
    };
    const at = new Date('2026-01-02T03:04:05Z');
    expect(renderStatsLine(a, null, at)).toMatchInlineSnapshot(`"03:04:05  cpu 0.37 s (limit 0.5)  mem 33.8 MiB/64.0 MiB ws 27.8 MiB  io r 8.0 MiB w 8.0 MiB  eth0 rx 41.2 KiB tx 4.0 KiB  pids 3"`);
    expect(renderStatsLine(b, computeRates(a, b, 1), at)).toMatchInlineSnapshot(`"03:04:05  cpu 0.45 cores (limit 0.5) thr 3.0/s  mem 33.8 MiB/64.0 MiB ws 27.8 MiB  io r 0 B/s w 1.0 MiB/s  eth0 rx 1.5 KiB/s tx 300 B/s  pids 3"`);
  });
});

describe('renderStatsRates', () => {
  it('per-second rates per interface; a placeholder for the first sample', () => {
    const a = stats('stats-v2-limited.txt');
    const b: Stats = { ...a, cpu: { ...a.cpu, usageSeconds: (a.cpu.usageSeconds ?? 0) + 0.25 }, network: { ...a.network, eth0: { rxBytes: 42238 + 2048, txBytes: 4098, rxPackets: 49, txPackets: 13 } } };
    expect(renderStatsRates(null)).toBe('Rates     (from the next sample on)\n');
    expect(renderStatsRates(computeRates(a, b, 0.5))).toMatchInlineSnapshot(`
      "Rates     CPU 0.50 cores, throttled 0.0 periods/s
                Block IO read 0 B/s, write 0 B/s
                lo rx 0 B/s (0.0 packets/s), tx 0 B/s (0.0 packets/s)
                eth0 rx 4.0 KiB/s (4.0 packets/s), tx 0 B/s (0.0 packets/s)
      "
    `);
  });
});
