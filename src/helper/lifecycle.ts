import type { V1Pod } from '@kubernetes/client-node';
import { UserError } from '../base/errors.js';
import type { Kube } from '../kube/client.js';
import { isNotFound, statusCodeOf } from '../kube/api-errors.js';
import { request } from '../kube/request.js';

export interface HelperRef {
  readonly name: string;
  readonly namespace: string;
}

export function helperRefOf(pod: V1Pod): HelperRef {
  return { name: pod.metadata!.name!, namespace: pod.metadata!.namespace! };
}

export async function createHelper(kube: Kube, pod: V1Pod): Promise<V1Pod> {
  const namespace = pod.metadata!.namespace!;
  return request(kube, { verb: 'create', resource: 'pods', namespace }, () => kube.core.createNamespacedPod({ namespace, body: pod }));
}

/** The API's own status code behind a diagnosed error, if the server answered at all. */
function serverStatusOf(error: unknown): number | undefined {
  return statusCodeOf((error as { cause?: unknown } | null)?.cause ?? error) ?? statusCodeOf(error);
}

/**
 * A create whose outcome is unknown: the request may have left (connection reset,
 * timeout, 5xx) and the pod may exist. Only a server's 4xx answer says it does not.
 */
export function isAmbiguousCreate(error: unknown): boolean {
  const code = serverStatusOf(error);
  return code === undefined || code >= 500 || code === 429;
}

/** The exact command that removes a helper nsdebug could not delete. */
export function deleteCommandFor(helper: HelperRef): string {
  return `kubectl delete pod ${helper.name} -n ${helper.namespace}`;
}

/** Deletes at once (grace 0); a helper that is already gone is fine. One attempt. */
export async function deleteHelper(kube: Kube, helper: HelperRef): Promise<void> {
  try {
    await request(kube, { verb: 'delete', resource: 'pods', namespace: helper.namespace, name: helper.name }, () =>
      kube.core.deleteNamespacedPod({ name: helper.name, namespace: helper.namespace, gracePeriodSeconds: 0 }),
    );
  } catch (error) {
    if (!isNotFound((error as { cause?: unknown }).cause ?? error)) throw error;
  }
}

export interface DeleteRetry {
  /** How long to keep trying across API blips: about an API server restart. */
  readonly budgetMs: number;
  /** Told once, when the first attempt failed and we wait for the API. */
  readonly onRetry?: (reason: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Long enough for an API server (or etcd) restart; the exit guard waits longer than this. */
export const DELETE_BUDGET_MS = 45_000;

/**
 * Deletes with bounded backoff (0.5 s doubling to 5 s) while the failure may pass
 * (no answer, 5xx, 429). A refusal (403, 401) or the budget spent ends in one
 * error that names the helper and the exact kubectl delete to run.
 */
export async function deleteHelperWithRetry(kube: Kube, helper: HelperRef, retry: DeleteRetry = { budgetMs: DELETE_BUDGET_MS }): Promise<void> {
  const sleep = retry.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + retry.budgetMs;
  let pause = 500;
  for (let attempt = 1; ; attempt++) {
    try {
      await deleteHelper(kube, helper);
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const transient = isAmbiguousCreate(error);
      if (!transient || Date.now() + pause >= deadline) {
        throw new UserError(`could not delete the helper pod ${helper.name} in namespace ${helper.namespace} (${reason.replace(/[.;]+$/, '')}${transient ? `; tried ${attempt} times in ${Math.round(retry.budgetMs / 1000)}s` : ''})`, {
          hint: `delete it with ${deleteCommandFor(helper)}`,
          cause: error,
        });
      }
      if (attempt === 1) retry.onRetry?.(reason);
      await sleep(pause);
      pause = Math.min(pause * 2, 5_000);
    }
  }
}
