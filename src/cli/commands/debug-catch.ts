// `kubectl nsdebug pod/x --catch`: wait for a crash-looping container's next
// start, freeze it as soon as its own program runs, enter it, thaw it (or kill
// it) on the way out. Two execs in one helper: the agent's `catch --hold`
// (no TTY: its progress lines are read here, and its stdin ending releases the
// freeze), and an ordinary session into the frozen container (the user's TTY).
import { PassThrough, Writable } from 'node:stream';
import type { V1Pod } from '@kubernetes/client-node';
import { AGENT_EXIT, CATCH_BEAT_MS, buildCatchArgv, buildReleaseArgv, buildSessionArgv } from '../../agent/argv.js';
import { parseCatchEvent, type CatchEvent } from '../../agent/catch-events.js';
import { CancelledError, UserError } from '../../base/errors.js';
import { enteredNamespaces } from '../../base/rules.js';
import { buildPodHelperRequest, withHelper, type HelperAccess, type HelperHandle } from '../../helper/handle.js';
import { podTargetCapabilities } from '../../helper/privileges.js';
import { chooseContainer } from '../../kube/choose-container.js';
import { crashLoopOf, type CrashLoop } from '../../kube/crash-backoff.js';
import { resolveEnterablePod, resolvePod } from '../../kube/resolve-target.js';
import type { CatchOptions, DebugOptions } from '../debug-options.js';
import type { CommandContext } from '../runner.js';

type Frozen = Extract<CatchEvent, { kind: 'frozen' }>;

export interface CatchTarget {
  readonly pod: V1Pod;
  readonly podName: string;
  readonly namespace: string;
  readonly container: string;
}

/** The catch flow; `options.catch` is set. */
export async function runCaughtSession(ctx: CommandContext, options: DebugOptions & { readonly catch: CatchOptions }, access: Promise<HelperAccess>): Promise<number> {
  const { kube, progress } = ctx;
  if (options.target === undefined) throw new UserError('--catch needs a TARGET', { hint: 'name the pod' });
  const pod = await resolveEnterablePod(kube, options.target, progress);
  const target = buildCatchTarget(pod, options.container, progress);
  return withHelper(ctx, options, buildPodHelperRequest(pod, options.helperNamespace, { job: 'catch', tools: options.tools, target: podTargetCapabilities(pod, target.container) }), (helper) => runCatchInHelper(ctx, options, target, helper), access);
}

/** The container to catch (-c, or the pod's default), and the warning every catch gives first. */
export function buildCatchTarget(pod: V1Pod, container: string | undefined, progress: CommandContext['progress']): CatchTarget {
  const choice = chooseContainer(pod, container);
  if (choice.note) progress.note(choice.note);
  if (choice.container.kind !== 'container') {
    throw new UserError(`--catch freezes an app container, and "${choice.container.name}" is an ${choice.container.kind} container`, { hint: 'choose one with -c NAME' });
  }
  const target: CatchTarget = { pod, podName: pod.metadata!.name!, namespace: pod.metadata!.namespace!, container: choice.container.name };
  progress.warn(
    `--catch freezes container ${target.container} as soon as its program starts; a long freeze may fail its liveness or startup probe (the kubelet then restarts it)`,
  );
  return target;
}

/** Waits for the start, freezes it and enters it, in a running helper (the plain path's own, or the picker's). */
export async function runCatchInHelper(ctx: CommandContext, options: DebugOptions & { readonly catch: CatchOptions }, target: CatchTarget, helper: HelperHandle): Promise<number> {
  // Runs before the helper's deletion (the guard runs tasks last-in first): a
  // signal thaws what was frozen even if the helper's end would not.
  const unguard = ctx.guard.add(() => releaseFreezes(helper));
  // Beats every second while it may hold a freeze: serve thaws within seconds once they stop.
  const stopHeartbeat = helper.heartbeat(CATCH_BEAT_MS);
  try {
    return await catchAndEnter(ctx, options, target, helper);
  } finally {
    stopHeartbeat();
    unguard();
  }
}

async function catchAndEnter(ctx: CommandContext, options: DebugOptions & { readonly catch: CatchOptions }, target: CatchTarget, helper: HelperHandle): Promise<number> {
  const { progress } = ctx;
  for (;;) {
    const loop = crashLoopOf(statusOf(await resolvePod(ctx.kube, target.namespace, target.podName), target.container), new Date());
    const timeoutSeconds = (loop.remainingSeconds ?? loop.backoffSeconds) + options.timeoutSeconds;
    const attempt = await catchOnce(ctx, options, target, helper, timeoutSeconds);
    if (attempt.kind === 'frozen') return attempt.code;
    progress.note(`${target.container} exited before it could be frozen (it lived about ${attempt.livedMs} ms); waiting for its next start`);
  }
}

