import { UserError } from '../base/errors.js';
import { MAX_DURATION_SECONDS, parseDurationSeconds } from '../base/duration.js';
import { parseTargetRef, type TargetRef } from '../kube/target-ref.js';
import type { KubeFlags } from '../kube/client.js';
import { CATCH_TOOLS, DEFAULT_NAMESPACES, TOOLS, assertContainerOrSandbox, defaultToolsFor, isTools, mountNeedsTargetTools, type NamespaceName, type Tools } from '../base/rules.js';
import { DEFAULT_IMAGE, GLOBAL_OPTIONS, HELPER_OPTIONS, IMAGE_PULL_POLICIES } from '../base/flags.js';
import type { HelperSettings } from '../helper/handle.js';
import { AgentArgvError, parseNamespaceList } from '../agent/argv.js';
import { validateHelperResources, validatePullSecrets } from './helper-resource-options.js';
import { validateFanout, type FanoutSelection, type RawFanoutArgs } from './fanout-options.js';

/** The yargs result for the flags every helper-using command shares. */
export interface RawHelperArgs {
  readonly namespace?: string | undefined;
  readonly allNamespaces?: boolean | undefined;
  readonly context?: string | undefined;
  readonly kubeconfig?: string | undefined;
  readonly cluster?: string | undefined;
  readonly user?: string | undefined;
  readonly as?: string | undefined;
  /** Repeated flags arrive as an array. */
  readonly asGroup?: string | readonly string[] | undefined;
  readonly requestTimeout?: string | undefined;
  readonly quiet?: boolean | undefined;
  readonly image?: string | undefined;
  readonly imagePullPolicy?: string | undefined;
  readonly helperNamespace?: string | undefined;
  readonly helperRequests?: string | undefined;
  readonly helperLimits?: string | undefined;
  /** Repeated flags arrive as an array. */
  readonly imagePullSecret?: string | readonly string[] | undefined;
  readonly timeout?: string | undefined;
  readonly ttl?: string | undefined;
  readonly idleTimeout?: string | undefined;
  readonly idleStart?: string | undefined;
  readonly keep?: boolean | undefined;
}

export interface RawDebugArgs extends RawHelperArgs, RawFanoutArgs {
  readonly output?: string | undefined;
  readonly target?: string | undefined;
  readonly container?: string | undefined;
  readonly sandbox?: boolean | undefined;
  readonly ns?: string | undefined;
  readonly tools?: string | undefined;
  readonly stdin?: boolean | undefined;
  readonly tty?: boolean | undefined;
  readonly pick?: boolean | undefined;
  readonly catch?: boolean | undefined;
  readonly killOnExit?: boolean | undefined;
  readonly printEnv?: boolean | undefined;
  readonly keepWarm?: string | undefined;
  /** Everything after `--`, byte for byte (never through yargs' number parsing). */
  readonly '--'?: readonly string[] | undefined;
}

export interface HelperOptions extends HelperSettings {
  readonly kube: KubeFlags;
  readonly quiet: boolean;
  readonly helperNamespace: string | undefined;
}

export interface DebugOptions extends HelperOptions {
  readonly target: TargetRef | undefined;
  readonly container: string | undefined;
  readonly sandbox: boolean;
  readonly namespaces: readonly NamespaceName[];
  readonly namespacesExplicit: boolean;
  readonly tools: Tools;
  /** --tools was given (the picker then does not ask). */
  readonly toolsExplicit: boolean;
  readonly command: readonly string[];
  readonly stdin: boolean;
  readonly tty: boolean;
  /** -A: the picker lists pods of every namespace. */
  readonly allNamespaces: boolean;
  /** Open choices may be asked with the Ink picker. */
  readonly interactivePicker: boolean;
  /** --all-pods or -l: every pod, one session each (undefined: one pod). */
  readonly fanout: FanoutSelection | undefined;
  /** -o: how a fan-out prints (text lines prefixed with the pod, or one JSON array). */
  readonly output: 'text' | 'json';
  /** --catch: wait for the container's next start and freeze it (absent otherwise). */
  readonly catch: CatchOptions | undefined;
  /** --keep-warm / NSDEBUG_KEEP_WARM in seconds: reuse a warm helper, leave it warm after (absent: off). */
  readonly keepWarmSeconds?: number | undefined;
}

