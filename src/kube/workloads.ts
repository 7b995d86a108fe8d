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

export const WORKLOAD_APIS: Readonly<Record<WorkloadKind, WorkloadApi>> = {
  deployment: {
    read: (k, namespace, name) => k.apps.readNamespacedDeployment({ name, namespace }),
    list: async (k, namespace) => (await k.apps.listNamespacedDeployment({ namespace })).items,
  },
  statefulset: {
    read: (k, namespace, name) => k.apps.readNamespacedStatefulSet({ name, namespace }),
    list: async (k, namespace) => (await k.apps.listNamespacedStatefulSet({ namespace })).items,
  },
  daemonset: {
    read: (k, namespace, name) => k.apps.readNamespacedDaemonSet({ name, namespace }),
    list: async (k, namespace) => (await k.apps.listNamespacedDaemonSet({ namespace })).items,
  },
  replicaset: {
    read: (k, namespace, name) => k.apps.readNamespacedReplicaSet({ name, namespace }),
    list: async (k, namespace) => (await k.apps.listNamespacedReplicaSet({ namespace })).items,
  },
  job: {
    read: (k, namespace, name) => k.batch.readNamespacedJob({ name, namespace }),
    list: async (k, namespace) => (await k.batch.listNamespacedJob({ namespace })).items,
  },
};
