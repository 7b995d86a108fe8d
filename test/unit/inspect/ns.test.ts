import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildNsFindings, joinNames, type PodFacts } from '../../../src/inspect/ns-findings.js';
import { parseNsDump } from '../../../src/inspect/ns-parse.js';
import { buildPodFacts } from '../../../src/inspect/pod-facts.js';
import { buildNsReport, renderNsJson, renderNsTable, shouldColor } from '../../../src/inspect/ns-render.js';

const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

const facts = (over: Partial<PodFacts> = {}): PodFacts => ({
  shareProcessNamespace: false,
  hostNetwork: false,
  hostPID: false,
  hostIPC: false,
  containers: [
    { name: 'app', state: 'running' },
    { name: 'sidecar', state: 'running' },
  ],
  ...over,
});

describe('parseNsDump', () => {
  it('reads kind, name, pid and every inode', () => {
    const entries = parseNsDump(fixture('ns-two-containers.txt'));
    expect(entries.map((e) => [e.kind, e.name, e.pid])).toEqual([
      ['container', 'app', 2260],
      ['container', 'sidecar', 2301],
      ['sandbox', 'sandbox', 2201],
      ['node', 'node', 1],
    ]);
    expect(entries[0]?.namespaces).toEqual({
      net: 4026532300, pid: 4026532303, mnt: 4026532302, uts: 4026532298,
      ipc: 4026532296, user: 4026531837, cgroup: 4026531835, time: 4026531834,
    });
  });

  it('leaves out a type the kernel lacks (type:-)', () => {
    const [e] = parseNsDump('node\tnode\t1\tnet:4026531833 pid:4026531836 time:-\n');
    expect(e?.namespaces).toEqual({ net: 4026531833, pid: 4026531836 });
  });

  it('rejects malformed lines with the line number', () => {
    expect(() => parseNsDump('container app 12 net:1')).toThrow(/line 1: expected 4 tab-separated fields/);
    expect(() => parseNsDump('pod\tapp\t12\tnet:1')).toThrow(/unknown kind "pod"/);
    expect(() => parseNsDump('\ncontainer\tapp\t0\tnet:1')).toThrow(/line 2: bad pid "0"/);
    expect(() => parseNsDump('container\tapp\t12\tfoo:1')).toThrow(/bad namespace field "foo:1"/);
    expect(() => parseNsDump('container\tapp\t12\tnet:x')).toThrow(/bad namespace field "net:x"/);
  });
});

describe('buildNsFindings', () => {
  it('two containers: share net, ipc, uts with the sandbox; pid private', () => {
    expect(buildNsFindings(parseNsDump(fixture('ns-two-containers.txt')), facts())).toEqual([
      'app and sidecar share net, ipc, uts with the sandbox',
      'pid is private to each container (shareProcessNamespace is off)',
      'mnt is private to each container',
      "user, cgroup, time are the node's",
    ]);
  });

  it('shareProcessNamespace: pid shared by all containers', () => {
    const f = buildNsFindings(parseNsDump(fixture('ns-share-pid.txt')), facts({ shareProcessNamespace: true }));
    expect(f).toContain('app and sidecar share net, ipc, uts, pid with the sandbox');
    expect(f).toContain('pid is shared by all containers (shareProcessNamespace)');
    expect(f.some((l) => l.startsWith('pid is private'))).toBe(false);
  });

  it('says when the facts and the inodes disagree', () => {
    expect(buildNsFindings(parseNsDump(fixture('ns-share-pid.txt')), facts())).toContain(
      'pid is shared by all containers although shareProcessNamespace is off',
    );
    expect(buildNsFindings(parseNsDump(fixture('ns-two-containers.txt')), facts({ hostNetwork: true }))).toContain(
      "hostNetwork is on but net differs from the node's",
    );
  });

  it("hostNetwork: net is the node's", () => {
    const f = buildNsFindings(parseNsDump(fixture('ns-host-network.txt')), facts({
      hostNetwork: true,
      containers: [{ name: 'web', state: 'running' }],
    }));
    expect(f).toContain("hostNetwork: net is the node's");
    expect(f).toContain('web shares net, ipc, uts with the sandbox');
    expect(f).toContain('pid is private to web (shareProcessNamespace is off)');
  });

  it('non-running containers: no process, the sandbox still holds net', () => {
    const entries = parseNsDump(fixture('ns-two-containers.txt')).filter((e) => e.name !== 'sidecar');
    const f = buildNsFindings(entries, facts({
      containers: [{ name: 'app', state: 'running' }, { name: 'sidecar', state: 'waiting', reason: 'CrashLoopBackOff' }],
    }));
    expect(f).toContain('app shares net, ipc, uts with the sandbox');
    expect(f).toContain("sidecar is waiting (CrashLoopBackOff): no process to enter; the sandbox still holds the pod's net (use --sandbox)");
  });

  it('joins names the English way', () => {
    expect(joinNames(['a'])).toBe('a');
    expect(joinNames(['a', 'b'])).toBe('a and b');
    expect(joinNames(['a', 'b', 'c'])).toBe('a, b and c');
  });
});

