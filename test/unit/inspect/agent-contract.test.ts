// The contract between the agent's `ns`/`stats` dumps and these parsers, on
// real data: the agent runs (under busybox sh, as in the helper image) against
// a pod made on this machine by test/agent/fake-pod.sh (real namespaces,
// kubelet-style cgroupfs v1 directories, a 64 MiB memory limit). Needs root.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, SHELLS, runAgent, startFakePod, stopFakePod, type FakePod } from '../../agent/helpers.js';
import { buildNsFindings } from '../../../src/inspect/ns-findings.js';
import { parseNsDump } from '../../../src/inspect/ns-parse.js';
import { parseStats } from '../../../src/inspect/stats-parse.js';

const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
const UID = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
const SID = hex(64);
const CID = hex(64);
const shell = SHELLS[0];

let fakePod: FakePod | undefined;
let dir: string;
let bin: string;
let sandboxPid = 0;
let containerPid = 0;

const agent = async (...args: string[]): Promise<string> => {
  const r = await runAgent(shell!, args, { PATH: `${bin}:${process.env.PATH ?? ''}`, NSDEBUG_RUN: join(dir, 'run'), NSDEBUG_HOST_ROOT: '/' });
  if (r.status !== 0) throw new Error(`agent ${args[0]} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
};

describe.skipIf(!IS_ROOT || shell === undefined)('agent dumps -> parsers (real fake pod)', () => {
  beforeAll(() => {
    fakePod = startFakePod('nsdebug-inspect-contract-', UID, SID, CID);
    ({ dir, bin, sandboxPid, containerPid } = fakePod);
  }, 30_000);

  afterAll(() => {
    if (fakePod) stopFakePod(fakePod, UID);
  }, 30_000);

  it('ns: entries and findings', async () => {
    const entries = parseNsDump(await agent('ns', '--pod-uid', UID, '--container', `app=${CID}`));
    expect(entries.map((e) => [e.kind, e.name, e.pid])).toEqual([
      ['container', 'app', containerPid],
      ['sandbox', 'sandbox', sandboxPid],
      ['node', 'node', expect.any(Number)],
    ]);
    const findings = buildNsFindings(entries, {
      shareProcessNamespace: false, hostNetwork: false, hostPID: false, hostIPC: false,
      containers: [{ name: 'app', state: 'running' }],
    });
    expect(findings).toContain('app shares net, ipc, uts with the sandbox');
    expect(findings).toContain('pid is private to app (shareProcessNamespace is off)');
  });

  it('stats: the 64 MiB limit, no cpu quota, the node memory seen inside', async () => {
    const s = parseStats(await agent('stats', '--pod-uid', UID, '--container-id', CID), 'app');
    expect(s.cgroupVersion).toBe(1);
    expect(s.pid).toBe(containerPid);
    expect(s.memory.limitBytes).toBe(67108864);
    expect(s.memory.usageBytes).toBeGreaterThan(0);
    expect(s.memory.workingSetBytes).not.toBeNull();
    expect(s.memory.oomKillerEnabled).toBe(true);
    expect(s.cpu.limitCores).toBeNull();
    expect(s.cpu.shares).toBeGreaterThan(0);
    expect(s.cpu.usageSeconds).not.toBeNull();
    expect(s.pids.current).toBe(2);
    expect(Object.keys(s.network)).toEqual(['lo']);
    const memTotalKb = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    expect(s.containerView.memTotalBytes).toBe(memTotalKb * 1024);
    expect(s.containerView.cpus).toBeGreaterThan(0);
  });
});
