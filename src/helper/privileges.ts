// What each helper may do: the one home of the rule "each helper gets the least its
// job needs" (docs/design.md, "Privileges"). A job maps to a named kind, a kind to a
// grant, a grant to the container's securityContext and its node mounts. Pure.
//
// The minimum was measured on the real cluster (test/e2e/least-privilege.test.ts and
// the e2e files of each mode), not guessed: entering another process's namespaces
// needs CAP_SYS_ADMIN (setns) and CAP_SYS_CHROOT (setns into a mount namespace);
// opening /proc/PID/ns and /proc/PID/root of a process whose capabilities are not a
// subset of ours needs CAP_SYS_PTRACE; the fresh /proc of a pid session is a mount
// (CAP_SYS_ADMIN). Node sessions stay privileged with the node's / writable: that is
// their job (as `kubectl debug node/X --profile=sysadmin`).
import type { V1Capabilities, V1Container, V1Pod, V1SecurityContext, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { Tools } from '../base/rules.js';
import type { ResolvedSession } from '../session/session.js';

/** Where the agent finds node paths; only what a kind mounts exists below it. */
export const HOST_ROOT = '/host';

/** What the helper is for: the client knows this before it creates the pod. */
export type HelperUse =
  | { readonly job: 'node-session' }
  | { readonly job: 'session' | 'catch'; readonly tools: Tools; readonly target?: TargetCapabilities | undefined }
  | { readonly job: 'ns' | 'stats' | 'cp' | 'diff' };

/** The capabilities the target container holds (from its spec), for target tools. */
export interface TargetCapabilities {
  readonly privileged: boolean;
  readonly add: readonly string[];
}

/** The named kinds, one row each in docs/design.md's privilege table. */
export const HELPER_KINDS = [
  'node-session',
  'pod-helper-tools',
  'pod-host-tools',
  'pod-target-tools',
  'catch-helper-tools',
  'catch-host-tools',
  'ns',
  'stats',
  'cp',
  'diff',
] as const;
export type HelperKind = (typeof HELPER_KINDS)[number];

/** Entering a pod's namespaces: setns (SYS_ADMIN), setns into mnt (SYS_CHROOT), /proc/PID/ns and root (SYS_PTRACE). */
const ENTER = ['SYS_ADMIN', 'SYS_CHROOT', 'SYS_PTRACE'] as const;
/**
 * What a network debug session is expected to do with the helper's or the node's
 * programs, as kubectl debug's netadmin profile: tcpdump and ping (NET_RAW),
 * ip/iptables/ss -K in the pod's network namespace (NET_ADMIN), kill a process of
 * another uid (KILL).
 */
const DEBUG = ['NET_ADMIN', 'NET_RAW', 'KILL'] as const;
/**
 * Target tools: the container's programs run as the target (setpriv: its uid, gid,
 * groups and capability sets, bounding set included: SETUID, SETGID, SETPCAP), and
 * a process can only keep capabilities we hold, so the runtime's default set too
 * (what a container holds unless its spec drops some), plus what its spec adds.
 */
const BECOME_TARGET = ['SETUID', 'SETGID', 'SETPCAP'] as const;
export const RUNTIME_DEFAULT_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
] as const;

type Access = 'ro' | 'rw';

/** One row of the table. */
export interface Grant {
  /** All capabilities, every device, no seccomp: node sessions only. */
  readonly privileged: boolean;
  readonly add: readonly string[];
  /** The node's / at /host. */
  readonly hostRoot?: Access;
  /** The node's /sys/fs/cgroup at /host/sys/fs/cgroup (stats reads it; catch and target tools write it). */
  readonly cgroup?: Access;
  /** The node's IPC namespace (node sessions). */
  readonly hostIPC?: boolean;
  /**
   * Leave no_new_privs to the session (allowPrivilegeEscalation unset): target tools give
   * the container's programs the target's own no_new_privs, set or not. Every other helper
   * sets it: its programs run as root with its capabilities, which setuid and file
   * capabilities cannot raise.
   */
  readonly sessionSetsNoNewPrivs?: boolean;
}

export const GRANTS: Readonly<Record<HelperKind, Grant>> = {
  'node-session': { privileged: true, add: [], hostRoot: 'rw', hostIPC: true },
  'pod-helper-tools': { privileged: false, add: [...ENTER, ...DEBUG] },
  // The node's programs: read-only (they are run, not changed).
  'pod-host-tools': { privileged: false, add: [...ENTER, ...DEBUG], hostRoot: 'ro' },
  // Also the catch default. Writable cgroups: the program moves into the target's cgroup before it execs.
  'pod-target-tools': { privileged: false, add: [...ENTER, ...BECOME_TARGET, ...RUNTIME_DEFAULT_CAPABILITIES], cgroup: 'rw', sessionSetsNoNewPrivs: true },
  // The freezer: writable cgroups.
  'catch-helper-tools': { privileged: false, add: [...ENTER, ...DEBUG], cgroup: 'rw' },
  'catch-host-tools': { privileged: false, add: [...ENTER, ...DEBUG], hostRoot: 'ro', cgroup: 'rw' },
  // Reads /proc/PID/ns links only.
  ns: { privileged: false, add: ['SYS_PTRACE'] },
  // Reads the container's cgroup files and /proc/PID/{net/dev,status,root/proc/meminfo}.
  stats: { privileged: false, add: ['SYS_PTRACE'], cgroup: 'ro' },
  // setns into the container's mnt and pid namespaces, then tar as root on the container's
  // files, whoever owns them (DAC_OVERRIDE, CHOWN, FOWNER, FSETID: owners, modes and setgid bits kept).
  cp: { privileged: false, add: [...ENTER, 'DAC_OVERRIDE', 'CHOWN', 'FOWNER', 'FSETID'] },
  // Reads the overlay's upper and lower directories, node paths, whoever owns the files.
  diff: { privileged: false, add: ['SYS_PTRACE', 'DAC_READ_SEARCH'], hostRoot: 'ro' },
};

