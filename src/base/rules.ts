// The rulebook: the domain's vocabulary and the rules that tie its words together.
// Every other module imports these; none re-declares them (docs/design.md, "Layout").
import { UserError } from './errors.js';

/** Linux namespace types, in the order the CLI, the agent and the screens list them. */
export const NAMESPACE_TYPES = ['net', 'pid', 'mnt', 'uts', 'ipc', 'user', 'cgroup', 'time'] as const;
export type NamespaceName = (typeof NAMESPACE_TYPES)[number];

/** Whose programs and filesystem the session uses (`--tools`). */
export const TOOLS = ['helper', 'host', 'target'] as const;
export type Tools = (typeof TOOLS)[number];

/** `--ns` and `--tools` not given. */
export const DEFAULT_NAMESPACES: readonly NamespaceName[] = ['net', 'pid', 'uts', 'ipc'];
export const DEFAULT_TOOLS: Tools = 'helper';
/** A caught container (`--catch`) is entered for its files, mounts and environment: target tools unless --tools says otherwise. */
export const CATCH_TOOLS: Tools = 'target';

export function isNamespaceType(value: string): value is NamespaceName {
  return (NAMESPACE_TYPES as readonly string[]).includes(value);
}

export function isTools(value: string): value is Tools {
  return (TOOLS as readonly string[]).includes(value);
}

/** Canonical order, duplicates removed. */
export function sortNamespaces(list: Iterable<NamespaceName>): NamespaceName[] {
  const set = new Set(list);
  return NAMESPACE_TYPES.filter((ns) => set.has(ns));
}

/**
 * mnt goes with target tools: entering mnt swaps in the container's filesystem, so
 * only the target's own programs remain (helper and host programs live outside it).
 * The default tools for a namespace list: target when it has mnt.
 */
export function defaultToolsFor(namespaces: readonly NamespaceName[]): Tools {
  return namespaces.includes('mnt') ? 'target' : DEFAULT_TOOLS;
}

/** Whether the pair breaks the mnt rule (mnt without target tools). */
export function mountNeedsTargetTools(namespaces: readonly NamespaceName[], tools: Tools): boolean {
  return namespaces.includes('mnt') && tools !== 'target';
}

/** The namespaces a session with these tools enters: target tools add mnt (at the end), others never have it. */
export function enteredNamespaces(namespaces: readonly NamespaceName[], tools: Tools): NamespaceName[] {
  if (tools !== 'target') return namespaces.filter((ns) => ns !== 'mnt');
  return namespaces.includes('mnt') ? [...namespaces] : [...namespaces, 'mnt'];
}

/** The same, in canonical order (what the picker screen shows). */
export function withMountRule(namespaces: readonly NamespaceName[], tools: Tools): NamespaceName[] {
  return sortNamespaces(enteredNamespaces(namespaces, tools));
}

/** The namespaces a pod's sandbox (pause) process holds for the whole pod. */
export function sandboxNamespaceTypes(shareProcessNamespace: boolean): NamespaceName[] {
  return shareProcessNamespace ? ['net', 'pid', 'uts', 'ipc'] : ['net', 'uts', 'ipc'];
}

/** "-c and --sandbox exclude each other": one check, one message. */
export function assertContainerOrSandbox(container: string | undefined, sandbox: boolean | undefined): void {
  if (container !== undefined && sandbox) throw new UserError('-c/--container and --sandbox exclude each other', { hint: 'drop one of them' });
}

/** Workloads a TARGET may name; their pods are found through the selector. */
export const WORKLOAD_KINDS = ['deployment', 'statefulset', 'daemonset', 'replicaset', 'job'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** The TARGET kinds, in the order completion offers them. */
export const TARGET_KINDS = ['pod', ...WORKLOAD_KINDS, 'node'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export function isWorkloadKind(kind: TargetKind): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

/** Spellings accepted before the slash, as kubectl accepts them. */
export const KIND_ALIASES: Readonly<Record<string, TargetKind>> = {
  pod: 'pod', pods: 'pod', po: 'pod',
  deployment: 'deployment', deployments: 'deployment', deploy: 'deployment',
  statefulset: 'statefulset', statefulsets: 'statefulset', sts: 'statefulset',
  daemonset: 'daemonset', daemonsets: 'daemonset', ds: 'daemonset',
  replicaset: 'replicaset', replicasets: 'replicaset', rs: 'replicaset',
  job: 'job', jobs: 'job',
  node: 'node', nodes: 'node', no: 'node',
};

/** Which list of the pod spec a container comes from. */
export type ContainerKind = 'container' | 'init' | 'ephemeral';
/** A container's state as the pod status tells it; `unknown` before it has a status. */
export type ContainerState = 'running' | 'waiting' | 'terminated' | 'unknown';
/** What the picker shows: a container without status yet is about to be created, so waiting. */
export type ShownContainerState = Exclude<ContainerState, 'unknown'>;
