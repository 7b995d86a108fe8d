// `ns` and `stats` on the real cluster: the namespace sharing the kernel
// reports for pods with different specs, and the cgroup limits and usage
// beside what the container itself sees.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyPod, buildPod, deletePod, execInPod, kubectl, uniqueName, waitPodRunning, NODE_NAME, type PodJson } from './helpers/cluster.js';
import { HELPER_SELECTOR, nsdebug } from './helpers/nsdebug.js';

const SLEEP = ['sleep', '3600'];
const HTTPD = ['sh', '-c', 'mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www'];
const limited = uniqueName('limited');
const unlimited = uniqueName('unlimited');
const duo = uniqueName('duo');
const sharer = uniqueName('sharepid');
const hostnet = uniqueName('hostnet');
let limitedPod: PodJson;

interface StatsJson {
  container: string;
  cgroupVersion: 1 | 2;
  cpu: { limitCores: number | null; usageSeconds: number | null };
  memory: { limitBytes: number | null; usageBytes: number; workingSetBytes: number; oomKillerEnabled: boolean; oomKills: number };
  network: Record<string, { rxBytes: number; txBytes: number; rxPackets: number; txPackets: number }>;
  pids: { current: number | null; max: number | null };
  containerView: { memTotalBytes: number; cpus: number };
}

interface NsJson {
  pod: string;
  node: string;
  entries: Array<{ name: string; kind: string; pid: number | null; namespaces: Record<string, number> }>;
  findings: string[];
}

async function statsJson(name: string, ...extra: string[]): Promise<StatsJson> {
  const r = await nsdebug(['stats', `pod/${name}`, '-o', 'json', ...extra]);
  expect(r.stderr).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as StatsJson;
}

async function nsJson(name: string): Promise<NsJson> {
  const r = await nsdebug(['ns', `pod/${name}`, '-o', 'json']);
  expect(r.stderr).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as NsJson;
}

function entry(report: NsJson, name: string, kind = 'container'): NsJson['entries'][number] {
  const e = report.entries.find((x) => x.name === name && x.kind === kind);
  if (!e) throw new Error(`no ${kind} entry ${name} in ${JSON.stringify(report.entries)}`);
  return e;
}

beforeAll(async () => {
  const limits = { cpu: '500m', memory: '64Mi' };
  await Promise.all([
    applyPod(buildPod(limited, [{ name: 'app', command: HTTPD, resources: { requests: limits, limits } }])),
    applyPod(buildPod(unlimited, [{ name: 'app', command: SLEEP }])),
    applyPod(buildPod(duo, [{ name: 'app', command: SLEEP }, { name: 'sidecar', command: ['sleep', '7777'] }])),
    applyPod(buildPod(sharer, [{ name: 'app', command: SLEEP }, { name: 'sidecar', command: ['sleep', '7777'] }], { shareProcessNamespace: true })),
    applyPod(buildPod(hostnet, [{ name: 'app', command: SLEEP }], { hostNetwork: true })),
  ]);
  const running = await Promise.all([limited, unlimited, duo, sharer, hostnet].map((n) => waitPodRunning(n)));
  limitedPod = running[0]!;
}, 180_000);

afterAll(async () => {
  await Promise.all([limited, unlimited, duo, sharer, hostnet].map((n) => deletePod(n)));
});

/** Helper pods (any phase) whose target is one of this file's pods: other suites may run helpers of their own. */
async function ourHelpers(): Promise<string[]> {
  const list = JSON.parse(await kubectl(['get', 'pods', '-A', '-l', HELPER_SELECTOR, '-o', 'json'])) as {
    items: Array<{ metadata: { namespace: string; name: string; annotations?: Record<string, string> } }>;
  };
  const ours = new Set([limited, unlimited, duo, sharer, hostnet].map((n) => `pod/default/${n}`));
  return list.items.filter((p) => ours.has(p.metadata.annotations?.['nsdebug.dev/target'] ?? '')).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
}

afterEach(async () => {
  // Every command removes its helper on the way out.
  expect(await ourHelpers()).toEqual([]);
});

