// Fan-out: every pod of a workload (or of -l) at once. One helper per node, all
// acquired in parallel (each with its own cleanup on the exit guard, released in
// `finally`), then one agent exec per pod with at most --max-parallel at once.
// A pod that fails (its helper never ran, -c names no container of it, the
// connection to its node broke) becomes a result with an error; the others go on.
import type { V1Pod } from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { buildHeartbeatArgv } from '../../agent/argv.js';
import { UserError, formatError } from '../../base/errors.js';
import { buildPodHelperRequest, acquireHelper, checkHelperAccess, type HelperHandle, type HelperSettings } from '../../helper/handle.js';
import { podTargetCapabilities, type HelperUse } from '../../helper/privileges.js';
import type { Kube } from '../../kube/client.js';
import { request } from '../../kube/request.js';
import { resolvePod, resolveWorkloadPods } from '../../kube/resolve-target.js';
import type { WorkloadKind } from '../../kube/target-ref.js';
import { shouldColor } from '../../inspect/ns-render.js';
import { buildPrefixes, fanoutExitCode, LinePrefixer, mapBounded, planFanout, renderFanoutJson, summarizeFanout, visibleText, type FanoutPlan, type PodResult } from '../../session/fanout.js';
import { buildPodSession, buildSessionCommand } from '../../session/session.js';
import { targetName } from '../../session/plan-target.js';
import type { DebugOptions } from '../debug-options.js';
import type { FanoutSelection, FanoutSource } from '../fanout-options.js';
import type { CommandContext } from '../runner.js';

/** The pods a fan-out looks at: the workload's (through its selector), the one pod, or -l's in -n. */
export async function resolveFanoutPods(kube: Kube, source: FanoutSource): Promise<V1Pod[]> {
  const namespace = kube.namespace;
  if (source.kind === 'selector') {
    const list = await request(kube, { verb: 'list', resource: 'pods', namespace }, () => kube.core.listNamespacedPod({ namespace, labelSelector: source.selector }));
    if (list.items.length === 0) {
      throw new UserError(`no pod matches -l ${source.selector} in namespace "${namespace}"`, { hint: `check kubectl get pods -n ${namespace} -l '${source.selector}' (wrong -n?)` });
    }
    return list.items;
  }
  const { target } = source;
  if (target.kind === 'pod') return [await resolvePod(kube, namespace, target.name)];
  const pods = await resolveWorkloadPods(kube, target as typeof target & { kind: WorkloadKind }, namespace);
  if (pods.length === 0) throw new UserError(`${target.kind}/${target.name} has no pods`, { hint: `check kubectl get ${target.kind} ${target.name} -n ${namespace}` });
  return pods;
}

export interface NodeHelpersOptions extends HelperSettings {
  readonly helperNamespace: string | undefined;
}

/**
 * Resolves and plans the pods, lists the skipped ones, acquires one helper per
 * node in parallel, and runs `perPod` for each enterable pod with at most
 * `maxParallel` at once. Every helper is released on every way out.
 */
export async function withNodeHelpers<R>(
  ctx: CommandContext,
  options: NodeHelpersOptions,
  selection: FanoutSelection,
  /** What a node's helper is for, given the pods it serves. */
  useFor: (pods: readonly V1Pod[]) => HelperUse,
  perPod: (pod: V1Pod, helper: HelperHandle) => Promise<R>,
  onPlan?: (plan: FanoutPlan) => void,
): Promise<{ plan: FanoutPlan; results: R[]; lostNodes: ReadonlyMap<string, string> }> {
  const { kube, progress } = ctx;
  const plan = planFanout(await resolveFanoutPods(kube, selection.source));
  onPlan?.(plan);
  for (const skipped of plan.skipped) progress.warn(`skipping pod ${visibleText(skipped.pod)}: ${skipped.reason}`);
  if (plan.pods.length === 0) {
    throw new UserError(`none of the ${plan.skipped.length} pod${plan.skipped.length === 1 ? '' : 's'} can be entered (${plan.skipped.map((s) => `${visibleText(s.pod)}: ${s.reason}`).join(', ')})`, {
      hint: 'wait until they run (kubectl get pods -w) and retry',
    });
  }
  const namespace = options.helperNamespace ?? plan.pods[0]!.metadata!.namespace!;
  const access = checkHelperAccess(kube, namespace, plan.pods[0]!.metadata!.namespace!);
  const helpers = new Map<string, HelperHandle>();
  try {
    for (const node of plan.nodes) {
      const served = plan.pods.filter((pod) => pod.spec!.nodeName === node);
      helpers.set(node, acquireHelper(ctx, options, buildPodHelperRequest(served[0]!, options.helperNamespace, useFor(served)), access));
    }
    // Sessions start as their node's helper runs; the progress display ends once all are up (or failed).
    const allReady = Promise.allSettled([...helpers.values()].map((helper) => helper.ready())).then(() => progress.done());
    const stopBeats = [...helpers.values()].map((helper) => helper.heartbeat());
    try {
      const results = await mapBounded(plan.pods, selection.maxParallel, async (pod) => {
        const helper = helpers.get(pod.spec!.nodeName!)!;
        await helper.ready().catch(() => undefined); // perPod sees the helper's own failure
        await allReady;
        return perPod(pod, helper);
      });
      return { plan, results, lostNodes: await findLostNodes(helpers) };
    } finally {
      for (const stop of stopBeats) stop();
    }
  } finally {
    await Promise.allSettled([...helpers.values()].map((helper) => helper.release()));
  }
}

