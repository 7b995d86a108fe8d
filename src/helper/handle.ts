// One helper pod, from acquire to release: the only lifecycle the commands use.
//   acquire  -> the name is fixed and the cleanup registered on the exit guard
//               before anything is sent; then permissions, create, wait until Running.
//   runAgent -> one exec of the agent (a session with the user's stdio, or any
//               other streams: a later `cp` passes its own).
//   capture  -> one agent mode with stdout captured (ns, stats, the picker's marks).
//   heartbeat-> the client's proof of life while a session lasts.
//   release  -> delete (waiting for an in-flight create) or, with --keep, say how.
// Several handles may live at once (one per node for a fan-out); each registers
// its own cleanup. A reused warm helper (--keep-warm) is acquired from its live
// pod instead of a create; after a session that ended well, `release` leaves a
// helper warm (its deadline and proof in annotations, see warm.ts) instead of
// deleting it.
import { Writable, type Readable } from 'node:stream';
import type { V1Pod } from '@kubernetes/client-node';
import { AGENT_EXIT, agentModeOf, buildHeartbeatArgv, buildServeArgv } from '../agent/argv.js';
import { AGENT_SHA256 } from '../agent/script.js';
import { CancelledError, UserError, formatError } from '../base/errors.js';
import type { Progress } from '../base/progress.js';
import type { HelperResources } from '../base/resources.js';
import type { Kube } from '../kube/client.js';
import { isNotFound } from '../kube/api-errors.js';
import { request } from '../kube/request.js';
import { assertAllowed, buildHelperAccessChecks, buildRecordAccessCheck, resolveUserName, reviewAccess } from '../kube/access.js';
import { runExec, type ExecSocket } from '../session/exec.js';
import type { ExitGuard } from './exit-guard.js';
import { retryWhileNotStarted } from './exec-ready.js';
import { createHelperFitted } from './fit-resources.js';
import { deleteCommandFor, deleteHelperWithRetry, helperRefOf, isAmbiguousCreate, type HelperRef } from './lifecycle.js';
import { buildHelperPrivileges, type HelperUse } from './privileges.js';
import { buildHelperName, buildHelperPod, HELPER_CONTAINER, randomSuffix } from './spec.js';
import { sweepFinishedHelpers } from './sweep.js';
import { waitHelperRunning } from './wait-running.js';
import { markWarm, unmarkWarm } from './warm-reuse.js';

/** How long the end of a command waits for a sweep of finished helpers that is still running. */
const SWEEP_GRACE_MS = 3_000;

/** The helper flags, validated (a subset of the CLI's options). */
export interface HelperSettings {
  readonly image: string;
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  readonly timeoutSeconds: number;
  readonly ttlSeconds: number;
  readonly idleSeconds: number;
  readonly idleStartSeconds: number;
  readonly keep: boolean;
  /** --keep-warm in seconds: the helper's deadline grows by it, and a session that ends well leaves it warm. */
  readonly keepWarmSeconds?: number | undefined;
  /** --helper-requests/--helper-limits; when absent, a quota's or LimitRange's demand is met with the least that passes. */
  readonly resources?: HelperResources | undefined;
  /** --image-pull-secret (and NSDEBUG_IMAGE_PULL_SECRETS). */
  readonly imagePullSecrets?: readonly string[] | undefined;
  /** Test hook (env NSDEBUG_TEST_HELPER_NODE): put the helper on this node instead of the target's. */
  readonly testHelperNode?: string | undefined;
}

/** Where the helper goes and what it is for. */
export interface HelperRequest {
  readonly namespace: string;
  readonly nodeName: string;
  /** "pod/NS/NAME" or "node/NAME", for the annotation. */
  readonly target: string;
  /** Short name that goes into the helper's name. */
  readonly targetName: string;
  /** What the helper is for: it gets the privileges of that job and no more (helper/privileges.ts). */
  readonly use: HelperUse;
  /**
   * A session exec follows at once (the plain session path): it beats as it
   * registers, so the handle sends no first heartbeat of its own.
   */
  readonly sessionFollows?: boolean;
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
  /** A streaming mode's pacing hook (see runExec). */
  readonly onSocket?: (socket: ExecSocket) => void;
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
  /**
   * The handle beats by itself every third of --idle-timeout from Running until
   * release (sessions, picker, ns, stats). `everyMs` beats faster until the
   * returned stop is called (a catch session while it holds a freeze: see
   * CATCH_BEAT_MS); without it, nothing changes.
   */
  heartbeat(everyMs?: number): () => void;
  /** Deletes the helper once, waiting for an in-flight create; with --keep, says how to remove it. */
  release(): Promise<void>;
  /**
   * What `release` does instead of deleting: `warm` (the session ended well and
   * --keep-warm is set: leave the helper warm), `untouched` (a warm helper that
   * another session holds: not ours to end).
   */
  releaseAs(mode: 'warm' | 'untouched'): void;
}

