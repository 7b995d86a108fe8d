// `kubectl nsdebug cp SRC DST`: files in and out of any container, tar or not.
// The wire is a tar stream over the exec's stdin/stdout; the container side is
// the agent's cp-in/cp-out (the helper's busybox rooted in the container's
// mount namespace, docs/design.md "cp"); the local side is session/cp-archive.
import { promises as fs } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { buildCpInArgv, buildCpOutArgv } from '../../agent/argv.js';
import { UserError } from '../../base/errors.js';
import { buildPodHelperRequest, withHelper, type HelperHandle } from '../../helper/handle.js';
import { resolveInspectPod } from '../../inspect/inspect-target.js';
import type { ExecSocket } from '../../session/exec.js';
import { extractTo, localName, localTarget, planPack, writeArchive, writeStream, type PackPlan } from '../../session/cp-archive.js';
import { StdinFrames, type StdinSocket } from '../../session/exec-stdin.js';
import { collectYoungGarbage } from '../../session/young-garbage.js';
import { planTarget } from '../../session/plan-target.js';
import { splitContainerPath, validateCpOptions, type CpOptions, type RawCpArgs } from '../cp-options.js';
import { runCommand } from '../runner.js';
import { startTransferMeter } from '../transfer-meter.js';

export async function runCpCommand(raw: RawCpArgs): Promise<number> {
  const options = validateCpOptions(raw, process.env);
  return runCommand(options, async (ctx) => {
    const { progress } = ctx;
    const pod = await resolveInspectPod(ctx.kube, options.remote.pod, progress);
    const { target, notes } = planTarget(pod, { container: options.container, sandbox: false });
    for (const note of notes) progress.note(note);
    if (target.kind !== 'container') {
      throw new UserError(`cp needs a running container: ${target.fallback ?? 'none is running'}`, { hint: 'wait until it runs (kubectl get pod), or name another with -c' });
    }
    const ids = { podUid: pod.metadata!.uid!, containerId: target.containerId };
    const where = `pod/${pod.metadata!.name!}:${options.remote.path}`;
    return withHelper(ctx, options, buildPodHelperRequest(pod, options.helperNamespace, { job: 'cp' }), async (helper) => {
      await progress.done();
      return options.direction === 'in' ? copyIn(helper, options, ids, where) : copyOut(helper, options, ids, where);
    });
  });
}

type Ids = { podUid: string; containerId: string };

/** Bytes moved between two young-generation collections (session/young-garbage.ts). */
const COLLECT_EVERY = 4 * 1024 * 1024;

async function copyIn(helper: HelperHandle, options: CpOptions, ids: Ids, where: string): Promise<number> {
  const { parent, base } = splitContainerPath(options.remote.path);
  let plan: PackPlan | undefined;
  let name = '';
  if (options.local.kind !== 'stdio') {
    const path = options.local.path;
    await fs.lstat(path).catch(() => {
      throw new UserError(`${path}: no such file or directory`, { hint: 'check the local path' });
    });
    name = localName(path);
    plan = await planPack(path, name);
  }
  const meter = startTransferMeter({ quiet: options.quiet, total: plan?.totalBytes, label: `to ${where}` });
  const stderr = collectLines();
  let sending: Promise<void> = Promise.resolve();
  const code = await helper.runAgent(buildCpInArgv({ ...ids, dest: options.remote.path, parent, base, name }), {
    stdin: true,
    tty: false,
    // client-node listens to this stream and never hears from it: the archive goes
    // through our own frames on the exec's socket (session/exec-stdin.ts).
    streams: { stdin: new PassThrough(), stdout: collectLines().stream, stderr: stderr.stream },
    onSocket: (socket) => {
      sending = sendArchive(socket as unknown as StdinSocket, plan, options.preserve, meter.add);
    },
  });
  // A send cut short by the exec's end is told by the exec's status and the agent's lines.
  await sending.catch(() => {});
  meter.stop();
  return finish(code, plan?.failures ?? [], stderr.lines(), where);
}

