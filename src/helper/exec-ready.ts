// The first exec into a helper goes out when the kubelet reports the container
// Started, before the pod's status says Running. Between the two the kubelet may
// still answer the upgrade with "container not found" (it lists the runtime's
// containers itself): that one answer is retried, briefly; every other failure
// is final at once.
import { CancelledError } from '../base/errors.js';
import { HELPER_CONTAINER } from './spec.js';

/** The retry's bound: a started container is listed within milliseconds; 2 s is plenty. */
export const NOT_STARTED_RETRY_DELAYS_MS: readonly number[] = [50, 100, 100, 150, 200, 300, 400, 700];

/**
 * Whether an exec failed because the kubelet does not list the helper's container
 * yet. Its exact words, through the API server: `unable to upgrade connection:
 * container not found ("nsdebug")` (HTTP 500). The text may sit in the error's
 * message or in its cause's status body.
 */
export function isContainerNotStartedYet(error: unknown): boolean {
  const texts: string[] = [];
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const { message, body } = current as { message?: unknown; body?: unknown };
    if (typeof message === 'string') texts.push(message);
    if (typeof body === 'string') texts.push(body);
    else if (body && typeof (body as { message?: unknown }).message === 'string') texts.push((body as { message: string }).message);
    current = (current as { cause?: unknown }).cause;
  }
  const notFound = `unable to upgrade connection: container not found (\\"${HELPER_CONTAINER}\\")`;
  return texts.some((text) => text.includes(`unable to upgrade connection: container not found ("${HELPER_CONTAINER}")`) || text.includes(notFound));
}

/** Runs `exec`, again after a short pause while the kubelet answers that the container is not there yet. */
export async function retryWhileNotStarted<T>(exec: () => Promise<T>, options: { signal?: AbortSignal | undefined; delaysMs?: readonly number[] } = {}): Promise<T> {
  const delays = options.delaysMs ?? NOT_STARTED_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await exec();
    } catch (error) {
      if (attempt >= delays.length || !isContainerNotStartedYet(error)) throw error;
    }
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new CancelledError();
    await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
  }
}
