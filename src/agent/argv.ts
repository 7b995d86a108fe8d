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

/**
 * The agent's own failure codes; any other status is the command's. `escaped`
 * and `timedOut` come only from mode catch, before its session starts.
 */
export const AGENT_EXIT = { usage: 125, notFound: 124, unsupportedNamespace: 123, escaped: 122, timedOut: 121, targetTools: 120 } as const;

/**
 * A session with `markedExit`: the command's 0 leaves as `ok`, so a 0 from the
 * stream (a broken stream reports Success) is never taken for it without asking;
 * the command's own 217-219 leave as `ask` (read the status record); `busy`: a
 * --keep-warm session found the warm helper in use or over and ran nothing.
 */
export const MARKED_EXIT = { ask: 217, ok: 218, busy: 219 } as const;

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
const SESSION_ID = /^[a-z0-9]{8,32}$/;
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
  /** Set: the agent records the command's exit status under it (see buildStatusArgv). */
  readonly sessionId?: string;
  /** Empty or absent: an interactive shell. */
  readonly command?: readonly string[];
  /** tools=target only: COMMAND gets the target init's own environment (a caught container's). */
  readonly targetEnv?: boolean;
  /** Needs sessionId: exit statuses as MARKED_EXIT says (no status exec after a 0). */
  readonly markedExit?: boolean;
  /** Needs markedExit: claim the helper for this session and leave it warm this long after. */
  readonly keepWarmSeconds?: number;
}

export interface CatchArgvInput {
  readonly podUid: string;
  readonly containerName: string;
  readonly timeoutSeconds: number;
  readonly killOnExit: boolean;
  /** hold: frozen until stdin ends (the client then enters with a session exec); print-env: print and release. */
  readonly then: 'hold' | 'print-env';
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

/**
 * While a catch session holds a container frozen, the client beats this often,
 * and serve thaws it once no beat came for FREEZE_IDLE_SECONDS: a killed
 * client's freeze ends within seconds, not at --idle-timeout. (One beat may
 * take a second or two through a loaded API server: five seconds leave room.)
 */
export const CATCH_BEAT_MS = 1000;
export const FREEZE_IDLE_SECONDS = 5;

export function buildServeArgv(input: ServeArgvInput): string[] {
  return [
    ...agent('serve'),
    '--idle',
    seconds('idleSeconds', input.idleSeconds),
    '--idle-start',
    seconds('idleStartSeconds', input.idleStartSeconds),
    '--freeze-idle',
    String(FREEZE_IDLE_SECONDS),
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
  if (input.targetEnv) {
    if (input.tools !== 'target' || input.target.kind === 'node') throw new AgentArgvError('--target-env needs a pod target and --tools target');
    args.push('--target-env');
  }
  if (input.label !== undefined) {
    if (!LABEL.test(input.label)) {
      throw new AgentArgvError(`invalid session label ${JSON.stringify(input.label)}: use 1 to 128 of A-Z a-z 0-9 . _ / : -`);
    }
    args.push('--label', input.label);
  }
  if (input.sessionId !== undefined) args.push('--session-id', sessionId(input.sessionId));
  if (input.markedExit) {
    if (input.sessionId === undefined) throw new AgentArgvError('a marked exit needs a session id');
    args.push('--marked-exit');
  }
  if (input.keepWarmSeconds !== undefined) {
    if (!input.markedExit || input.keepWarmSeconds < 1) throw new AgentArgvError('--keep-warm needs a marked exit and at least 1 second');
    args.push('--keep-warm', seconds('keepWarmSeconds', input.keepWarmSeconds));
  }
  if (input.command !== undefined && input.command.length > 0) args.push('--', ...input.command);
  return args;
}

/** What the agent recorded of session ID: its exit status, `running`, or `unknown`. */
export function buildStatusArgv(id: string): string[] {
  return [...agent('status'), '--session-id', sessionId(id)];
}

function sessionId(value: string): string {
  if (!SESSION_ID.test(value)) throw new AgentArgvError(`invalid session id ${JSON.stringify(value)}: use 8 to 32 of a-z 0-9`);
  return value;
}

/** Waits for container NAME's next start and freezes it (docs/design.md, mode catch). */
export function buildCatchArgv(input: CatchArgvInput): string[] {
  if (!CONTAINER_NAME.test(input.containerName)) {
    throw new AgentArgvError(`invalid container name ${JSON.stringify(input.containerName)}: expected a Kubernetes container name`);
  }
  if (input.timeoutSeconds < 1) throw new AgentArgvError('the catch timeout must be at least 1 second');
  const args = [...agent('catch'), '--pod-uid', podUid(input.podUid), '--container-name', input.containerName, '--timeout', seconds('timeoutSeconds', input.timeoutSeconds)];
  if (input.killOnExit) args.push('--kill-on-exit');
  args.push(input.then === 'hold' ? '--hold' : '--print-env');
  return args;
}

/** Thaws (or kills) whatever catch sessions froze: the client's last call before deleting the helper. */
export function buildReleaseArgv(): string[] {
  return agent('release');
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

/** A container path for cp: absolute, no NUL or newline (the agent checks again). */
function cpPath(value: string): string {
  if (!value.startsWith('/') || /[\0\n]/.test(value)) throw new AgentArgvError(`invalid container path ${JSON.stringify(value)}: expected an absolute path without newlines`);
  return value;
}

export interface CpOutArgvInput {
  readonly podUid: string;
  readonly containerId: string;
  /** The directory holding the source, and its name there ("." for the root itself). */
  readonly parent: string;
  readonly base: string;
}

/** A tar of PARENT/BASE from inside the container's root, on stdout. */
export function buildCpOutArgv(input: CpOutArgvInput): string[] {
  return [...agent('cp-out'), ...podTargetArgs(input.podUid, { kind: 'container', containerId: input.containerId }), '--', cpPath(input.parent), input.base];
}

export interface CpInArgvInput {
  readonly podUid: string;
  readonly containerId: string;
  /** Where the copy goes; into it when it is a directory. */
  readonly dest: string;
  readonly parent: string;
  readonly base: string;
  /** The archive's top entry name; empty: the archive's entries go into dest (a directory). */
  readonly name: string;
}

/** Extracts the tar on stdin inside the container's root (see docs/design.md, "cp"). */
export function buildCpInArgv(input: CpInArgvInput): string[] {
  if (input.name.includes('/') || input.name === '.' || input.name === '..') throw new AgentArgvError(`invalid entry name ${JSON.stringify(input.name)}`);
  return [...agent('cp-in'), ...podTargetArgs(input.podUid, { kind: 'container', containerId: input.containerId }), '--', cpPath(input.dest), cpPath(input.parent), input.base, input.name];
}

/** What the container changed: NUL-terminated `A|C|D<TAB>/path` records. */
export function buildDiffArgv(input: { readonly podUid: string; readonly containerId: string }): string[] {
  return [...agent('diff'), ...podTargetArgs(input.podUid, { kind: 'container', containerId: input.containerId })];
}