type Attempt = { readonly kind: 'frozen'; readonly code: number } | { readonly kind: 'escaped'; readonly livedMs: number };

async function catchOnce(
  ctx: CommandContext,
  options: DebugOptions & { readonly catch: CatchOptions },
  target: CatchTarget,
  helper: HelperHandle,
  timeoutSeconds: number,
): Promise<Attempt> {
  const { progress } = ctx;
  const hold = new PassThrough();
  let frozen: (event: Frozen) => void = () => {};
  const frozenEvent = new Promise<Frozen>((resolve) => (frozen = resolve));
  let escaped: number | undefined;
  let released: Extract<CatchEvent, { kind: 'released' }> | undefined;
  const otherLines: string[] = [];
  const stderr = lineWriter((line) => {
    const event = parseCatchEvent(line);
    if (event?.kind === 'frozen') frozen(event);
    else if (event?.kind === 'escaped') escaped = event.livedMs;
    else if (event?.kind === 'released') released = event;
    else if (event === undefined && line !== '') {
      otherLines.push(line);
      if (!line.startsWith('nsdebug-agent: ') || line.includes('warning')) progress.note(line);
    }
  });
  const argv = buildCatchArgv({
    podUid: target.pod.metadata!.uid!,
    containerName: target.container,
    timeoutSeconds: Math.ceil(timeoutSeconds),
    killOnExit: options.catch.killOnExit,
    then: options.catch.printEnv ? 'print-env' : 'hold',
  });
  const exec = helper.runAgent(argv, { stdin: true, tty: false, streams: { stdin: hold, stdout: options.catch.printEnv ? process.stdout : lineWriter(() => {}), stderr } });
  exec.catch(() => {}); // observed below
  const waiting = watchWait(ctx, target, timeoutSeconds);
  let result: { kind: 'frozen'; event: Frozen } | { kind: 'ended'; code: number };
  try {
    result = await Promise.race([
      frozenEvent.then((event) => ({ kind: 'frozen' as const, event })),
      exec.then((code) => ({ kind: 'ended' as const, code })),
      waiting.cancelled,
    ]);
  } finally {
    waiting.stop();
  }
  if (result.kind === 'ended') {
    if (result.code === AGENT_EXIT.escaped && escaped !== undefined) return { kind: 'escaped', livedMs: escaped };
    if (result.code === AGENT_EXIT.timedOut) {
      throw new UserError(`container ${target.container} did not start again within ${Math.ceil(timeoutSeconds)}s`, {
        hint: `the kubelet's back-off reaches 5 minutes: retry with a longer --timeout, or see kubectl describe pod ${target.podName} -n ${target.namespace}`,
      });
    }
    const said = otherLines.at(-1) ?? `exit ${result.code}`;
    throw new UserError(`the agent could not catch ${target.container} (${said})`, { hint: 'retry; if it persists, run with --keep and look at the helper with kubectl logs' });
  }
  const event = result.event;
  progress.note(
    `caught ${target.container} ${event.startToFreezeMs} ms after its process started (pid ${event.pid}, state ${event.state}, ${event.procs} process${event.procs === 1 ? '' : 'es'} in it); ` +
      `its output so far: kubectl logs ${target.podName} -c ${target.container} -n ${target.namespace}`,
  );
  if (options.catch.printEnv) {
    const code = await exec;
    noteReleased(progress, target, released);
    return { kind: 'frozen', code };
  }
  const tools = options.tools;
  const sessionArgv = buildSessionArgv({
    podUid: target.pod.metadata!.uid!,
    target: { kind: 'container', containerId: event.containerId },
    namespaces: enteredNamespaces(options.namespaces, tools),
    tools,
    label: `pod/${target.podName}:${target.container}`,
    command: options.command,
    targetEnv: tools === 'target',
  });
  progress.phase('entering', `pod/${target.podName}:${target.container} (frozen)`);
  await progress.done();
  let code: number;
  try {
    code = await helper.runAgent(sessionArgv, { stdin: options.stdin, tty: options.tty });
  } finally {
    hold.end(); // the agent thaws (or kills) it now
  }
  await Promise.race([exec.catch(() => 0), new Promise((r) => setTimeout(r, 10_000).unref())]);
  noteReleased(progress, target, released);
  return { kind: 'frozen', code };
}

