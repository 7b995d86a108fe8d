import type { V1LabelSelector, V1Node, V1Pod } from '@kubernetes/client-node';
import { UserError } from '../base/errors.js';
import { closestNames } from '../base/similar.js';
import type { Kube } from './client.js';
import { isNotFound, statusCodeOf } from './api-errors.js';
import { request } from './request.js';
import type { Progress } from '../base/progress.js';
import { assertLinuxNode, assertPodEnterable } from './pod-checks.js';
import type { TargetRef, WorkloadKind } from './target-ref.js';
import { WORKLOAD_APIS } from './workloads.js';

export async function resolvePod(kube: Kube, namespace: string, name: string): Promise<V1Pod> {
  try {
    return await request(kube, { verb: 'get', resource: 'pods', namespace, name }, () => kube.core.readNamespacedPod({ name, namespace }));
  } catch (error) {
    if (!isNotFound((error as { cause?: unknown }).cause)) throw error;
    const names = await listPodNames(kube, namespace).catch(() => []);
    const close = closestNames(name, names);
    throw new UserError(`pod "${name}" not found in namespace "${namespace}"`, {
      hint: close.length ? `did you mean ${close.join(', ')}?` : `list the pods with kubectl get pods -n ${namespace}${names.length === 0 ? ' (the namespace has none; wrong -n?)' : ''}`,
    });
  }
}

async function listPodNames(kube: Kube, namespace: string): Promise<string[]> {
  const list = await request(kube, { verb: 'list', resource: 'pods', namespace }, () => kube.core.listNamespacedPod({ namespace }));
  return list.items.map((pod) => pod.metadata?.name ?? '').filter(Boolean);
}

/** Reads the node; a user without `get nodes` still gets a session (the checks that need it are skipped). */
export async function resolveNodeOptional(kube: Kube, name: string): Promise<V1Node | undefined> {
  try {
    return await request(kube, { verb: 'get', resource: 'nodes', name }, () => kube.core.readNode({ name }));
  } catch (error) {
    const code = statusCodeOf((error as { cause?: unknown }).cause);
    if (code === 403 || code === 404) return undefined;
    throw error;
  }
}

export async function resolveNode(kube: Kube, name: string): Promise<V1Node> {
  try {
    return await request(kube, { verb: 'get', resource: 'nodes', name }, () => kube.core.readNode({ name }));
  } catch (error) {
    if (!isNotFound((error as { cause?: unknown }).cause)) throw error;
    const names = (await request(kube, { verb: 'list', resource: 'nodes' }, () => kube.core.listNode()).catch(() => ({ items: [] as V1Node[] }))).items.map((n) => n.metadata?.name ?? '');
    const close = closestNames(name, names);
    throw new UserError(`node "${name}" not found`, { hint: close.length ? `did you mean ${close.join(', ')}?` : 'list the nodes with kubectl get nodes' });
  }
}

/** "a=b,c in (d,e)": a label selector as the list API takes it. */
export function buildLabelSelector(selector: V1LabelSelector | undefined): string {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  const expressions = (selector?.matchExpressions ?? []).map(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In': return `${key} in (${values.join(',')})`;
      case 'NotIn': return `${key} notin (${values.join(',')})`;
      case 'Exists': return key;
      case 'DoesNotExist': return `!${key}`;
      default: throw new UserError(`unsupported selector operator "${operator}"`, { hint: 'name a pod directly with pod/NAME' });
    }
  });
  return [...labels, ...expressions].join(',');
}

async function readWorkloadSelector(kube: Kube, kind: WorkloadKind, namespace: string, name: string): Promise<V1LabelSelector | undefined> {
  const action = { verb: 'get', resource: `${kind}s`, namespace, name };
  const workload = await request(kube, action, () => WORKLOAD_APIS[kind].read(kube, namespace, name));
  return workload.spec?.selector;
}

/** The workload's pods, sorted by name, through its selector. */
export async function resolveWorkloadPods(kube: Kube, ref: TargetRef & { kind: WorkloadKind }, namespace: string): Promise<V1Pod[]> {
  const selector = await readWorkloadSelector(kube, ref.kind, namespace, ref.name);
  const labelSelector = buildLabelSelector(selector);
  if (!labelSelector) throw new UserError(`${ref.kind}/${ref.name} has an empty selector`, { hint: 'name a pod directly with pod/NAME' });
  const list = await request(kube, { verb: 'list', resource: 'pods', namespace }, () => kube.core.listNamespacedPod({ namespace, labelSelector }));
  return list.items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** Without a picker: the first Running pod by name, and a note naming it and the others. */
export function chooseWorkloadPod(ref: TargetRef, pods: readonly V1Pod[]): { pod: V1Pod; note: string } {
  const running = pods.filter((pod) => pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp);
  const chosen = running[0];
  if (!chosen) {
    const states = pods.map((pod) => `${pod.metadata?.name} (${pod.status?.phase ?? 'Unknown'})`).join(', ');
    throw new UserError(`${ref.kind}/${ref.name} has no Running pod${pods.length ? `: ${states}` : ''}`, {
      hint: pods.length ? 'name one of its pods with pod/NAME' : `check kubectl get ${ref.kind} ${ref.name}`,
    });
  }
  const others = pods.length - 1;
  return {
    pod: chosen,
    note: `${ref.kind}/${ref.name}: using pod ${chosen.metadata?.name}${others ? ` (the first Running of ${pods.length}; ${others} other${others === 1 ? '' : 's'}: ${pods.filter((p) => p !== chosen).map((p) => p.metadata?.name).join(', ')})` : ''}`,
  };
}

/** The pod behind a pod or workload TARGET (first Running pod, with a note), checked to be enterable on a Linux node. */
export async function resolveEnterablePod(kube: Kube, target: TargetRef, progress: Pick<Progress, 'note'>, namespace = kube.namespace): Promise<V1Pod> {
  let pod: V1Pod;
  if (target.kind === 'pod') {
    pod = await resolvePod(kube, namespace, target.name);
  } else {
    const chosen = chooseWorkloadPod(target, await resolveWorkloadPods(kube, target as TargetRef & { kind: WorkloadKind }, namespace));
    progress.note(chosen.note);
    pod = chosen.pod;
  }
  assertPodEnterable(pod);
  assertLinuxNode(await resolveNodeOptional(kube, pod.spec!.nodeName!), pod);
  return pod;
}