/** The helper for a session or inspection of `pod`: on its node, in --helper-namespace or the pod's namespace. */
export function buildPodHelperRequest(pod: V1Pod, helperNamespace: string | undefined, use: HelperUse): HelperRequest {
  const namespace = pod.metadata!.namespace!;
  return {
    namespace: helperNamespace ?? namespace,
    nodeName: pod.spec!.nodeName!,
    target: `pod/${namespace}/${pod.metadata!.name!}`,
    targetName: pod.metadata!.name!,
    use,
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
  const helperChecks = buildHelperAccessChecks(namespace);
  const check = Promise.all([
    resolveUserName(kube),
    reviewAccess(kube, [...helperChecks, buildRecordAccessCheck(eventNamespace)]),
  ]).then(([user, answers]) => {
    assertAllowed(helperChecks, answers);
    return { user, eventNamespace, canRecord: answers[helperChecks.length] ?? false };
  });
  check.catch(() => {}); // awaited later; not an unhandled rejection meanwhile
  return check;
}

/** The pod `acquireHelper` creates for `req` (also what a warm helper's live spec is compared with). */
export function buildRequestedPod(settings: HelperSettings, req: HelperRequest, ref: HelperRef, createdBy: string): V1Pod {
  return buildHelperPod({
    ...ref,
    nodeName: settings.testHelperNode ?? req.nodeName,
    image: settings.image,
    imagePullPolicy: settings.imagePullPolicy,
    // Warm time is part of the hard lifetime: the kubelet ends the pod after both.
    ttlSeconds: settings.ttlSeconds + (settings.keepWarmSeconds ?? 0),
    target: req.target,
    createdBy,
    agentSha256: AGENT_SHA256,
    privileges: buildHelperPrivileges(req.use),
    serveArgv: buildServeArgv({ idleSeconds: settings.idleSeconds, idleStartSeconds: settings.idleStartSeconds }),
    resources: settings.resources,
    imagePullSecrets: settings.imagePullSecrets,
  });
}

/**
 * Starts a helper and returns its handle at once. The deletion is on the guard
 * before the create request leaves, so a signal at any moment leaves nothing behind;
 * the kubelet's activeDeadlineSeconds and the agent's idle watchdog cover SIGKILL.
 * With `warm` (a running helper chosen by warm.ts) nothing is created.
 */
export function acquireHelper(ctx: HelperContext, settings: HelperSettings, req: HelperRequest, checked?: Promise<HelperAccess>, warm?: V1Pod): HelperHandle {
  const { kube, progress, guard } = ctx;
  req = settings.testHelperNode ? { ...req, nodeName: settings.testHelperNode } : req;
  const ref: HelperRef = warm ? helperRefOf(warm) : { name: buildHelperName(req.targetName, randomSuffix()), namespace: req.namespace };
  const stopWaiting = new AbortController();
  let released = false;
  let releaseMode: 'delete' | 'warm' | 'untouched' = 'delete';
  let removal: Promise<void> | undefined;
  let sweep: Promise<number> | undefined;
  const access = checked ?? checkHelperAccess(kube, req.namespace, eventNamespaceOf(req.target));

  const created = warm ? Promise.resolve(warm) : (async () => {
    const createdBy = (await access).user;
    if (released) throw new CancelledError();
    const pod = buildRequestedPod(settings, req, ref, createdBy);
    progress.phase('creating', `helper ${ref.name} in namespace ${ref.namespace} on node ${req.nodeName}`);
    // Beside the create, never before it: the user's finished helpers of killed clients go.
    sweep = sweepFinishedHelpers(kube, ref.namespace, createdBy, ref.name);
    return createHelperFitted(kube, pod, progress, settings.resources !== undefined);
  })();
  // A reused helper is in a session now: its warm mark goes beside the session (release waits for it).
  const unmarked = warm ? unmarkWarm(kube, warm) : Promise.resolve();
  if (warm) progress.phase('creating', `reusing warm helper ${ref.name} in namespace ${ref.namespace} on node ${req.nodeName}`);
  const running = warm ? Promise.resolve(ref) : created.then(async (pod) => {
    await waitHelperRunning(kube, pod, { timeoutMs: settings.timeoutSeconds * 1000, progress, signal: stopWaiting.signal });
    return ref;
  });
  running.catch(() => {}); // observed through ready()

  // Waiting on an API blip is the only wait the user did not ask for: say what it is.
  const deleteNow = () =>
    deleteHelperWithRetry(kube, ref, {
      budgetMs: DELETE_RETRY_MS,
      onRetry: (reason) => progress.note(`waiting for the API server to delete helper pod ${ref.name} (${reason.replace(/[.;]+$/, '')}); retrying for up to ${DELETE_RETRY_MS / 1000}s`),
    });
  const release = (): Promise<void> => {
    released = true;
    stopBeating();
    stopWaiting.abort(new CancelledError());
    if (removal) return removal;
    removal = created
      .then(
        async (pod) => {
          if (releaseMode === 'untouched') return;
          if (releaseMode === 'warm' && settings.keepWarmSeconds !== undefined) {
            // A helper that cannot be marked would sit unused until its warm time ends: delete it.
            await unmarked;
            if (await markWarm(kube, pod, req.target, (await access).user, settings.keepWarmSeconds)) return;
            return deleteNow();
          }
          if (!settings.keep) return deleteNow();
          progress.note(`kept helper pod ${ref.name} (namespace ${ref.namespace}); remove it with kubectl nsdebug clean --all -n ${ref.namespace}`);
        },
        // Refused by the server: nothing exists. No answer (reset, timeout, 5xx): the
        // pod may exist, so it is deleted by its name.
        (error: unknown) => (isAmbiguousCreate(error) && !(error instanceof CancelledError) ? deleteNow() : undefined),
      )
      // A sweep still running gets a moment after the session (the process exits soon after).
      .then(async () => {
        if (sweep) await Promise.race([sweep, new Promise((resolve) => setTimeout(resolve, SWEEP_GRACE_MS).unref())]);
      });
    // Registered until done: a Ctrl-C while the delete retries waits for it.
    void removal.then(unregister, unregister);
    return removal;
  };
  const unregister = guard.add(release, deleteCommandFor(ref));

  // --- the heartbeat: from Running until release ---
  const beatEveryMs = Math.max(1, Math.floor(settings.idleSeconds / 3)) * 1000;
  // The agent ends the session --idle after the last beat it saw; the client gives
  // up two beats later (a stream through a hung API server or node never closes).
  const lostAfterMs = settings.idleSeconds * 1000 + 2 * beatEveryMs;
  const lost = new AbortController();
  let beatTimer: NodeJS.Timeout | undefined;
  let lastBeatAt = 0;
  let beating = false;
  let failures = 0;
  let lastFailure = '';
  const sink = () => ({ stdin: process.stdin, stdout: collector().stream, stderr: collector().stream });
  const beat = async () => {
    if (Date.now() - lastBeatAt > lostAfterMs && !lost.signal.aborted) {
      lost.abort(
        new UserError(`lost contact with the helper pod ${ref.name}: no heartbeat got through for ${Math.round((Date.now() - lastBeatAt) / 1000)}s (${lastFailure || 'no answer'})`, {
          hint: `the API server or node ${req.nodeName} may be down; check kubectl get pod ${ref.name} -n ${ref.namespace} and retry`,
        }),
      );
    }
    if (beating || lost.signal.aborted) return;
    beating = true;
    const cut = new AbortController();
    // A slow API (a loaded node) is not a failure: give a beat at least 5 s.
    const boundMs = Math.max(beatEveryMs, 5_000);
    const timer = setTimeout(() => cut.abort(new UserError(`no answer within ${boundMs / 1000}s`)), boundMs);
    try {
      const code = await runExec(kube, { namespace: ref.namespace, pod: ref.name, container: HELPER_CONTAINER, command: buildHeartbeatArgv(), stdin: false, tty: false, streams: sink(), signal: cut.signal });
      if (code !== 0) throw new Error(`the agent's heartbeat exited ${code}`);
      lastBeatAt = Date.now();
      failures = 0;
    } catch (error) {
      lastFailure = (error instanceof Error ? error.message : String(error)).replace(/[.;]+$/, '');
      if (++failures === 2 && !warnedBeat) {
        warnedBeat = true;
        progress.warn(`heartbeats to helper pod ${ref.name} fail (${lastFailure}); the helper ends the session ${settings.idleSeconds}s after the last one that got through`);
      }
    } finally {
      clearTimeout(timer);
      beating = false;
    }
  };
  let warnedBeat = false;
  const fastTimers = new Set<NodeJS.Timeout>();
  const stopBeating = () => {
    if (beatTimer) clearInterval(beatTimer);
    beatTimer = undefined;
    for (const timer of fastTimers) clearInterval(timer);
    fastTimers.clear();
  };
  const beatFaster = (everyMs: number): (() => void) => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    // From Running on, as the regular beats (lastBeatAt is set there first).
    running.then(() => {
      if (stopped || released) return;
      void beat();
      timer = setInterval(() => void beat(), everyMs);
      timer.unref();
      fastTimers.add(timer);
    }, () => {});
    return () => {
      stopped = true;
      if (timer) {
        clearInterval(timer);
        fastTimers.delete(timer);
      }
    };
  };
  running.then(() => {
    if (released) return;
    lastBeatAt = Date.now();
    // The first beat at once: a client killed before it would leave the helper to
    // --idle-start (the agent counts beats only once one came). A session exec that
    // follows at once beats itself as it registers: then this one is a round trip
    // (and a WebSocket) for nothing.
    if (!req.sessionFollows) void beat();
    beatTimer = setInterval(() => void beat(), beatEveryMs);
    beatTimer.unref();
  }, () => {});

  const runAgent = async (argv: readonly string[], io: AgentIo): Promise<number> => {
    await running;
    try {
      // `running` resolves at the container's Started event: the kubelet may not list it for a moment yet.
      return await retryWhileNotStarted(() => runExec(kube, { namespace: ref.namespace, pod: ref.name, container: HELPER_CONTAINER, command: argv, stdin: io.stdin, tty: io.tty, signal: lost.signal, ...(io.streams ? { streams: io.streams } : {}), ...(io.onSocket ? { onSocket: io.onSocket } : {}) }), { signal: stopWaiting.signal });
    } catch (error) {
      // Lost contact: the API is what fails, asking it again would only wait.
      if (lost.signal.aborted) throw error;
      throw (await helperEnded(kube, ref, settings)) ?? error;
    }
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
    heartbeat: (everyMs) => (everyMs === undefined ? () => {} : beatFaster(everyMs)),
    release,
    releaseAs: (mode) => {
      releaseMode = mode;
    },
  };
}


