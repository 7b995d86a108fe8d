import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countCpuList, parseNetDev, parseStats, parseStatsSections, type Stats } from '../../../src/inspect/stats-parse.js';
import { computeRates } from '../../../src/inspect/stats-rates.js';

const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const NODE_MEM = 24683656 * 1024; // MemTotal of the machine the fixtures came from

describe('stats v1 (real cgroupfs files, cpu 500m / memory 64Mi)', () => {
  const s = parseStats(fixture('stats-v1-limited.txt'), 'app');

  it('header', () => {
    expect([s.container, s.cgroupVersion, s.pid]).toEqual(['app', 1, 14425]);
  });
  it('cpu', () => {
    expect(s.cpu).toEqual({
      limitCores: 0.5,
      quotaMicros: 50000,
      periodMicros: 100000,
      shares: 512,
      weight: null,
      cpuset: '0-1',
      usageSeconds: 0.368872515,
      periods: 36,
      throttledPeriods: 1,
      throttledSeconds: 0.033663376,
    });
  });
  it('memory: total_* keys, working set = usage - total_inactive_file', () => {
    expect(s.memory).toEqual({
      limitBytes: 67108864,
      usageBytes: 35389440,
      workingSetBytes: 35389440 - 6291456,
      cacheBytes: 6295552,
      rssBytes: 28229632,
      oomKillerEnabled: true,
      oomKills: 0,
    });
  });
  it('io: Read/Write summed from the recursive file', () => {
    expect(s.io).toEqual({ readBytes: 8392704, writeBytes: 8388608 });
  });
  it('network: every interface of the pod netns', () => {
    expect(s.network).toEqual({
      lo: { rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0 },
      eth0: { rxBytes: 42238, txBytes: 4098, rxPackets: 47, txPackets: 13 },
    });
  });
  it('pids and the container view (the node, not the limit)', () => {
    expect(s.pids).toEqual({ current: 3, max: 1024 });
    expect(s.containerView).toEqual({ memTotalBytes: NODE_MEM, cpus: 2 });
  });
});

describe('stats v1 unlimited (BestEffort)', () => {
  const s = parseStats(fixture('stats-v1-unlimited.txt'), 'app');
  it('quota -1, the huge limit_in_bytes and pids "max" are null', () => {
    expect(s.cpu.limitCores).toBeNull();
    expect(s.cpu.quotaMicros).toBeNull();
    expect(s.cpu.shares).toBe(2);
    expect(s.memory.limitBytes).toBeNull();
    expect(s.pids.max).toBeNull();
  });
  it('still reports usage', () => {
    expect(s.memory.usageBytes).toBe(35348480);
    expect(s.memory.workingSetBytes).toBe(35348480 - 6291456);
    expect(s.cpu.usageSeconds).toBeCloseTo(0.132414522, 9);
    expect(s.cpu.throttledPeriods).toBe(0);
  });
  it('treats anything >= 2^60 as unlimited, below as a limit', () => {
    const dump = (limit: string): Stats =>
      parseStats(`### cgroup-version 1\n### v1/memory/memory.limit_in_bytes\n${limit}\n`, 'x');
    expect(dump('9223372036854771712').memory.limitBytes).toBeNull();
    expect(dump(String(2 ** 60)).memory.limitBytes).toBeNull();
    expect(dump('1152921504606846000').memory.limitBytes).toBe(1152921504606846000);
  });
});

describe('stats v1 details', () => {
  it('without total_* keys (no hierarchy) falls back to cache/rss/inactive_file', () => {
    const s = parseStats(
      '### cgroup-version 1\n### v1/memory/memory.usage_in_bytes\n1000\n### v1/memory/memory.stat\ncache 300\nrss 600\ninactive_file 200\n',
      'x',
    );
    expect(s.memory).toMatchObject({ usageBytes: 1000, workingSetBytes: 800, cacheBytes: 300, rssBytes: 600 });
  });
  it('oom_kill_disable 1: the OOM killer is off; oom_kill counted', () => {
    const s = parseStats('### cgroup-version 1\n### v1/memory/memory.oom_control\noom_kill_disable 1\nunder_oom 0\noom_kill 3\n', 'x');
    expect(s.memory.oomKillerEnabled).toBe(false);
    expect(s.memory.oomKills).toBe(3);
  });
  it('falls back to the non-recursive blkio file and sums devices', () => {
    const s = parseStats(
      '### cgroup-version 1\n### v1/blkio/blkio.throttle.io_service_bytes\n8:0 Read 10\n8:0 Write 20\n8:0 Total 30\n8:16 Read 1\n8:16 Write 2\nTotal 33\n',
      'x',
    );
    expect(s.io).toEqual({ readBytes: 11, writeBytes: 22 });
  });
  it('working set never goes below zero', () => {
    const s = parseStats('### cgroup-version 1\n### v1/memory/memory.usage_in_bytes\n100\n### v1/memory/memory.stat\ntotal_inactive_file 200\n', 'x');
    expect(s.memory.workingSetBytes).toBe(0);
  });
});