describe('ns report rendering', () => {
  const withWaiting = () =>
    buildNsReport({
      pod: 'web',
      namespace: 'default',
      node: 'vm',
      entries: parseNsDump(fixture('ns-two-containers.txt')).filter((e) => e.name !== 'sidecar'),
      facts: facts({
        containers: [{ name: 'app', state: 'running' }, { name: 'sidecar', state: 'waiting', reason: 'ErrImagePull' }],
      }),
    });

  it('orders sandbox, containers (spec order), node; non-running has pid null, no namespaces, a state', () => {
    const r = withWaiting();
    expect(r.entries.map((e) => [e.kind, e.name, e.pid])).toEqual([
      ['sandbox', 'sandbox', 2201],
      ['container', 'app', 2260],
      ['container', 'sidecar', null],
      ['node', 'vm', 1],
    ]);
    const json = JSON.parse(renderNsJson(r)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['pod', 'namespace', 'node', 'entries', 'findings']);
    expect((json.entries as unknown[])[2]).toEqual({
      name: 'sidecar', kind: 'container', pid: null, namespaces: {}, state: 'waiting', reason: 'ErrImagePull',
    });
    expect((json.entries as { namespaces: Record<string, number> }[])[1]?.namespaces.net).toBe(4026532300);
  });

  it('table: the same letter for the same inode in each column', () => {
    expect(renderNsTable(withWaiting(), { color: false })).toBe(
      [
        'pod default/web on node vm',
        '',
        'NAME     KIND       PID   NET  PID  MNT  UTS  IPC  USER  CGROUP  TIME',
        'sandbox  sandbox    2201  A    A    A    A    A    A     A       A',
        'app      container  2260  A    B    B    A    A    A     A       A',
        'sidecar  container  -  waiting (ErrImagePull)',
        'vm       node       1     B    C    C    B    B    A     A       A',
        '',
        'net:    A=4026532300  B=4026531833',
        'pid:    A=4026532299  B=4026532303  C=4026531836',
        'mnt:    A=4026532297  B=4026532302  C=4026531832',
        'uts:    A=4026532298  B=4026531838',
        'ipc:    A=4026532296  B=4026531839',
        'user:   A=4026531837',
        'cgroup: A=4026531835',
        'time:   A=4026531834',
        '',
        '- app shares net, ipc, uts with the sandbox',
        '- pid is private to app (shareProcessNamespace is off)',
        '- mnt is private to app',
        "- user, cgroup, time are the node's",
        "- sidecar is waiting (ErrImagePull): no process to enter; the sandbox still holds the pod's net (use --sandbox)",
        '',
      ].join('\n'),
    );
  });

  it('colour: one colour per letter, and only when asked', () => {
    const coloured = renderNsTable(withWaiting(), { color: true });
    expect(coloured).toContain('\u001b[32mA\u001b[0m');
    expect(coloured).toContain('\u001b[33mB\u001b[0m');
    expect(renderNsTable(withWaiting(), { color: false })).not.toContain('\u001b[');
  });

  it('shouldColor honours NO_COLOR and the TTY', () => {
    expect(shouldColor(true, {})).toBe(true);
    expect(shouldColor(true, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor(true, { NO_COLOR: '' })).toBe(true);
    expect(shouldColor(false, {})).toBe(false);
    expect(shouldColor(undefined, {})).toBe(false);
  });
});

describe('buildPodFacts', () => {
  it('reads the sharing flags and the app containers with their states', () => {
    const f = buildPodFacts({
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        shareProcessNamespace: true,
        hostNetwork: true,
        initContainers: [{ name: 'init' }],
        containers: [{ name: 'app' }, { name: 'sidecar' }, { name: 'late' }],
      },
      status: {
        initContainerStatuses: [{ name: 'init', image: '', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        containerStatuses: [
          { name: 'app', image: '', imageID: '', ready: true, restartCount: 0, containerID: 'containerd://' + 'a'.repeat(64), state: { running: {} } },
          { name: 'sidecar', image: '', imageID: '', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
    });
    expect(f).toEqual({
      shareProcessNamespace: true,
      hostNetwork: true,
      hostPID: false,
      hostIPC: false,
      containers: [
        { name: 'app', state: 'running' },
        { name: 'sidecar', state: 'waiting', reason: 'CrashLoopBackOff' },
        { name: 'late', state: 'unknown' },
      ],
    });
  });
});