export interface CatchOptions {
  readonly killOnExit: boolean;
  readonly printEnv: boolean;
}

export interface Terminal {
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
}

function duration(flag: string, text: string | undefined, fallback: string, min = 1): number {
  const seconds = parseDurationSeconds(text ?? fallback);
  if (seconds === undefined || seconds < min) {
    throw new UserError(`--${flag} "${text}" is not a valid duration`, { hint: `use a value like 30s, 5m or 1h${min > 0 ? ` (at least ${min}s)` : ''}` });
  }
  if (seconds > MAX_DURATION_SECONDS) {
    throw new UserError(`--${flag} "${text}" is longer than ${MAX_DURATION_SECONDS / 3600}h`, { hint: `give at most ${MAX_DURATION_SECONDS / 3600}h` });
  }
  return seconds;
}

const isPullPolicy = (value: string): value is HelperSettings['imagePullPolicy'] => (IMAGE_PULL_POLICIES as readonly string[]).includes(value);

/**
 * --as-group, as kubectl's (with --as). Only one: client-node's API clients would
 * join several into one header value, which names a group that does not exist.
 */
function asGroups(raw: string | readonly string[] | undefined): string[] {
  const groups = (raw === undefined ? [] : typeof raw === 'string' ? [raw] : [...raw]).filter((group) => group !== '');
  if (groups.length > 1) throw new UserError(`--as-group given ${groups.length} times: only one group can be impersonated`, { hint: 'keep one --as-group (or use an account that has the rights)' });
  return groups;
}

/** Pure: flags + environment -> the helper settings, validated. */
export function validateHelperOptions(raw: RawHelperArgs, env: NodeJS.ProcessEnv): HelperOptions {
  const policy = raw.imagePullPolicy ?? 'IfNotPresent';
  if (!isPullPolicy(policy)) {
    throw new UserError(`--image-pull-policy "${policy}" is not one of ${IMAGE_PULL_POLICIES.join(', ')}`, { hint: 'pick one of those' });
  }
  const image = (raw.image ?? env.NSDEBUG_IMAGE ?? '').trim() || DEFAULT_IMAGE;
  if (/\s/.test(image)) throw new UserError(`--image "${image}" contains white space`, { hint: 'give an image reference like registry/name:tag' });
  return {
    kube: {
      kubeconfig: raw.kubeconfig,
      context: raw.context,
      cluster: raw.cluster,
      user: raw.user,
      as: raw.as,
      asGroups: asGroups(raw.asGroup),
      namespace: raw.namespace,
      requestTimeoutSeconds: duration('request-timeout', raw.requestTimeout, GLOBAL_OPTIONS['request-timeout'].default, 0),
    },
    quiet: raw.quiet ?? false,
    image,
    imagePullPolicy: policy,
    helperNamespace: raw.helperNamespace,
    timeoutSeconds: duration('timeout', raw.timeout, HELPER_OPTIONS.timeout.default),
    ttlSeconds: Math.ceil(duration('ttl', raw.ttl, HELPER_OPTIONS.ttl.default)),
    idleSeconds: Math.ceil(duration('idle-timeout', raw.idleTimeout, HELPER_OPTIONS['idle-timeout'].default)),
    idleStartSeconds: Math.ceil(duration('idle-start', raw.idleStart, HELPER_OPTIONS['idle-start'].default)),
    keep: raw.keep ?? false,
    resources: validateHelperResources(raw.helperRequests, raw.helperLimits),
    imagePullSecrets: validatePullSecrets(raw.imagePullSecret, env),
    ...testHelperNode(env),
  };
}

