// Typed, pure builders of the agent's argv (docs/design.md, "The agent").
// Every value is validated here as the agent validates it, so a bad id fails
// on the client with a clear message instead of in the helper pod.

import { NAMESPACE_TYPES, TOOLS, isNamespaceType, mountNeedsTargetTools, type NamespaceName, type Tools } from '../base/rules.js';
import { AGENT_SCRIPT } from './script.js';

/** The agent's $0 in every argv: what `ps` on the node shows after `sh -c SCRIPT`. */
export const AGENT_NAME = 'nsdebug-agent';

// The agent's contract test reads the namespace types from here.
export { NAMESPACE_TYPES, TOOLS, isNamespaceType };
export type { Tools };
export type NamespaceType = NamespaceName;

/** The agent's own failure codes; any other status is the command's. */
export const AGENT_EXIT = { usage: 125, notFound: 124, unsupportedNamespace: 123 } as const;

/** Invalid input to a builder or parser: a one-line message naming the fix. */
export class AgentArgvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentArgvError';
  }
}

const CONTAINER_ID = /^[0-9a-f]{12,64}$/;
const POD_UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LABEL = /^[A-Za-z0-9._/:-]{1,128}$/;
const CONTAINER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export type PodTarget =
  | { readonly kind: 'container'; readonly containerId: string }
  | { readonly kind: 'sandbox'; readonly exclude: readonly string[] };
export type SessionTarget = PodTarget | { readonly kind: 'node' };

export interface ServeArgvInput {
  readonly idleSeconds: number;
  readonly idleStartSeconds: number;
}

export interface PodTargetArgvInput {
  readonly podUid: string;
  readonly target: PodTarget;
}

export interface SessionArgvInput {
  /** Required unless target.kind is 'node'. */
  readonly podUid?: string;
  readonly target: SessionTarget;
  /** Ignored for node targets (the helper already shares the node's). */
  readonly namespaces: readonly NamespaceType[];
  readonly tools: Tools;
  readonly label?: string;
  /** Empty or absent: an interactive shell. */
  readonly command?: readonly string[];
}

export interface NsArgvInput {
  readonly podUid: string;
  readonly containers: readonly { readonly name: string; readonly containerId: string }[];
  /** Further container ids (init, ephemeral) that are not the sandbox. */
  readonly exclude?: readonly string[];
}

export function isPodUid(value: string): boolean {
  return POD_UID.test(value);
}

/** `net,uts` or `all` -> the namespace types, in the canonical order, deduplicated. */
export function parseNamespaceList(value: string): NamespaceType[] {
  const names = value.split(',').map((s) => s.trim());
  const chosen = new Set<NamespaceType>();
  for (const name of names) {
    if (name === 'all') {
      NAMESPACE_TYPES.forEach((t) => chosen.add(t));
    } else if (isNamespaceType(name)) {
      chosen.add(name);
    } else {
      const what = name === '' ? 'an empty name' : `unknown namespace ${JSON.stringify(name)}`;
      throw new AgentArgvError(`${what} in --ns; valid: ${NAMESPACE_TYPES.join(',')} or all`);
    }
  }
  return NAMESPACE_TYPES.filter((t) => chosen.has(t));
}

export function buildServeArgv(input: ServeArgvInput): string[] {
  return [
    ...agent('serve'),
    '--idle',
    seconds('idleSeconds', input.idleSeconds),
    '--idle-start',
    seconds('idleStartSeconds', input.idleStartSeconds),
  ];
}

/** The client's proof of life while a session runs (see serve). */
export function buildHeartbeatArgv(): string[] {
  return agent('heartbeat');
}

export function buildStatsArgv(input: PodTargetArgvInput): string[] {
  return [...agent('stats'), ...podTargetArgs(input.podUid, input.target)];
}

export function buildNsArgv(input: NsArgvInput): string[] {
  const args = [...agent('ns'), '--pod-uid', podUid(input.podUid)];
  for (const c of input.containers) {
    if (!CONTAINER_NAME.test(c.name)) {
      throw new AgentArgvError(`invalid container name ${JSON.stringify(c.name)}: expected a Kubernetes container name`);
    }
    args.push('--container', `${c.name}=${containerId(c.containerId)}`);
  }
  for (const id of input.exclude ?? []) args.push('--exclude', containerId(id));
  return args;
}

export function buildSessionArgv(input: SessionArgvInput): string[] {
  const args = agent('session');
  if (input.target.kind === 'node') {
    if (input.tools === 'target') {
      throw new AgentArgvError('--tools target needs a pod target; use --tools helper or host for a node');
    }
    args.push('--node');
  } else {
    if (input.podUid === undefined) throw new AgentArgvError('a pod session needs the pod uid');
    args.push(...podTargetArgs(input.podUid, input.target));
    if (mountNeedsTargetTools(input.namespaces, input.tools)) {
      throw new AgentArgvError("--ns mnt runs the container's own programs; use --tools target");
    }
    // tools=target adds mnt itself; any other session needs at least one type.
    if (input.namespaces.length > 0) args.push('--ns', input.namespaces.join(','));
    else if (input.tools !== 'target') throw new AgentArgvError('--ns needs at least one namespace type');
  }
  args.push('--tools', input.tools);
  if (input.label !== undefined) {
    if (!LABEL.test(input.label)) {
      throw new AgentArgvError(`invalid session label ${JSON.stringify(input.label)}: use 1 to 128 of A-Z a-z 0-9 . _ / : -`);
    }
    args.push('--label', input.label);
  }
  if (input.command !== undefined && input.command.length > 0) args.push('--', ...input.command);
  return args;
}

/**
 * The script text itself is in every argv (`sh -c SCRIPT nsdebug-agent MODE ...`):
 * a container's command and an exec's argv cannot be changed once sent, whereas a
 * file from the pod's annotations (a downwardAPI volume) follows every `patch pods`.
 */
function agent(mode: string): string[] {
  return ['sh', '-c', AGENT_SCRIPT, AGENT_NAME, mode];
}

/** The mode of an argv from these builders (for error messages). */
export function agentModeOf(argv: readonly string[]): string {
  return argv[3] === AGENT_NAME ? argv[4] ?? 'agent' : 'agent';
}

function podTargetArgs(uid: string, target: PodTarget): string[] {
  const args = ['--pod-uid', podUid(uid)];
  if (target.kind === 'container') {
    args.push('--container-id', containerId(target.containerId));
  } else {
    args.push('--sandbox');
    for (const id of target.exclude) args.push('--exclude', containerId(id));
  }
  return args;
}

function podUid(value: string): string {
  if (!isPodUid(value)) throw new AgentArgvError(`invalid pod uid ${JSON.stringify(value)}: expected a lowercase UUID`);
  return value;
}

function containerId(value: string): string {
  if (!CONTAINER_ID.test(value)) {
    throw new AgentArgvError(`invalid container id ${JSON.stringify(value)}: expected 12 to 64 lowercase hex digits`);
  }
  return value;
}

function seconds(name: string, value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 999_999_999) {
    throw new AgentArgvError(`${name} must be a whole number of seconds, got ${value}`);
  }
  return String(value);
}
