import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import { CancelledError, UserError } from '../base/errors.js';
import type { Kube } from '../kube/client.js';
import { describeApiError } from '../kube/api-errors.js';
import { formatElapsed } from '../base/duration.js';
import type { Progress } from '../base/progress.js';

/** Container waiting reasons that will not fix themselves: fail at once instead of at --timeout. */
const FATAL_WAITING_REASONS = new Set([
  'ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName',
  'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError',
]);
/** Kubelet event reasons that mean the same. */
const FATAL_EVENT_REASONS = new Set(['Failed', 'ErrImageNeverPull', 'InspectFailed', 'FailedCreatePodSandBox', 'FailedMount']);

export interface WaitRunningOptions {
  readonly timeoutMs: number;
  readonly progress: Progress;
  readonly signal?: AbortSignal | undefined;
}

type Verdict = { kind: 'running' } | { kind: 'failed'; message: string } | { kind: 'pending' };

/** Pure: what the helper's status says about its start. */
export function judgeHelperPod(pod: V1Pod): Verdict {
  const phase = pod.status?.phase;
  const status = pod.status?.containerStatuses?.[0];
  if (phase === 'Running' && status?.state?.running) return { kind: 'running' };
  if (phase === 'Failed' || phase === 'Succeeded') {
    const terminated = status?.state?.terminated;
    const why = pod.status?.message ?? terminated?.message ?? terminated?.reason ?? pod.status?.reason ?? phase;
    return { kind: 'failed', message: `the helper pod ended before the session began (${why})` };
  }
  const waiting = status?.state?.waiting;
  if (waiting?.reason && FATAL_WAITING_REASONS.has(waiting.reason)) {
    return { kind: 'failed', message: `the helper container cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` };
  }
  return { kind: 'pending' };
}

function describeEvent(event: CoreV1Event): string {
  return `${event.reason ?? 'Event'}: ${(event.message ?? '').trim()}`;
}

/**
 * Watches the helper from the resourceVersion its creation returned (nothing is
 * missed, nothing is polled) until its container runs. Kubelet events are
 * reported as they arrive, and an image-pull failure ends the wait at once.
 */
export async function waitHelperRunning(kube: Kube, created: V1Pod, options: WaitRunningOptions): Promise<V1Pod> {
  const name = created.metadata!.name!;
  const namespace = created.metadata!.namespace!;
  const started = Date.now();
  const events: string[] = [];
  const controllers: AbortController[] = [];
  let finished = false;
  // A watch may finish connecting after the wait is over: abort it then.
  const keep = (controller: AbortController) => (finished ? controller.abort() : controllers.push(controller));
  const watch = new kube.lib.Watch(kube.config);
  let reportedScheduled = false;
  let lastPhase: string | undefined;
  const seenEvents = new Set<string>();
  // The kubelet re-posts the same event with a higher count: show each once.
  const phase = (name: 'pulling' | 'starting', detail?: string) => {
    if (lastPhase !== name) options.progress.phase(name, detail);
    lastPhase = name;
  };

  const result = new Promise<V1Pod>((resolve, reject) => {
    const hint = `see kubectl describe pod ${name} -n ${namespace}`;
    const fail = (message: string) => reject(new UserError(message, { hint: /image/i.test(message) ? `check --image and --image-pull-policy; ${hint}` : hint }));
    const onPod = (pod: V1Pod) => {
      if (!reportedScheduled && pod.spec?.nodeName) {
        reportedScheduled = true;
        options.progress.phase('scheduled', pod.spec.nodeName);
      }
      const verdict = judgeHelperPod(pod);
      if (verdict.kind === 'running') resolve(pod);
      else if (verdict.kind === 'failed') fail(verdict.message);
    };
    const onEvent = (event: CoreV1Event) => {
      const line = describeEvent(event);
      if (seenEvents.has(line)) return;
      seenEvents.add(line);
      events.push(line);
      options.progress.event(line);
      if (event.reason === 'Pulling') phase('pulling', event.message?.replace(/^Pulling image /, ''));
      if (event.reason === 'Created' || event.reason === 'Pulled') phase('starting');
      if (event.type === 'Warning' && event.reason && FATAL_EVENT_REASONS.has(event.reason) && !/Back-off/i.test(event.message ?? '')) {
        fail(`the helper pod cannot start: ${line}`);
      }
    };
    const watchError = (error: unknown) => {
      if (error && (error as Error).name !== 'AbortError') reject(describeApiError(error, { verb: 'watch', resource: 'pods', namespace, name }, kube.server));
    };
    watch
      .watch(`/api/v1/namespaces/${namespace}/pods`, { fieldSelector: `metadata.name=${name}`, resourceVersion: created.metadata?.resourceVersion, allowWatchBookmarks: false },
        (type, pod: V1Pod) => {
          if (type === 'DELETED') fail(`the helper pod ${name} was deleted while starting`);
          else onPod(pod);
        }, watchError)
      .then(keep, watchError);
    watch
      .watch(`/api/v1/namespaces/${namespace}/events`, { fieldSelector: `involvedObject.name=${name},involvedObject.kind=Pod` },
        (type, event: CoreV1Event) => {
          if (type === 'ADDED' || type === 'MODIFIED') onEvent(event);
        }, () => {})
      .then(keep, () => {});
    onPod(created);
  });

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const last = events.slice(-3).join(' | ') || 'no events yet';
      reject(new UserError(`the helper pod ${name} did not start within ${formatElapsed(options.timeoutMs)} (last events: ${last})`, {
        hint: `raise --timeout, or see kubectl describe pod ${name} -n ${namespace}`,
      }));
    }, options.timeoutMs);
  });
  const cancelled = new Promise<never>((_, reject) => {
    if (options.signal?.aborted) reject(new CancelledError());
    options.signal?.addEventListener('abort', () => reject(options.signal?.reason instanceof Error ? options.signal.reason : new CancelledError()), { once: true });
  });
  try {
    const pod = await Promise.race([result, timeout, cancelled]);
    options.progress.event(`helper running after ${formatElapsed(Date.now() - started)}`);
    return pod;
  } finally {
    clearTimeout(timer);
    finished = true;
    for (const controller of controllers) controller.abort();
  }
}
