// Pure one-line findings about how a pod's namespaces are shared, from the
// agent's `ns` entries and the pod spec/status facts the client already has.
import { NAMESPACE_TYPES as NS_TYPES, type ContainerState } from '../base/rules.js';
import type { NsEntry, NsType } from './ns-parse.js';

export interface ContainerFact {
  readonly name: string;
  readonly state: ContainerState;
  /** e.g. CrashLoopBackOff, ErrImagePull, Completed. */
  readonly reason?: string;
}

export interface PodFacts {
  readonly shareProcessNamespace: boolean;
  readonly hostNetwork: boolean;
  readonly hostPID: boolean;
  readonly hostIPC: boolean;
  readonly containers: readonly ContainerFact[];
}

/** The types the pause sandbox holds for the pod (pid only with process sharing). */
const POD_TYPES: readonly NsType[] = ['net', 'ipc', 'uts', 'pid'];
/** Types reported as "private to each container" or "the node's". */
const OTHER_TYPES: readonly NsType[] = ['mnt', 'user', 'cgroup', 'time'];

export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

function same(a: NsEntry | undefined, b: NsEntry | undefined, t: NsType): boolean {
  const x = a?.namespaces[t];
  return x !== undefined && x === b?.namespaces[t];
}

/** True when every container has its own inode, different from the sandbox's. */
function privateToEach(containers: readonly NsEntry[], sandbox: NsEntry | undefined, t: NsType): boolean {
  const inodes = containers.map((c) => c.namespaces[t]);
  if (inodes.some((i) => i === undefined)) return false;
  if (new Set(inodes).size !== inodes.length) return false;
  return sandbox === undefined || !containers.some((c) => same(c, sandbox, t));
}

function sandboxSharing(containers: readonly NsEntry[], sandbox: NsEntry): string[] {
  const groups = new Map<string, string[]>();
  for (const c of containers) {
    const key = POD_TYPES.filter((t) => same(c, sandbox, t)).join(', ');
    groups.set(key, [...(groups.get(key) ?? []), c.name]);
  }
  return [...groups].map(([types, names]) => {
    const verb = names.length === 1 ? 'shares' : 'share';
    return types === ''
      ? `${joinNames(names)} ${verb} no namespace with the sandbox`
      : `${joinNames(names)} ${verb} ${types} with the sandbox`;
  });
}

function pidFinding(containers: readonly NsEntry[], sandbox: NsEntry | undefined, node: NsEntry | undefined, facts: PodFacts): string | undefined {
  if (containers.length === 0) return undefined;
  if (node !== undefined && containers.every((c) => same(c, node, 'pid'))) {
    return facts.hostPID ? "hostPID: pid is the node's" : "pid is the node's (hostPID is off)";
  }
  const allShared = sandbox !== undefined && containers.every((c) => same(c, sandbox, 'pid'));
  const who = containers.length === 1 ? (containers[0]?.name ?? '') : 'all containers';
  if (allShared) {
    return facts.shareProcessNamespace
      ? `pid is shared by ${who} (shareProcessNamespace)`
      : `pid is shared by ${who} although shareProcessNamespace is off`;
  }
  if (privateToEach(containers, sandbox, 'pid')) {
    const each = containers.length === 1 ? (containers[0]?.name ?? '') : 'each container';
    return facts.shareProcessNamespace
      ? `pid is private to ${each} although shareProcessNamespace is on`
      : `pid is private to ${each} (shareProcessNamespace is off)`;
  }
  return undefined;
}

function hostFinding(type: NsType, flag: string, on: boolean, podEntry: NsEntry | undefined, node: NsEntry | undefined): string | undefined {
  if (podEntry === undefined || node === undefined) return undefined;
  if (same(podEntry, node, type)) return on ? `${flag}: ${type} is the node's` : `${type} is the node's (${flag} is off)`;
  return on ? `${flag} is on but ${type} differs from the node's` : undefined;
}

export function buildNsFindings(entries: readonly NsEntry[], facts: PodFacts): string[] {
  const sandbox = entries.find((e) => e.kind === 'sandbox');
  const node = entries.find((e) => e.kind === 'node');
  const containers = entries.filter((e) => e.kind === 'container');
  const podEntry = sandbox ?? containers[0];
  const findings: string[] = [];

  if (sandbox !== undefined) findings.push(...sandboxSharing(containers, sandbox));
  const pid = pidFinding(containers, sandbox, node, facts);
  if (pid !== undefined) findings.push(pid);
  for (const [type, flag, on] of [
    ['net', 'hostNetwork', facts.hostNetwork],
    ['ipc', 'hostIPC', facts.hostIPC],
  ] as const) {
    const f = hostFinding(type, flag, on, podEntry, node);
    if (f !== undefined) findings.push(f);
  }

  if (containers.length > 0) {
    const all = [...containers, ...(sandbox === undefined ? [] : [sandbox])];
    const nodeTypes = OTHER_TYPES.filter((t) => node !== undefined && all.every((e) => same(e, node, t)));
    const privateTypes = OTHER_TYPES.filter((t) => !nodeTypes.includes(t) && privateToEach(containers, sandbox, t));
    const each = containers.length === 1 ? (containers[0]?.name ?? '') : 'each container';
    if (privateTypes.length > 0) findings.push(`${privateTypes.join(', ')} ${privateTypes.length === 1 ? 'is' : 'are'} private to ${each}`);
    if (nodeTypes.length > 0) findings.push(`${nodeTypes.join(', ')} ${nodeTypes.length === 1 ? 'is' : 'are'} the node's`);
    const missing = NS_TYPES.filter((t) => all.every((e) => e.namespaces[t] === undefined));
    if (missing.length > 0) findings.push(`the kernel has no ${missing.join(', ')} namespace`);
  }

  for (const c of facts.containers) {
    if (c.state === 'running') continue;
    const why = c.reason === undefined ? c.state : `${c.state} (${c.reason})`;
    findings.push(
      sandbox === undefined
        ? `${c.name} is ${why}: no process to enter`
        : `${c.name} is ${why}: no process to enter; the sandbox still holds the pod's net (use --sandbox)`,
    );
  }
  return findings;
}