function noteReleased(progress: CommandContext['progress'], target: CatchTarget, released: Extract<CatchEvent, { kind: 'released' }> | undefined): void {
  if (!released) return;
  const held = released.frozenMs === undefined ? '' : ` after ${(released.frozenMs / 1000).toFixed(1)}s frozen`;
  progress.note(released.action === 'kill' ? `killed ${target.container}${held} (--kill-on-exit)` : `thawed ${target.container}${held}: its crash loop goes on`);
}

/**
 * The live line while the agent waits: restart count, the kubelet's back-off and
 * a countdown to the start it makes due (the pod is re-read every 3 s), and Esc
 * or Ctrl-C on a terminal to cancel (SIGINT otherwise, through the exit guard).
 */
function watchWait(ctx: CommandContext, target: CatchTarget, timeoutSeconds: number): { cancelled: Promise<never>; stop: () => void } {
  const { progress, kube } = ctx;
  const started = Date.now();
  let loop: CrashLoop | undefined = crashLoopOf(statusOf(target.pod, target.container), new Date());
  let lastRead = 0;
  // Plain lines (no terminal): one at the start, then every 30 s or on a new restart count.
  const live = Boolean(process.stderr.isTTY);
  let lastShown = { at: 0, restarts: -1 };
  const show = () => {
    if (!live && Date.now() - lastShown.at < 30_000 && loop?.restartCount === lastShown.restarts) return;
    lastShown = { at: Date.now(), restarts: loop?.restartCount ?? -1 };
    const now = new Date();
    if (loop?.nextStartAt) loop = { ...loop, remainingSeconds: Math.max(0, Math.ceil((loop.nextStartAt.getTime() - now.getTime()) / 1000)) };
    const left = Math.max(0, Math.ceil(timeoutSeconds - (Date.now() - started) / 1000));
    progress.phase('waiting', `${target.container}: ${describeLoop(loop)}; gives up in ${left}s${cancelKeys() ? '; Esc or Ctrl-C cancels' : ''}`);
  };
  const tick = setInterval(() => {
    show();
    if (Date.now() - lastRead >= 3000) {
      lastRead = Date.now();
      resolvePod(kube, target.namespace, target.podName).then(
        (pod) => (loop = crashLoopOf(statusOf(pod, target.container), new Date())),
        () => {},
      );
    }
  }, 1000);
  show();
  let cancel: (error: Error) => void = () => {};
  const cancelled = new Promise<never>((_, reject) => (cancel = reject));
  cancelled.catch(() => {});
  const stdin = process.stdin;
  const onKey = (data: Buffer) => {
    if (data.includes(0x1b) || data.includes(0x03)) cancel(new CancelledError());
  };
  const keys = cancelKeys();
  if (keys) {
    stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.resume();
  }
  return {
    cancelled,
    stop: () => {
      clearInterval(tick);
      if (keys) {
        stdin.off('data', onKey);
        stdin.setRawMode(false);
        stdin.pause();
      }
    },
  };
}

const cancelKeys = () => Boolean(process.stdin.isTTY && process.stderr.isTTY);

/** `restart 3, back-off 80s, next start in 42s` */
export function describeLoop(loop: CrashLoop | undefined): string {
  if (!loop) return 'no status yet';
  const parts = [`restart ${loop.restartCount}`, `back-off ${loop.backoffSeconds}s`];
  if (loop.running) parts.push('running now (the start after this one is caught)');
  else if (loop.remainingSeconds !== undefined) parts.push(loop.remainingSeconds > 0 ? `next start in ${loop.remainingSeconds}s` : 'next start due now');
  return parts.join(', ');
}

function statusOf(pod: V1Pod, container: string) {
  return pod.status?.containerStatuses?.find((s) => s.name === container);
}

/** Thaws everything catch sessions froze in this helper; bounded, never throws. */
async function releaseFreezes(helper: HelperHandle): Promise<void> {
  await Promise.race([helper.capture(buildReleaseArgv()).catch(() => ''), new Promise((r) => setTimeout(r, 5000).unref())]);
}

/** A Writable that calls `onLine` for each complete line (the rest at the end). */
function lineWriter(onLine: (line: string) => void): Writable {
  let buffer = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
      callback();
    },
    final(callback) {
      if (buffer !== '') onLine(buffer);
      callback();
    },
  });
}
