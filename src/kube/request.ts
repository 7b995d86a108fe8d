import { UserError } from '../base/errors.js';
import type { Kube } from './client.js';
import { describeApiError, type ApiAction } from './api-errors.js';

/**
 * Runs one API request under --request-timeout and turns its failure into a
 * one-line diagnosis. Every API call of the plugin goes through here.
 */
export async function request<T>(kube: Kube, action: ApiAction, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout =
    kube.requestTimeoutMs > 0
      ? new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new UserError(`the API server at ${kube.server} did not answer "${action.verb} ${action.resource}" within --request-timeout`, {
                  hint: 'check that the cluster is reachable, or raise --request-timeout',
                }),
              ),
            kube.requestTimeoutMs,
          );
          timer.unref();
        })
      : undefined;
  try {
    return await (timeout ? Promise.race([call(), timeout]) : call());
  } catch (error) {
    throw describeApiError(error, action, kube.server);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