/** Deleting retries this long across API blips: an API server or etcd restart, or a 60 s stall. */
export const DELETE_RETRY_MS = 60_000;

/** One helper for the duration of `use`: acquired, awaited until running, released on every way out. */
export async function withHelper<T>(ctx: HelperContext, settings: HelperSettings, req: HelperRequest, use: (helper: HelperHandle) => Promise<T>, access?: Promise<HelperAccess>, warm?: V1Pod): Promise<T> {
  const helper = acquireHelper(ctx, settings, req, access, warm);
  let outcome: Outcome<T>;
  try {
    await helper.ready();
    outcome = { ok: true, value: await use(helper) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  return settleRelease(ctx, helper, outcome);
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Releases `helper` after the work's outcome, which stays what the command
 * returns or throws: a failed cleanup is one more line (after a result) or part
 * of the work's own error line (after an error), never in its place.
 */
export async function settleRelease<T>(ctx: HelperContext, helper: HelperHandle | undefined, outcome: Outcome<T>): Promise<T> {
  try {
    await helper?.release();
  } catch (cleanupError) {
    // The cleanup's failure never replaces the session's result or error.
    if (outcome.ok) {
      // After a signal the guard has printed it already.
      if (!ctx.guard.terminating) process.stderr.write(`${formatError(cleanupError)}\n`);
      return outcome.value;
    }
    throw withCleanupFailure(outcome.error, cleanupError);
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** The session's own error, one line, with what the failed cleanup leaves to do. */
function withCleanupFailure(error: unknown, cleanupError: unknown): unknown {
  if (!(error instanceof UserError) || !(cleanupError instanceof UserError)) return error;
  return new UserError(error.message, {
    hint: `${error.hint ? `${error.hint}; ` : ''}${cleanupError.message.replace(/^could not/, 'also could not')}: ${cleanupError.hint ?? ''}`,
    exitCode: error.exitCode,
    cause: error,
  });
}

/**
 * Why an exec failed when the helper itself is over (its --ttl passed while the
 * user sat in the picker, or someone deleted it): one line instead of the API's.
 */
async function helperEnded(kube: Kube, ref: HelperRef, settings: HelperSettings): Promise<UserError | undefined> {
  let phase: string | undefined;
  try {
    phase = (await request(kube, { verb: 'get', resource: 'pods', namespace: ref.namespace, name: ref.name }, () => kube.core.readNamespacedPod({ name: ref.name, namespace: ref.namespace }))).status?.phase;
  } catch (error) {
    if (!isNotFound((error as { cause?: unknown }).cause ?? error)) return undefined;
    phase = 'deleted';
  }
  if (phase !== 'Succeeded' && phase !== 'Failed' && phase !== 'deleted') return undefined;
  return new UserError(`the helper pod ${ref.name} is ${phase === 'deleted' ? 'gone (deleted)' : `over (${phase}: its --ttl of ${settings.ttlSeconds}s passed, or its agent ended without heartbeats)`}`, {
    hint: 'run the command again for a new helper (raise --ttl for a longer wait)',
  });
}

function collector():  { stream: Writable; text: () => string } {
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