/** Test hook: NSDEBUG_TEST_HELPER_NODE pins every helper to that node (to prove a wrong-node helper finds no target). */
function testHelperNode(env: NodeJS.ProcessEnv): { testHelperNode?: string } {
  const node = env.NSDEBUG_TEST_HELPER_NODE;
  if (node === undefined || node === '') return {};
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(node)) throw new UserError(`NSDEBUG_TEST_HELPER_NODE "${node}" is not a node name`, { hint: 'unset it (it is a test hook)' });
  return { testHelperNode: node };
}

function parseNamespacesFlag(text: string): NamespaceName[] {
  try {
    return parseNamespaceList(text);
  } catch (error) {
    if (error instanceof AgentArgvError) throw new UserError(error.message, { hint: 'for example --ns net,uts' });
    throw error;
  }
}

/** Pure: flags + environment + terminal -> what the session does, validated before any I/O. */
export function validateDebugOptions(raw: RawDebugArgs, env: NodeJS.ProcessEnv, terminal: Terminal): DebugOptions {
  const helper = validateHelperOptions(raw, env);
  const target = raw.target === undefined ? undefined : parseTargetRef(raw.target);
  if (raw.tools !== undefined && !isTools(raw.tools)) {
    throw new UserError(`--tools "${raw.tools}" is not one of ${TOOLS.join(', ')}`, { hint: 'pick one of those' });
  }
  const namespaces = raw.ns === undefined ? DEFAULT_NAMESPACES : parseNamespacesFlag(raw.ns);
  const catching = validateCatch(raw, target);
  const tools: Tools = raw.tools !== undefined && isTools(raw.tools) ? raw.tools : catching ? CATCH_TOOLS : defaultToolsFor(namespaces);
  if (mountNeedsTargetTools(namespaces, tools)) {
    throw new UserError(`--ns mnt enters the container's filesystem, where the ${tools === 'host' ? "node's" : "helper image's"} programs are not`, {
      hint: 'drop mnt (the target\'s files stay readable under $NSDEBUG_TARGET_ROOT), or use --tools target',
    });
  }
  if (target?.kind === 'node') {
    if (raw.container !== undefined || raw.sandbox) throw new UserError('-c/--container and --sandbox need a pod target, not a node', { hint: 'drop them, or name a pod' });
    if (tools === 'target') throw new UserError('--tools target needs a pod target, not a node', { hint: 'use --tools host or --tools helper' });
  }
  assertContainerOrSandbox(raw.container, raw.sandbox);
  const command = [...(raw['--'] ?? [])];
  const fanout = validateFanout(raw, target, '');
  const output = raw.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new UserError(`-o/--output "${output}" is not one of text, json`, { hint: 'pick one of those' });
  if (output === 'json' && !fanout) throw new UserError('-o/--output needs --all-pods (one session prints its command\'s own output)', { hint: 'add --all-pods, or drop -o' });
  if (fanout) {
    if (command.length === 0) {
      throw new UserError('--all-pods needs a COMMAND (there is no interactive shell across pods)', { hint: 'pass one after --, for example: kubectl nsdebug deploy/api --all-pods -- ss -tn' });
    }
    if (raw.stdin || raw.tty) throw new UserError('-i/--stdin and -t/--tty cannot go with --all-pods (one stdin can\'t feed every pod)', { hint: 'drop them' });
  }
  if (catching && fanout) throw new UserError('--catch waits for one container\'s next start and cannot go with --all-pods', { hint: 'name one pod with --catch' });
  if (catching?.printEnv && command.length > 0) {
    throw new UserError('--print-env prints the frozen command line and environment and runs no COMMAND', { hint: 'drop --print-env, or the COMMAND after --' });
  }
  const terminals = terminal.stdinIsTTY && terminal.stdoutIsTTY;
  // No command: an interactive shell, which needs a terminal (or -i for a script on stdin).
  const tty = terminals && (command.length === 0 || (raw.tty ?? false));
  if (raw.tty && !terminals) {
    throw new UserError('-t/--tty needs stdin and stdout to be a terminal', { hint: 'drop -t when piping or redirecting' });
  }
  if (target === undefined && !fanout && !terminals) {
    throw new UserError('no TARGET given (the picker needs stdin and stdout to be a terminal)', {
      hint: 'name one, for example kubectl nsdebug pod/web -- ip addr',
    });
  }
  const keepWarm = validateKeepWarm(raw, env, Boolean(catching || fanout));
  if (catching?.printEnv) {
    return { ...helper, target, container: raw.container, sandbox: false, namespaces, namespacesExplicit: raw.ns !== undefined, tools, toolsExplicit: raw.tools !== undefined,
      command, stdin: false, tty: false, allNamespaces: false, interactivePicker: false, fanout, output, catch: catching };
  }
  const stdin = tty || (raw.stdin ?? false);
  if (command.length === 0 && !tty && !stdin) {
    throw new UserError('no COMMAND given and stdin is not a terminal', {
      hint: 'pass one after --, for example: kubectl nsdebug pod/web -- ip addr (or -i to read a script from stdin)',
    });
  }
  return {
    ...helper,
    target,
    container: raw.container,
    sandbox: raw.sandbox ?? false,
    namespaces,
    namespacesExplicit: raw.ns !== undefined,
    tools,
    toolsExplicit: raw.tools !== undefined,
    command,
    stdin,
    tty,
    allNamespaces: raw.allNamespaces ?? false,
    // --catch asks nothing: the container is -c's or the default one.
    interactivePicker: terminals && (raw.pick ?? true) && !catching,
    fanout,
    output,
    catch: catching,
    ...keepWarm,
  };
}