describe('kubectl nsdebug stats', () => {
  it('cpu 500m / memory 64Mi: 0.5 cores and 67108864 bytes; the container sees the node', async () => {
    const s = await statsJson(limited);
    expect(s.container).toBe('app');
    expect(s.cpu.limitCores).toBe(0.5);
    expect(s.memory.limitBytes).toBe(67108864);
    expect(s.memory.oomKillerEnabled).toBe(true);
    expect(s.memory.oomKills).toBe(0);
    expect(s.memory.usageBytes).toBeGreaterThan(0);
    expect(s.cpu.usageSeconds).toBeGreaterThan(0);
    // `free` inside shows the node's memory (its capacity is MemTotal), not 64Mi.
    const capacity = await kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.capacity.memory}']);
    expect(capacity).toMatch(/^[0-9]+Ki$/);
    expect(s.containerView.memTotalBytes).toBe(Number.parseInt(capacity, 10) * 1024);
    const cpus = await kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.capacity.cpu}']);
    expect(s.containerView.cpus).toBe(Number(cpus));
  });

  it('memory usage and working set rise when the container allocates', async () => {
    const before = await statsJson(limited);
    // tmpfs pages are anon-backed: charged to the container and never inactive_file.
    const dd = await execInPod(limited, ['dd', 'if=/dev/zero', 'of=/dev/shm/ballast', 'bs=1M', 'count=24']);
    expect(dd.code).toBe(0);
    try {
      const after = await statsJson(limited);
      expect(after.memory.usageBytes - before.memory.usageBytes).toBeGreaterThan(20 * 1024 * 1024);
      expect(after.memory.workingSetBytes - before.memory.workingSetBytes).toBeGreaterThan(20 * 1024 * 1024);
    } finally {
      await execInPod(limited, ['rm', '-f', '/dev/shm/ballast']);
    }
  });

  it('rx bytes of eth0 rise with traffic into the pod', async () => {
    const before = await statsJson(limited);
    for (let i = 0; i < 20; i += 1) {
      const res = await fetch(`http://${limitedPod.status.podIP}:8080/index.html`);
      expect(await res.text()).toBe('hello\n');
    }
    const after = await statsJson(limited);
    const rx = (after.network.eth0?.rxBytes ?? 0) - (before.network.eth0?.rxBytes ?? 0);
    const rxPackets = (after.network.eth0?.rxPackets ?? 0) - (before.network.eth0?.rxPackets ?? 0);
    expect(rx).toBeGreaterThan(20 * 60); // 20 requests, each well over 60 bytes
    expect(rxPackets).toBeGreaterThanOrEqual(20 * 3);
    expect(after.network.eth0!.txBytes).toBeGreaterThan(before.network.eth0!.txBytes);
  });

  it('a pod with no limits reports null limits', async () => {
    const s = await statsJson(unlimited);
    expect(s.cpu.limitCores).toBeNull();
    expect(s.memory.limitBytes).toBeNull();
    expect(s.memory.usageBytes).toBeGreaterThan(0);
  });

  it('the table puts the limit beside what /proc shows', async () => {
    const r = await nsdebug(['stats', `pod/${limited}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^CPU\s+0\.5 cores\s+\d+ CPUs? \(nproc\)$/m);
    expect(r.stdout).toMatch(/^Memory\s+64\.0 MiB\s+[\d.]+ GiB \(free\)$/m);
  });

  it('--watch off a terminal prints one line per second with rates; Ctrl-C removes the helper', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn('kubectl', ['nsdebug', 'stats', `pod/${limited}`, '--watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buf = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        const parts = buf.split('\n');
        buf = parts.pop() ?? '';
        lines.push(...parts);
        if (lines.length >= 3) {
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.on('exit', (c) => resolve(c));
    });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toMatch(/cpu [\d.]+ s \(limit 0\.5\).*mem .*\/64\.0 MiB/);
    expect(lines[1]).toMatch(/cpu [\d.]+ cores \(limit 0\.5\) thr [\d.]+\/s .* eth0 rx .*\/s tx .*\/s/);
    expect(code).toBe(130);
  });
});

describe('kubectl nsdebug ns', () => {
  it('two containers share net, ipc, uts with the sandbox and have their own pid', async () => {
    const r = await nsJson(duo);
    const [app, sidecar, sandbox] = [entry(r, 'app'), entry(r, 'sidecar'), entry(r, 'sandbox', 'sandbox')];
    for (const t of ['net', 'ipc', 'uts']) {
      expect(app.namespaces[t]).toBe(sandbox.namespaces[t]);
      expect(sidecar.namespaces[t]).toBe(sandbox.namespaces[t]);
    }
    expect(app.namespaces.pid).not.toBe(sidecar.namespaces.pid);
    expect(app.namespaces.pid).not.toBe(sandbox.namespaces.pid);
    expect(r.findings).toContain('app and sidecar share net, ipc, uts with the sandbox');
    expect(r.findings).toContain('pid is private to each container (shareProcessNamespace is off)');
    expect(r.node).toBe(NODE_NAME);
    expect(entry(r, NODE_NAME, 'node').namespaces.net).not.toBe(sandbox.namespaces.net);
  });

  it('shareProcessNamespace: all containers share pid', async () => {
    const r = await nsJson(sharer);
    const [app, sidecar, sandbox] = [entry(r, 'app'), entry(r, 'sidecar'), entry(r, 'sandbox', 'sandbox')];
    expect(app.namespaces.pid).toBe(sidecar.namespaces.pid);
    expect(app.namespaces.pid).toBe(sandbox.namespaces.pid);
    expect(r.findings).toContain('app and sidecar share net, ipc, uts, pid with the sandbox');
    expect(r.findings).toContain('pid is shared by all containers (shareProcessNamespace)');
  });

  it("hostNetwork: net is the node's", async () => {
    const r = await nsJson(hostnet);
    expect(entry(r, 'app').namespaces.net).toBe(entry(r, NODE_NAME, 'node').namespaces.net);
    expect(r.findings).toContain("hostNetwork: net is the node's");
  });

  it('the table shows one letter per inode, and the findings', async () => {
    const res = await nsdebug(['ns', `pod/${duo}`], { env: { ...process.env, NO_COLOR: '1' } });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^NAME\s+KIND\s+PID\s+NET\s+PID\s+MNT\s+UTS\s+IPC\s+USER\s+CGROUP\s+TIME$/m);
    expect(res.stdout).toMatch(/^sandbox\s+sandbox\s+\d+\s+A\s+A\s+A\s+A\s+A/m);
    expect(res.stdout).toMatch(/^app\s+container\s+\d+\s+A\s+B\s+B\s+A\s+A/m);
    expect(res.stdout).toContain('- app and sidecar share net, ipc, uts with the sandbox');
    expect(res.stdout).not.toContain('\u001b[');
  });
});