/**
 * Nodes whose helper no longer answers once their sessions ended. When a
 * node's kubelet dies mid-exec the API server can still report the exec as a
 * success (its stream just ends), so one more agent call per node proves the
 * statuses came from a live node; on a lost node they mean nothing.
 */
async function findLostNodes(helpers: ReadonlyMap<string, HelperHandle>): Promise<Map<string, string>> {
  const lost = new Map<string, string>();
  await Promise.all(
    [...helpers].map(async ([node, helper]) => {
      if (!(await helper.ready().then(() => true, () => false))) return; // never ran: each pod already has the helper's error
      await helper.capture(buildHeartbeatArgv()).catch((error: unknown) => lost.set(node, `lost the connection to node ${node} (${podErrorText(error)}); the session's outcome is unknown`));
    }),
  );
  return lost;
}

/** The one line a pod's failure shows: the error's own line without `error: `. */
export function podErrorText(error: unknown): string {
  return formatError(error).replace(/^error: /, '');
}

/** A fan-out session's helper: the session's tools; with target tools, what any of its pods' containers holds. */
function fanoutSessionUse(pods: readonly V1Pod[], options: DebugOptions): HelperUse {
  if (options.tools !== 'target') return { job: 'session', tools: options.tools };
  const caps = pods.map((pod) => podTargetCapabilities(pod, options.container));
  return { job: 'session', tools: 'target', target: { privileged: caps.some((c) => c.privileged), add: [...new Set(caps.flatMap((c) => c.add))] } };
}

/** `kubectl nsdebug TARGET --all-pods -- COMMAND` (or `-l SELECTOR`): the command in every pod. */
export async function runFanoutSession(ctx: CommandContext, options: DebugOptions & { fanout: FanoutSelection }): Promise<number> {
  const json = options.output === 'json';
  const color = shouldColor(process.stderr.isTTY && process.stdout.isTTY, process.env);
  let prefixes = new Map<string, string>();
  const fanned = await withNodeHelpers(ctx, options, options.fanout, (pods) => fanoutSessionUse(pods, options), async (pod, helper): Promise<PodResult> => {
    const name = pod.metadata!.name!;
    const node = pod.spec!.nodeName!;
    const out = sink(json, prefixes.get(name) ?? '', process.stdout);
    const err = sink(json, prefixes.get(name) ?? '', process.stderr);
    let container = '';
    try {
      await helper.ready();
      const built = buildPodSession(pod, options);
      for (const warning of built.warnings) ctx.progress.warn(`pod ${visibleText(name)}: ${warning}`);
      if (built.session.plan.kind !== 'node') container = targetName(built.session.plan);
      const argv = buildSessionCommand(built.session, options.command, options.tools);
      const exitCode = await helper.runAgent(argv, { stdin: false, tty: false, streams: { stdin: process.stdin, stdout: out.stream, stderr: err.stream } });
      return { pod: name, node, container, exitCode, stdout: out.end(), stderr: err.end() };
    } catch (error) {
      const message = podErrorText(error);
      const stdout = out.end();
      const stderr = err.end();
      if (!json) process.stderr.write(`${prefixes.get(name) ?? ''}error: ${message}\n`);
      return { pod: name, node, container, exitCode: null, stdout, stderr, error: message };
    }
  }, (plan) => {
    prefixes = buildPrefixes(plan.pods.map((pod) => pod.metadata!.name!), color);
  });
  const { plan, lostNodes } = fanned;
  const results = fanned.results.map((r) => {
    const lost = lostNodes.get(r.node);
    if (!lost || r.error) return r;
    if (!json) process.stderr.write(`${prefixes.get(r.pod) ?? ''}error: ${lost}\n`);
    return { ...r, exitCode: null, error: lost };
  });
  if (json) process.stdout.write(renderFanoutJson(results));
  const code = fanoutExitCode(results);
  if (code !== 0 || !options.quiet) process.stderr.write(`${summarizeFanout(results, plan.skipped)}\n`);
  return code;
}

/**
 * A pod's output: prefixed lines to our stream as they come (text), or kept
 * for the JSON. `end` flushes an unterminated last line and returns the text.
 */
function sink(json: boolean, prefix: string, target: NodeJS.WritableStream): { stream: Writable; end: () => string } {
  const chunks: Buffer[] = [];
  const decoder = new TextDecoder();
  const prefixer = new LinePrefixer(prefix);
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      if (json) chunks.push(buffer);
      else write(target, prefixer.push(decoder.decode(buffer, { stream: true })));
      callback();
    },
  });
  return {
    stream,
    end: () => {
      if (json) return Buffer.concat(chunks).toString('utf8');
      write(target, prefixer.push(decoder.decode()) + prefixer.end());
      return '';
    },
  };
}

function write(target: NodeJS.WritableStream, text: string): void {
  if (text !== '') target.write(text);
}