/**
 * --keep-warm DURATION (or NSDEBUG_KEEP_WARM, for shell profiles; 0 turns it off):
 * single sessions only. The flag with --catch, --all-pods or --keep is an error;
 * the variable is simply not applied there.
 */
function validateKeepWarm(raw: RawDebugArgs, env: NodeJS.ProcessEnv, notSingle: boolean): { keepWarmSeconds?: number } {
  const fromFlag = raw.keepWarm !== undefined;
  const text = fromFlag ? raw.keepWarm : env.NSDEBUG_KEEP_WARM;
  if (text === undefined || text.trim() === '') return {};
  const seconds = parseDurationSeconds(text.trim());
  if (seconds === undefined || seconds > MAX_DURATION_SECONDS) {
    throw new UserError(`${fromFlag ? '--keep-warm' : 'NSDEBUG_KEEP_WARM'} "${text}" is not a valid duration`, { hint: 'use a value like 60s, 10m or 1h, at most 24h (0 turns it off)' });
  }
  if (seconds === 0) return {};
  if (!fromFlag && (notSingle || raw.keep)) return {};
  if (raw.keep) throw new UserError('--keep-warm and --keep exclude each other (--keep leaves the helper for good)', { hint: 'drop one of them' });
  if (notSingle) throw new UserError('--keep-warm applies to a single session, not to --catch or --all-pods', { hint: 'drop --keep-warm' });
  return { keepWarmSeconds: Math.ceil(seconds) };
}

/** --catch and its companions: a pod's container, never a node or the sandbox. */
function validateCatch(raw: RawDebugArgs, target: TargetRef | undefined): CatchOptions | undefined {
  if (!raw.catch) {
    for (const [flag, given] of [['--kill-on-exit', raw.killOnExit], ['--print-env', raw.printEnv]] as const) {
      if (given) throw new UserError(`${flag} applies to a caught container`, { hint: `add --catch, or drop ${flag}` });
    }
    return undefined;
  }
  if (target === undefined) throw new UserError('--catch needs a TARGET', { hint: 'name the pod, for example kubectl nsdebug pod/crashy --catch' });
  if (target.kind === 'node') throw new UserError('--catch needs a pod target, not a node', { hint: 'name the pod whose container crash-loops' });
  if (raw.sandbox) throw new UserError('--catch freezes a container, and the sandbox is no container', { hint: 'drop --sandbox (use -c NAME to choose the container)' });
  return { killOnExit: raw.killOnExit ?? false, printEnv: raw.printEnv ?? false };
}
