import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildHelperPrivileges, helperKindFor, helperServes, podTargetCapabilities, type HelperUse } from '../../src/helper/privileges.js';

const ENTER = ['SYS_ADMIN', 'SYS_CHROOT', 'SYS_PTRACE'];
const DEBUG = ['KILL', 'NET_ADMIN', 'NET_RAW'];
const DEFAULTS = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
const sorted = (...lists: string[][]) => [...new Set(lists.flat())].sort();
const tmp = { volume: { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }, mount: { name: 'tmp', mountPath: '/tmp' } };
const root = (readOnly: boolean) => ({
  volume: { name: 'host-root', hostPath: { path: '/', type: 'Directory' } },
  mount: { name: 'host-root', mountPath: '/host', ...(readOnly ? { readOnly: true, recursiveReadOnly: 'IfPossible' } : {}) },
});
const cgroup = (readOnly: boolean) => ({
  volume: { name: 'host-cgroup', hostPath: { path: '/sys/fs/cgroup', type: 'Directory' } },
  mount: { name: 'host-cgroup', mountPath: '/host/sys/fs/cgroup', ...(readOnly ? { readOnly: true, recursiveReadOnly: 'IfPossible' } : {}) },
});
const confined = (add: string[], noEscalation = true) => ({
  privileged: false,
  ...(noEscalation ? { allowPrivilegeEscalation: false } : {}),
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'], add },
  seccompProfile: { type: 'RuntimeDefault' },
});