describe('stats v2 (cpu 500m / memory 64Mi)', () => {
  const s = parseStats(fixture('stats-v2-limited.txt'), 'app');
  it('cpu from cpu.max, cpu.weight, cpu.stat (usec)', () => {
    expect(s.cgroupVersion).toBe(2);
    expect(s.pid).toBe(21734);
    expect(s.cpu).toEqual({
      limitCores: 0.5,
      quotaMicros: 50000,
      periodMicros: 100000,
      shares: null,
      weight: 20,
      cpuset: '0-1',
      usageSeconds: 0.612391,
      periods: 41,
      throttledPeriods: 5,
      throttledSeconds: 0.118734,
    });
  });
  it('memory from memory.current/max/stat/events', () => {
    expect(s.memory).toEqual({
      limitBytes: 67108864,
      usageBytes: 36433920,
      workingSetBytes: 36433920 - 6303744,
      cacheBytes: 6725632,
      rssBytes: 28246016,
      oomKillerEnabled: true,
      oomKills: 1,
    });
  });
  it('io.stat rbytes/wbytes summed over devices', () => {
    expect(s.io).toEqual({ readBytes: 8388608 + 4096, writeBytes: 8392704 });
  });
  it('pids, network and container view', () => {
    expect(s.pids).toEqual({ current: 3, max: 1024 });
    expect(s.network.eth0).toEqual({ rxBytes: 42238, txBytes: 4098, rxPackets: 47, txPackets: 13 });
    expect(s.containerView).toEqual({ memTotalBytes: NODE_MEM, cpus: 2 });
  });
});

describe('stats v2 unlimited', () => {
  const s = parseStats(fixture('stats-v2-unlimited.txt'), 'app');
  it('"max" everywhere is null; empty io.stat is zero', () => {
    expect(s.cpu.limitCores).toBeNull();
    expect(s.cpu.quotaMicros).toBeNull();
    expect(s.cpu.weight).toBe(1);
    expect(s.memory.limitBytes).toBeNull();
    expect(s.memory.oomKills).toBe(0);
    expect(s.pids.max).toBeNull();
    expect(s.io).toEqual({ readBytes: 0, writeBytes: 0 });
  });
});

describe('missing files give null, not a guess', () => {
  it.each([1, 2])('cgroup v%i with only the header', (v) => {
    const s = parseStats(`### cgroup-version ${v}\n`, 'x');
    expect(s.pid).toBeNull();
    expect(s.cpu.limitCores).toBeNull();
    expect(s.cpu.usageSeconds).toBeNull();
    expect(s.cpu.cpuset).toBeNull();
    expect(s.memory.usageBytes).toBeNull();
    expect(s.memory.workingSetBytes).toBeNull();
    expect(s.memory.oomKills).toBeNull();
    expect(s.io).toEqual({ readBytes: null, writeBytes: null });
    expect(s.pids).toEqual({ current: null, max: null });
    expect(s.network).toEqual({});
    expect(s.containerView).toEqual({ memTotalBytes: null, cpus: null });
  });
  it('a dump without a version header is an error that says what to do', () => {
    expect(() => parseStats('### pid 1\n', 'x')).toThrow(/no "### cgroup-version 1\|2" header/);
  });
});

describe('helpers', () => {
  it('parseStatsSections keeps every section body', () => {
    const d = parseStatsSections('### a\n1\n2\n### b\n### c\nx\n');
    expect([...d]).toEqual([['a', '1\n2'], ['b', ''], ['c', 'x\n']]);
  });
  it('countCpuList', () => {
    expect(countCpuList('0-1')).toBe(2);
    expect(countCpuList('0-3,8,10-11\n')).toBe(7);
    expect(countCpuList('5')).toBe(1);
    expect(countCpuList('3-1')).toBeNull();
    expect(countCpuList('')).toBeNull();
  });
  it('parseNetDev skips the headers and short lines', () => {
    expect(Object.keys(parseNetDev('Inter-|   Receive\n face |bytes\n  eth0: 1 2\n'))).toEqual([]);
  });
});

describe('computeRates', () => {
  const a = parseStats(fixture('stats-v1-limited.txt'), 'app');
  const bump = (s: Stats, d: number): Stats => ({
    ...s,
    cpu: { ...s.cpu, usageSeconds: (s.cpu.usageSeconds ?? 0) + d, throttledPeriods: (s.cpu.throttledPeriods ?? 0) + 4 },
    io: { readBytes: (s.io.readBytes ?? 0) + 2048, writeBytes: (s.io.writeBytes ?? 0) + 4096 },
    network: { ...s.network, eth0: { rxBytes: 42238 + 2000, txBytes: 4098 + 1000, rxPackets: 47 + 20, txPackets: 13 + 10 } },
  });
  it('per second over the interval', () => {
    const r = computeRates(a, bump(a, 1), 2);
    expect(r.cpuCores).toBeCloseTo(0.5, 9);
    expect(r.throttledPeriodsPerSec).toBe(2);
    expect(r.readBytesPerSec).toBe(1024);
    expect(r.writeBytesPerSec).toBe(2048);
    expect(r.network.eth0).toEqual({ rxBytesPerSec: 1000, txBytesPerSec: 500, rxPacketsPerSec: 10, txPacketsPerSec: 5 });
    expect(r.network.lo).toEqual({ rxBytesPerSec: 0, txBytesPerSec: 0, rxPacketsPerSec: 0, txPacketsPerSec: 0 });
  });
  it('a counter that went backwards (restart) or a new interface gives null', () => {
    const r = computeRates(bump(a, 1), a, 1);
    expect(r.cpuCores).toBeNull();
    expect(r.network.eth0?.rxBytesPerSec).toBeNull();
    const withNew = { ...a, network: { ...a.network, eth1: { rxBytes: 1, txBytes: 1, rxPackets: 1, txPackets: 1 } } };
    expect(computeRates(a, withNew, 1).network.eth1?.rxBytesPerSec).toBeNull();
  });
  it('rejects a zero interval', () => {
    expect(() => computeRates(a, a, 0)).toThrow(/seconds must be > 0/);
  });
});