/** The local files (or our stdin, a tar already) as the exec's stdin, then stdin closed. */
async function sendArchive(socket: StdinSocket, plan: PackPlan | undefined, preserve: boolean, meter: (n: number) => void): Promise<void> {
  const frames = new StdinFrames(socket);
  // What little goes garbage per frame (the read's promise, TLS's own buffers) is freed as it goes, too.
  let sinceCollect = 0;
  const count = (n: number) => {
    meter(n);
    sinceCollect += n;
    if (sinceCollect >= COLLECT_EVERY) {
      sinceCollect = 0;
      collectYoungGarbage();
    }
  };
  if (plan) await writeArchive(frames, plan, preserve, count);
  else await writeStream(frames, process.stdin, count);
  await frames.end();
}

async function copyOut(helper: HelperHandle, options: CpOptions, ids: Ids, where: string): Promise<number> {
  const { parent, base } = splitContainerPath(options.remote.path);
  const meter = startTransferMeter({ quiet: options.quiet, total: undefined, label: `from ${where}` });
  const socket = deferred<ExecSocket>();
  let sink: Writable;
  let extraction: { failures: string[]; done: Promise<void> } | undefined;
  if (options.local.kind === 'stdio') {
    sink = process.stdout;
  } else {
    let root: string;
    try {
      root = await localTarget(options.local.path, base === '.' ? localName(options.remote.path) || 'root' : base);
    } catch (error) {
      throw new UserError((error as Error).message, { hint: 'create the local directory first' });
    }
    const extract = extractTo(root, base, options.preserve);
    sink = extract.sink;
    extraction = extract;
  }
  const stdout = pauseSocketWhileBusy(sink, socket.promise, meter.add);
  const stderr = collectLines();
  const code = await helper.runAgent(buildCpOutArgv({ ...ids, parent, base }), {
    stdin: false,
    tty: false,
    streams: { stdin: new PassThrough(), stdout, stderr: stderr.stream },
    onSocket: socket.resolve,
  });
  // client-node ends our stdout stream when the status arrives; wait until the files are on disk.
  await new Promise<void>((resolve) => (stdout.writableFinished ? resolve() : stdout.once('finish', () => resolve())));
  if (extraction) await extraction.done.catch((error: Error) => extraction!.failures.push(error.message));
  meter.stop();
  return finish(code, extraction?.failures ?? [], stderr.lines(), where);
}

/** One line per failed file (ours and the agent's), then the exit status: non-zero if anything failed. */
function finish(code: number, failures: readonly string[], agentLines: readonly string[], where: string): number {
  for (const line of failures) process.stderr.write(`error: ${visible(line)}\n`);
  for (const line of agentLines) process.stderr.write(`error: ${visible(line.replace(/^nsdebug-agent: /, ''))}\n`);
  if (code !== 0 && agentLines.length === 0) process.stderr.write(`error: the copy ${where.startsWith('to') ? '' : 'with '}${where} failed (exit ${code}); retry, or run with --keep to look at the helper\n`);
  if (code !== 0) return code === 30 ? 1 : code;
  return failures.length > 0 ? 1 : 0;
}


/**
 * client-node writes every frame to our stdout and ignores the answer; when the
 * local writer is behind, pause the TCP socket until it drains, so frames wait
 * in the kernel, not in our heap.
 */
function pauseSocketWhileBusy(sink: Writable, socket: Promise<ExecSocket>, count: (n: number) => void): Writable {
  let ws: ExecSocket | undefined;
  let sinceCollect = 0;
  void socket.then((s) => (ws = s));
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      count(chunk.length);
      sinceCollect += chunk.length;
      if (sinceCollect >= COLLECT_EVERY) {
        sinceCollect = 0;
        collectYoungGarbage();
      }
      if (sink.write(chunk)) return callback();
      ws?._socket?.pause();
      sink.once('drain', () => {
        ws?._socket?.resume();
        callback();
      });
    },
    final(callback) {
      if (sink === process.stdout) return callback();
      sink.end(() => callback());
      sink.once('error', callback);
    },
  });
}

function collectLines(): { stream: Writable; lines: () => string[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (text.length < 65536) text += chunk.toString('utf8');
      callback();
    },
  });
  return { stream, lines: () => text.split('\n').filter((l) => l.trim() !== '') };
}

/** Container text is hostile: control characters become visible. */
function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
