// One helper pod, from acquire to release: the only lifecycle the commands use.
//   acquire  -> the name is fixed and the cleanup registered on the exit guard
//               before anything is sent; then permissions, create, wait until Running.
//   runAgent -> one exec of the agent (a session with the user's stdio, or any
//               other streams: a later `cp` passes its own).
//   capture  -> one agent mode with stdout captured (ns, stats, the picker's marks).
//   heartbeat-> the client's proof of life while a session lasts.
//   release  -> delete (waiting for an in-flight create) or, with --keep, say how.
// Several handles may live at once (one per node for a fan-out); each registers
// its own cleanup. A reused warm helper would be another way to `acquire` that
// returns the same handle with a release that leaves the pod running.
import { Writable, type Readable } from 'node:stream';
import type { V1Pod } from '@kubernetes/client-node';
import { AGENT_EXIT, agentModeOf, buildHeartbeatArgv, buildServeArgv } from '../agent/argv.js';
import { AGENT_SHA256 } from '../agent/script.js';
import { CancelledError, UserError } from '../base/errors.js';
import type { Progress } from '../base/progress.js';
import type { Kube } from '../kube/client.js';
import { assertAllowed, buildHelperAccessChecks, buildRecordAccessCheck, isAllowed, resolveUserName } from '../kube/access.js';
import { runExec } from '../session/exec.js';
import type { ExitGuard } from './exit-guard.js';
import { createHelper, deleteHelper, type HelperRef } from './lifecycle.js';
import { buildHelperName, buildHelperPod, HELPER_CONTAINER, randomSuffix } from './spec.js';
import { waitHelperRunning } from './wait-running.js';

/** The helper flags, validated (a subset of the CLI's options). */
export interface HelperSettings {
  readonly image: string;
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  readonly timeoutSeconds: number;
  readonly ttlSeconds: number;
  readonly idleSeconds: number;
  readonly idleStartSeconds: number;
  readonly keep: boolean;
}

/** Where the helper goes and what it is for. */
export interface HelperRequest {
  readonly namespace: string;
  readonly nodeName: string;
  /** "pod/NS/NAME" or "node/NAME", for the annotation. */
  readonly target: string;
  /** Short name that goes into the helper's name. */
  readonly targetName: string;
  readonly nodeMode: boolean;
}

/** What every helper needs from the command runner. */
export interface HelperContext {
  readonly kube: Kube;
  readonly progress: Progress;
  readonly guard: ExitGuard;
}

export interface AgentIo {
  /** Attach stdin (interactive, or -i). */
  readonly stdin: boolean;
  /** Allocate a TTY: our terminal goes raw for the duration. */
  readonly tty: boolean;
  /** Defaults to the process's own stdio. */
  readonly streams?: { stdin: Readable; stdout: Writable; stderr: Writable };
}

export interface HelperHandle {
  readonly ref: HelperRef;
  readonly nodeName: string;
  /** Who we are and whether we may record the session (settled before the helper is created). */
  readonly access: Promise<HelperAccess>;
  /** Resolves once the helper runs; rejects with why it cannot (permissions, image, timeout). */
  ready(): Promise<HelperRef>;
  /** One exec of the agent; resolves with its exit status. */
  runAgent(argv: readonly string[], io: AgentIo): Promise<number>;
  /** One agent mode with its stdout captured; a failure is one line naming the fix. */
  capture(argv: readonly string[]): Promise<string>;
  /** Beats every third of --idle-timeout until the returned function is called. */
  heartbeat(): () => void;
  /** Deletes the helper once, waiting for an in-flight create; with --keep, says how to remove it. */
  release(): Promise<void>;
}

/** The helper for a session or inspection of `pod`: on its node, in --helper-namespace or the pod's namespace. */
export function buildPodHelperRequest(pod: V1Pod, helperNamespace: string | undefined): HelperRequest {
  const namespace = pod.metadata!.namespace!;
  return {
    namespace: helperNamespace ?? namespace,
    nodeName: pod.spec!.nodeName!,
    target: `pod/${namespace}/${pod.metadata!.name!}`,
    targetName: pod.metadata!.name!,
    nodeMode: false,
  };
}

/** Who we are, and whether the session may leave its record (an Event) in `eventNamespace`. */
export interface HelperAccess {
  /** SelfSubjectReview's username (else the kubeconfig user): created-by, and the record's who. */
  readonly user: string;
  readonly eventNamespace: string;
  readonly canRecord: boolean;
}

/** Where a target's Events live: its own namespace for `pod/NS/NAME`, `default` for a node (as the kubelet's). */
export function eventNamespaceOf(target: string): string {
  return target.startsWith('pod/') ? target.split('/')[1]! : 'default';
}

/**
 * Checks every verb a helper needs in `namespace` (a missing one fails before
 * anything is created) and whether the record can be written, and resolves with
 * who we are. Independent of the target, so callers start it while they still
 * resolve the target.
 */
