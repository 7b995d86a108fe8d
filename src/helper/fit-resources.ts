// A namespace whose ResourceQuota or LimitRange demands resource values: the
// helper is created as usual (no extra round trip when nothing is demanded), and
// only when admission refuses it for lack of values is it created once more with
// the smallest values that pass, said on one progress line.
import type { V1LimitRange, V1Pod } from '@kubernetes/client-node';
import type { Progress } from '../base/progress.js';
import { HELPER_RESOURCE_FLOOR, HELPER_RESOURCE_NAMES, formatResourceValues, parseQuantity, type HelperResourceName, type HelperResources, type ResourceValues } from '../base/resources.js';
import type { Refusal } from '../kube/admission.js';
import { refusalOf } from '../kube/api-errors.js';
import type { Kube } from '../kube/client.js';
import { request } from '../kube/request.js';
import { createHelper } from './lifecycle.js';

type Demand = { readonly requests: Set<HelperResourceName>; readonly limits: Set<HelperResourceName> };

const asName = (text: string): HelperResourceName | undefined => (HELPER_RESOURCE_NAMES as readonly string[]).includes(text) ? (text as HelperResourceName) : undefined;

/** Which values the refusal asks for: a quota names them ("limits.cpu", bare "cpu" = requests); a LimitRange wants both. */
function demandOf(refusal: Refusal): Demand | undefined {
  const demand: Demand = { requests: new Set(), limits: new Set() };
  if (refusal.kind === 'quota-unset') {
    for (const resource of refusal.resources) {
      const [scope, rest] = resource.includes('.') ? (resource.split(/\.(.*)/) as [string, string]) : ['requests', resource];
      const name = asName(rest);
      if (name && (scope === 'requests' || scope === 'limits')) demand[scope].add(name);
    }
  } else if (refusal.kind === 'limit-range') {
    // Equal request and limit: any min/max bound is met by the clamp, any limit-to-request ratio by 1.
    for (const resource of refusal.resources) {
      const name = asName(resource);
      if (name) {
        demand.requests.add(name);
        demand.limits.add(name);
      }
    }
  } else return undefined;
  return demand.requests.size + demand.limits.size > 0 ? demand : undefined;
}

/** The floor, raised to every LimitRange minimum and capped at every maximum (Container and Pod items alike: the helper is one container). */
function fitValue(name: HelperResourceName, limitRanges: readonly V1LimitRange[]): string {
  let value = HELPER_RESOURCE_FLOOR[name];
  const items = limitRanges.flatMap((range) => range.spec?.limits ?? []).filter((item) => item.type === 'Container' || item.type === 'Pod');
  for (const item of items) {
    const min = item.min?.[name];
    if (min !== undefined && parseQuantity(min) > parseQuantity(value)) value = min;
  }
  for (const item of items) {
    const max = item.max?.[name];
    if (max !== undefined && parseQuantity(max) < parseQuantity(value)) value = max;
  }
  return value;
}

/** Pure: the smallest helper resources that answer the refusal, or undefined when values cannot answer it. */
export function fitHelperResources(refusal: Refusal, limitRanges: readonly V1LimitRange[]): HelperResources | undefined {
  const demand = demandOf(refusal);
  if (!demand) return undefined;
  const pick = (names: Set<HelperResourceName>): ResourceValues | undefined =>
    names.size === 0 ? undefined : Object.fromEntries([...names].map((name) => [name, fitValue(name, limitRanges)]));
  const requests = pick(demand.requests);
  const limits = pick(demand.limits);
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

/** Pure: the helper pod with these resources on its one container. */
export function withHelperResources(pod: V1Pod, resources: HelperResources): V1Pod {
  const [container, ...rest] = pod.spec!.containers;
  return { ...pod, spec: { ...pod.spec!, containers: [{ ...container!, resources: { ...(resources.requests ? { requests: { ...resources.requests } } : {}), ...(resources.limits ? { limits: { ...resources.limits } } : {}) } }, ...rest] } };
}

/** The one progress line: who demanded, what the helper got, how to choose. */
export function describeFit(refusal: Refusal, namespace: string, resources: HelperResources): string {
  const who = refusal.kind === 'quota-unset' ? `ResourceQuota "${refusal.quota}"` : 'a LimitRange';
  const parts = [resources.requests ? `requests ${formatResourceValues(resources.requests)}` : '', resources.limits ? `limits ${formatResourceValues(resources.limits)}` : ''].filter(Boolean);
  return `${who} in namespace "${namespace}" demands resource values: the helper gets ${parts.join(', ')} (choose them with --helper-requests/--helper-limits)`;
}

async function readLimitRanges(kube: Kube, namespace: string): Promise<V1LimitRange[]> {
  try {
    return (await request(kube, { verb: 'list', resource: 'limitranges', namespace }, () => kube.core.listNamespacedLimitRange({ namespace }))).items;
  } catch {
    return []; // not allowed to read them: the floor alone, and the retry's refusal will say why if it is not enough
  }
}

/**
 * Creates the helper; when a quota or LimitRange refuses it for want of resource
 * values and the user gave none, creates it once more with the fitted values.
 */
export async function createHelperFitted(kube: Kube, pod: V1Pod, progress: Progress, explicit: boolean): Promise<V1Pod> {
  try {
    return await createHelper(kube, pod);
  } catch (error) {
    const refusal = refusalOf(error);
    if (explicit || !refusal) throw error;
    const namespace = pod.metadata!.namespace!;
    const resources = fitHelperResources(refusal, refusal.kind === 'quota-unset' || refusal.kind === 'limit-range' ? await readLimitRanges(kube, namespace) : []);
    if (!resources) throw error;
    progress.note(describeFit(refusal, namespace, resources));
    return createHelper(kube, withHelperResources(pod, resources));
  }
}