describe('buildHelperPrivileges', () => {
  const cases: Array<[string, HelperUse, unknown]> = [
    ['node session: privileged, the node\'s / writable, its IPC namespace', { job: 'node-session' }, {
      kind: 'node-session', hostIPC: true, securityContext: { privileged: true },
      volumes: [root(false).volume], volumeMounts: [root(false).mount],
    }],
    ['pod session, helper tools: enter and debug, no node path', { job: 'session', tools: 'helper' }, {
      kind: 'pod-helper-tools', hostIPC: false, securityContext: confined(sorted(ENTER, DEBUG)),
      volumes: [tmp.volume], volumeMounts: [tmp.mount],
    }],
    ['pod session, host tools: the node\'s / read-only', { job: 'session', tools: 'host' }, {
      kind: 'pod-host-tools', hostIPC: false, securityContext: confined(sorted(ENTER, DEBUG)),
      volumes: [root(true).volume, tmp.volume], volumeMounts: [root(true).mount, tmp.mount],
    }],
    ['pod session, target tools: become the target, writable cgroups', { job: 'session', tools: 'target' }, {
      kind: 'pod-target-tools', hostIPC: false, securityContext: confined(sorted(ENTER, ['SETUID', 'SETGID', 'SETPCAP'], DEFAULTS), false),
      volumes: [cgroup(false).volume, tmp.volume], volumeMounts: [cgroup(false).mount, tmp.mount],
    }],
    ['catch with target tools (its default) is the target-tools helper', { job: 'catch', tools: 'target' }, {
      kind: 'pod-target-tools', hostIPC: false, securityContext: confined(sorted(ENTER, ['SETUID', 'SETGID', 'SETPCAP'], DEFAULTS), false),
      volumes: [cgroup(false).volume, tmp.volume], volumeMounts: [cgroup(false).mount, tmp.mount],
    }],
    ['catch with helper tools: the freezer writable, nothing else of the node', { job: 'catch', tools: 'helper' }, {
      kind: 'catch-helper-tools', hostIPC: false, securityContext: confined(sorted(ENTER, DEBUG)),
      volumes: [cgroup(false).volume, tmp.volume], volumeMounts: [cgroup(false).mount, tmp.mount],
    }],
    ['catch with host tools: / read-only, cgroups writable', { job: 'catch', tools: 'host' }, {
      kind: 'catch-host-tools', hostIPC: false, securityContext: confined(sorted(ENTER, DEBUG)),
      volumes: [root(true).volume, cgroup(false).volume, tmp.volume], volumeMounts: [root(true).mount, cgroup(false).mount, tmp.mount],
    }],
    ['ns: reads namespace links only', { job: 'ns' }, {
      kind: 'ns', hostIPC: false, securityContext: confined(['SYS_PTRACE']),
      volumes: [tmp.volume], volumeMounts: [tmp.mount],
    }],
    ['stats: cgroup files read-only', { job: 'stats' }, {
      kind: 'stats', hostIPC: false, securityContext: confined(['SYS_PTRACE']),
      volumes: [cgroup(true).volume, tmp.volume], volumeMounts: [cgroup(true).mount, tmp.mount],
    }],
    ['cp: enter, and tar on files of any owner', { job: 'cp' }, {
      kind: 'cp', hostIPC: false, securityContext: confined(sorted(ENTER, ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID'])),
      volumes: [tmp.volume], volumeMounts: [tmp.mount],
    }],
    ['diff: the node\'s / read-only, read any owner\'s files', { job: 'diff' }, {
      kind: 'diff', hostIPC: false, securityContext: confined(['DAC_READ_SEARCH', 'SYS_PTRACE']),
      volumes: [root(true).volume, tmp.volume], volumeMounts: [root(true).mount, tmp.mount],
    }],
  ];
  it.each(cases)('%s', (_name, use, expected) => {
    expect(buildHelperPrivileges(use)).toEqual(expected);
  });

  it('never mounts the node\'s / writable outside node sessions', () => {
    for (const [, use] of cases) {
      const p = buildHelperPrivileges(use);
      if (p.kind === 'node-session') continue;
      expect(p.securityContext.privileged).toBe(false);
      const rootMount = p.volumeMounts.find((m) => m.mountPath === '/host');
      if (rootMount) expect(rootMount.readOnly).toBe(true);
    }
  });

  it('gives target tools what the target\'s spec adds, and all for a privileged target', () => {
    expect(buildHelperPrivileges({ job: 'session', tools: 'target', target: { privileged: false, add: ['cap_net_admin', 'SYS_TIME'] } }).securityContext.capabilities!.add)
      .toEqual(sorted(ENTER, ['SETUID', 'SETGID', 'SETPCAP'], DEFAULTS, ['NET_ADMIN', 'SYS_TIME']));
    const all = buildHelperPrivileges({ job: 'session', tools: 'target', target: { privileged: true, add: [] } }).securityContext;
    expect(all.capabilities!.add).toContain('ALL');
    expect(all).not.toHaveProperty('allowPrivilegeEscalation');
    // Other tools ignore the target's capabilities: the helper's programs run with the helper's.
    expect(buildHelperPrivileges({ job: 'session', tools: 'helper', target: { privileged: true, add: [] } }).securityContext.capabilities!.add).not.toContain('ALL');
  });
});

describe('helperKindFor', () => {
  it('names one kind per job', () => {
    expect(helperKindFor({ job: 'session', tools: 'host' })).toBe('pod-host-tools');
    expect(helperKindFor({ job: 'catch', tools: 'target' })).toBe('pod-target-tools');
    expect(helperKindFor({ job: 'stats' })).toBe('stats');
  });
});

describe('podTargetCapabilities', () => {
  const pod: V1Pod = {
    spec: {
      containers: [
        { name: 'app', securityContext: { capabilities: { add: ['NET_ADMIN'] } } },
        { name: 'side', securityContext: { privileged: true } },
      ],
      initContainers: [{ name: 'init', securityContext: { capabilities: { add: ['SYS_TIME'] } } }],
    },
  };
  it('reads the chosen container, or every container when none is chosen yet', () => {
    expect(podTargetCapabilities(pod, 'app')).toEqual({ privileged: false, add: ['NET_ADMIN'] });
    expect(podTargetCapabilities(pod)).toEqual({ privileged: true, add: ['NET_ADMIN', 'SYS_TIME'] });
  });
});

describe('helperServes', () => {
  it('keeps a helper of the same kind with at least the needed capabilities', () => {
    const wide: HelperUse = { job: 'session', tools: 'target', target: { privileged: false, add: ['NET_ADMIN', 'SYS_TIME'] } };
    expect(helperServes(wide, { job: 'session', tools: 'target', target: { privileged: false, add: ['NET_ADMIN'] } })).toBe(true);
    expect(helperServes({ job: 'session', tools: 'target' }, wide)).toBe(false);
    expect(helperServes({ job: 'session', tools: 'helper' }, { job: 'session', tools: 'host' })).toBe(false);
  });
});