export function checkHelperAccess(kube: Kube, namespace: string, eventNamespace: string): Promise<HelperAccess> {
  const check = Promise.all([
    resolveUserName(kube),
    assertAllowed(kube, buildHelperAccessChecks(namespace)),
    isAllowed(kube, buildRecordAccessCheck(eventNamespace)),
  ]).then(([user, , canRecord]) => ({ user, eventNamespace, canRecord }));
  check.catch(() => {}); // awaited later; not an unhandled rejection meanwhile
  return check;
}

/**
 * Starts a helper and returns its handle at once. The deletion is on the guard
 * before the create request leaves, so a signal at any moment leaves nothing behind;
 * the kubelet's activeDeadlineSeconds and the agent's idle watchdog cover SIGKILL.
 */
export function acquireHelper(ctx: HelperContext, settings: HelperSettings, req: HelperRequest, checked?: Promise<HelperAccess>): HelperHandle {
  const { kube, progress, guard } = ctx;
  const ref: HelperRef = { name: buildHelperName(req.targetName, randomSuffix()), namespace: req.namespace };
  const stopWaiting = new AbortController();
  let released = false;
  let removal: Promise<void> | undefined;
  const access = checked ?? checkHelperAccess(kube, req.namespace, eventNamespaceOf(req.target));

  const created = (async () => {
    const createdBy = (await access).user;
    if (released) throw new CancelledError();
    const pod = buildHelperPod({
      ...ref,
      nodeName: req.nodeName,
      image: settings.image,
      imagePullPolicy: settings.imagePullPolicy,
      ttlSeconds: settings.ttlSeconds,
      target: req.target,
      createdBy,
      agentSha256: AGENT_SHA256,
      nodeMode: req.nodeMode,
      serveArgv: buildServeArgv({ idleSeconds: settings.idleSeconds, idleStartSeconds: settings.idleStartSeconds }),
    });
    progress.phase('creating', `helper ${ref.name} in namespace ${ref.namespace} on node ${req.nodeName}`);
    return createHelper(kube, pod);
  })();
  const running = created.then(async (pod) => {
    await waitHelperRunning(kube, pod, { timeoutMs: settings.timeoutSeconds * 1000, progress, signal: stopWaiting.signal });
    return ref;
  });
  running.catch(() => {}); // observed through ready()

  const release = (): Promise<void> => {
    released = true;
    unregister();
    stopWaiting.abort(new CancelledError());
    removal ??= created.then(
      async () => {
        if (!settings.keep) return deleteHelper(kube, ref);
        progress.note(`kept helper pod ${ref.name} (namespace ${ref.namespace}); remove it with kubectl nsdebug clean --all -n ${ref.namespace}`);
      },
      () => undefined, // never created: nothing to delete
    );
    return removal;
  };
  const unregister = guard.add(release);

  const runAgent = async (argv: readonly string[], io: AgentIo): Promise<number> => {
    await running;
    return runExec(kube, { namespace: ref.namespace, pod: ref.name, container: HELPER_CONTAINER, command: argv, stdin: io.stdin, tty: io.tty, ...(io.streams ? { streams: io.streams } : {}) });
  };

  return {
    ref,
    nodeName: req.nodeName,
    access,
    ready: () => running,
    runAgent,
    capture: async (argv) => {
      const out = collector();
      const err = collector();
      const code = await runAgent(argv, { stdin: false, tty: false, streams: { stdin: process.stdin, stdout: out.stream, stderr: err.stream } });
      if (code === 0) return out.text();
      throw agentFailure(argv, code, err.text());
    },
    heartbeat: () => {
      const timer = setInterval(() => {
        runAgent(buildHeartbeatArgv(), { stdin: false, tty: false, streams: { stdin: process.stdin, stdout: collector().stream, stderr: collector().stream } }).catch(() => {});
      }, Math.max(1, Math.floor(settings.idleSeconds / 3)) * 1000);
      timer.unref();
      return () => clearInterval(timer);
    },
    release,
  };
}

/** One helper for the duration of `use`: acquired, awaited until running, released on every way out. */
export async function withHelper<T>(ctx: HelperContext, settings: HelperSettings, req: HelperRequest, use: (helper: HelperHandle) => Promise<T>, access?: Promise<HelperAccess>): Promise<T> {
  const helper = acquireHelper(ctx, settings, req, access);
  try {
    await helper.ready();
    return await use(helper);
  } finally {
    await helper.release();
  }
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** An agent mode's failure as one line: its own last stderr line, and what to do. */
function agentFailure(argv: readonly string[], code: number, stderr: string): UserError {
  const said = stderr.trim().split('\n').pop() ?? '';
  const mode = agentModeOf(argv);
  if (code === AGENT_EXIT.notFound) {
    return new UserError(`the helper found no process of the target on its node (${said || `exit ${code}`})`, {
      hint: 'the container may have just restarted or stopped: check kubectl get pod, then retry',
    });
  }
  return new UserError(`the agent's ${mode} mode failed with exit ${code}${said ? `: ${said}` : ''}`, {
    hint: 'retry; if it persists, run with --keep and look at the helper with kubectl logs/describe',
  });
}
