import type { Kube } from '../kube/client.js';
import type { Lookups } from './candidates.js';
import type { LookupFlags, TargetWord } from './parse-words.js';
import type { TargetKind } from '../base/rules.js';

interface Named {
  readonly metadata?: { readonly name?: string };
}

interface PodTemplated {
  readonly spec?: { readonly template?: { readonly spec?: { readonly containers?: readonly { readonly name: string }[] } } };
}

/**
 * Lookups against the cluster the words point at. The Kubernetes client is
 * loaded on the first call, so completing a flag name never pays for it.
 */
export function createClusterLookups(flags: LookupFlags): Lookups {
  let kube: Promise<Kube> | undefined;
  const connect = (overrides: LookupFlags = flags): Promise<Kube> => {
    const load = async (): Promise<Kube> => (await import('../kube/client.js')).createKube(overrides);
    if (overrides !== flags) return load();
    kube ??= load();
    return kube;
  };

  return {
    async namespaces() {
      const { core } = await connect();
      return names((await core.listNamespace()).items);
    },
    async names(kind: TargetKind) {
      const k = await connect();
      const namespace = k.namespace;
      if (kind === 'pod') return names((await k.core.listNamespacedPod({ namespace })).items);
      if (kind === 'node') return names((await k.core.listNode()).items);
      return names(await (await workloadApis()).WORKLOAD_APIS[kind].list(k, namespace));
    },
    async containers(target: TargetWord) {
      const k = await connect();
      if (target.kind === 'pod') return ((await k.core.readNamespacedPod({ name: target.name, namespace: k.namespace })).spec?.containers ?? []).map((c) => c.name);
      if (target.kind === 'node') return [];
      return templateContainers(await (await workloadApis()).WORKLOAD_APIS[target.kind].read(k, k.namespace, target.name));
    },
    // Contexts, clusters and users come from the kubeconfig alone: no request is made.
    async contexts() {
      const { config } = await connect({ ...optional('kubeconfig', flags.kubeconfig) });
      return config.getContexts().map((context) => context.name);
    },
    async clusters() {
      const { config } = await connect({ ...optional('kubeconfig', flags.kubeconfig) });
      return config.getClusters().map((cluster) => cluster.name);
    },
    async users() {
      const { config } = await connect({ ...optional('kubeconfig', flags.kubeconfig) });
      return config.getUsers().map((user) => user.name);
    },
  };
}

/** Loaded with the client, on the first lookup. */
const workloadApis = () => import('../kube/workloads.js');

function names(items: readonly Named[]): string[] {
  return items.flatMap((item) => (item.metadata?.name ? [item.metadata.name] : [])).sort();
}

function templateContainers(workload: PodTemplated): string[] {
  return (workload.spec?.template?.spec?.containers ?? []).map((c) => c.name);
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