/** The kind of helper a job needs. */
export function helperKindFor(use: HelperUse): HelperKind {
  switch (use.job) {
    case 'node-session': return 'node-session';
    case 'session': return `pod-${use.tools}-tools`;
    case 'catch': return use.tools === 'target' ? 'pod-target-tools' : `catch-${use.tools}-tools`;
    default: return use.job;
  }
}

/** The securityContext, volumes and mounts a helper gets, and the name of its kind. */
export interface HelperPrivileges {
  readonly kind: HelperKind;
  readonly hostIPC: boolean;
  readonly securityContext: V1SecurityContext;
  readonly volumes: V1Volume[];
  readonly volumeMounts: V1VolumeMount[];
}

/** The helper's privileges for a job (pure). */
export function buildHelperPrivileges(use: HelperUse): HelperPrivileges {
  const kind = helperKindFor(use);
  const grant = GRANTS[kind];
  const volumes: V1Volume[] = [];
  const volumeMounts: V1VolumeMount[] = [];
  const mount = (name: string, path: string, at: string, access: Access) => {
    volumes.push({ name, hostPath: { path, type: 'Directory' } });
    // A read-only hostPath leaves its submounts writable unless the runtime can make it recursive.
    volumeMounts.push({ name, mountPath: at, ...(access === 'ro' ? { readOnly: true, recursiveReadOnly: 'IfPossible' } : {}) });
  };
  if (grant.hostRoot) mount('host-root', '/', HOST_ROOT, grant.hostRoot);
  else if (grant.cgroup) mount('host-cgroup', '/sys/fs/cgroup', `${HOST_ROOT}/sys/fs/cgroup`, grant.cgroup);
  // Under a writable / the cgroup tree is already writable; under a read-only one it needs its own mount.
  if (grant.hostRoot === 'ro' && grant.cgroup === 'rw') mount('host-cgroup', '/sys/fs/cgroup', `${HOST_ROOT}/sys/fs/cgroup`, 'rw');
  if (grant.privileged) {
    return { kind, hostIPC: grant.hostIPC === true, securityContext: { privileged: true }, volumes, volumeMounts };
  }
  // The agent keeps its session records in /tmp: the image itself stays read-only.
  volumes.push({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
  volumeMounts.push({ name: 'tmp', mountPath: '/tmp' });
  const add = new Set<string>(grant.add);
  if (kind === 'pod-target-tools' && 'target' in use && use.target) {
    // A privileged target already owns the node; the helper needs all it holds to hand it on.
    for (const cap of use.target.privileged ? ['ALL'] : use.target.add) add.add(normalizeCapability(cap));
  }
  const capabilities: V1Capabilities = { drop: ['ALL'], add: [...add].sort() };
  return {
    kind,
    hostIPC: grant.hostIPC === true,
    securityContext: {
      privileged: false,
      ...(grant.sessionSetsNoNewPrivs ? {} : { allowPrivilegeEscalation: false }),
      readOnlyRootFilesystem: true,
      capabilities,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumes,
    volumeMounts,
  };
}

/** "CAP_NET_ADMIN" and "net_admin" as the API's "NET_ADMIN". */
function normalizeCapability(cap: string): string {
  return cap.toUpperCase().replace(/^CAP_/, '');
}

/**
 * The capabilities the pod's spec gives container `name` beyond the runtime's
 * default set; without a name (not chosen yet), what any of its containers gets.
 */
export function podTargetCapabilities(pod: V1Pod, name?: string): TargetCapabilities {
  const all: V1Container[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...((pod.spec?.ephemeralContainers ?? []) as V1Container[])];
  const chosen = name === undefined ? all : all.filter((c) => c.name === name);
  return {
    privileged: chosen.some((c) => c.securityContext?.privileged === true),
    add: [...new Set(chosen.flatMap((c) => c.securityContext?.capabilities?.add ?? []))],
  };
}

/** What a planned session needs its helper for. */
export function sessionHelperUse(session: ResolvedSession, job: 'session' | 'catch' = 'session'): HelperUse {
  const { plan } = session;
  if (plan.kind === 'node') return { job: 'node-session' };
  if (plan.tools !== 'target') return { job, tools: plan.tools };
  return { job, tools: 'target', target: podTargetCapabilities(plan.pod, plan.kind === 'container' ? plan.container.name : undefined) };
}

/** Whether a helper made for `have` may serve `need` (same kind, at least its capabilities): the picker decides late. */
export function helperServes(have: HelperUse, need: HelperUse): boolean {
  const a = buildHelperPrivileges(have);
  const b = buildHelperPrivileges(need);
  if (a.kind !== b.kind) return false;
  const held = new Set(a.securityContext.capabilities?.add ?? []);
  return held.has('ALL') || (b.securityContext.capabilities?.add ?? []).every((cap) => held.has(cap));
}
