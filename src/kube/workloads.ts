// Which API serves each workload kind a TARGET may name: the one table that
// target resolution and shell completion both read.
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { WorkloadKind } from '../base/rules.js';
import type { Kube } from './client.js';

/** The parts of a workload object nsdebug reads. */
export interface WorkloadObject {
  readonly metadata?: { readonly name?: string };
  readonly spec?: { readonly selector?: V1LabelSelector; readonly template?: { readonly spec?: { readonly containers?: readonly { readonly name: string }[] } } };
}

export interface WorkloadApi {
  read(kube: Kube, namespace: string, name: string): Promise<WorkloadObject>;
  list(kube: Kube, namespace: string): Promise<readonly WorkloadObject[]>;
}

type Read = (kube: Kube, params: { name: string; namespace: string }) => Promise<WorkloadObject>;
type List = (kube: Kube, params: { namespace: string }) => Promise<{ items: readonly WorkloadObject[] }>;

function api(read: Read, list: List): WorkloadApi {
  return { read: (kube, namespace, name) => read(kube, { name, namespace }), list: async (kube, namespace) => (await list(kube, { namespace })).items };
}

export const WORKLOAD_APIS: Readonly<Record<WorkloadKind, WorkloadApi>> = {
  deployment: api((k, p) => k.apps.readNamespacedDeployment(p), (k, p) => k.apps.listNamespacedDeployment(p)),
  statefulset: api((k, p) => k.apps.readNamespacedStatefulSet(p), (k, p) => k.apps.listNamespacedStatefulSet(p)),
  daemonset: api((k, p) => k.apps.readNamespacedDaemonSet(p), (k, p) => k.apps.listNamespacedDaemonSet(p)),
  replicaset: api((k, p) => k.apps.readNamespacedReplicaSet(p), (k, p) => k.apps.listNamespacedReplicaSet(p)),
  job: api((k, p) => k.batch.readNamespacedJob(p), (k, p) => k.batch.listNamespacedJob(p)),
};
