// What each namespace isolates and what each tools mode means, in one plain line
// each (from the article's list, ../shared/seed/SUMMARY.md), plus the presets.
import { DEFAULT_NAMESPACES, sortNamespaces, type NamespaceName, type Tools } from '../base/rules.js';

export const NAMESPACE_DESCRIPTIONS: Readonly<Record<NamespaceName, string>> = {
  net: 'network interfaces, routes and ports',
  pid: 'process ids (what ps shows)',
  mnt: 'mount points and filesystems',
  uts: 'hostname',
  ipc: 'System V IPC and POSIX message queues',
  user: 'user and group ids',
  cgroup: 'cgroup root view',
  time: 'boot and monotonic clocks',
};

export const TOOLS_DESCRIPTIONS: Readonly<Record<Tools, string>> = {
  helper: "the helper image's programs; the target's files at $NSDEBUG_TARGET_ROOT",
  host: "the node's programs; the target's files at $NSDEBUG_TARGET_ROOT",
  target: "the container's own programs and files (enters mnt)",
};

export type PresetKey = 'n' | 'd' | 'a';

export const PRESET_LABELS: Readonly<Record<PresetKey, string>> = {
  n: 'network only',
  d: 'everything but the filesystem',
  a: 'everything, like exec',
};

/** What `kubectl exec` enters: every namespace a container runtime unshares by default. */
const EXEC_NAMESPACES: readonly NamespaceName[] = ['net', 'pid', 'mnt', 'uts', 'ipc', 'cgroup'];

/**
 * The namespaces a preset selects, in canonical order.
 * - `n`: net.
 * - `d`: net, pid, uts, ipc (the CLI default).
 * - `a`: what exec enters (net, pid, mnt, uts, ipc, cgroup; the screen picks target
 *   tools with it, since mnt needs them), plus user and time when
 *   the target is known to have its own (not shared with the node): runtimes seldom
 *   unshare them, and entering a shared one is a no-op anyway.
 * `limitTo` (the sandbox's namespaces) narrows every preset.
 */
export function buildPreset(
  key: PresetKey,
  sharedWithNode: readonly NamespaceName[] | undefined,
  limitTo?: readonly NamespaceName[],
): NamespaceName[] {
  let chosen: readonly NamespaceName[];
  if (key === 'n') chosen = ['net'];
  else if (key === 'd') chosen = DEFAULT_NAMESPACES;
  else {
    const ownExtras = sharedWithNode === undefined ? [] : (['user', 'time'] as const).filter((ns) => !sharedWithNode.includes(ns));
    chosen = [...EXEC_NAMESPACES, ...ownExtras];
  }
  return sortNamespaces(chosen.filter((ns) => limitTo === undefined || limitTo.includes(ns)));
}
