import { UserError } from '../cli/errors.js';

export type WorkloadKind = 'deployment' | 'statefulset' | 'daemonset' | 'replicaset' | 'job';
export type TargetKind = 'pod' | WorkloadKind | 'node';

/** What the user typed as TARGET, normalised: `deploy/web` -> {kind: 'deployment', name: 'web'}. */
export interface TargetRef {
  readonly kind: TargetKind;
  readonly name: string;
}

/** Spellings accepted before the slash, as kubectl accepts them. */
export const KIND_ALIASES: Readonly<Record<string, TargetKind>> = {
  pod: 'pod', pods: 'pod', po: 'pod',
  deployment: 'deployment', deployments: 'deployment', deploy: 'deployment',
  statefulset: 'statefulset', statefulsets: 'statefulset', sts: 'statefulset',
  daemonset: 'daemonset', daemonsets: 'daemonset', ds: 'daemonset',
  replicaset: 'replicaset', replicasets: 'replicaset', rs: 'replicaset',
  job: 'job', jobs: 'job',
  node: 'node', nodes: 'node', no: 'node',
};

// RFC 1123 subdomain: what Kubernetes accepts for pod, workload and node names.
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function parseTargetRef(text: string): TargetRef {
  const slash = text.indexOf('/');
  const kindText = slash === -1 ? 'pod' : text.slice(0, slash).toLowerCase().replace(/\.(apps|batch)$/, '');
  const name = slash === -1 ? text : text.slice(slash + 1);
  const kind = KIND_ALIASES[kindText];
  if (!kind) {
    throw new UserError(`unknown target type "${kindText}" in "${text}"`, {
      hint: 'use pod/NAME, deployment/NAME, statefulset/NAME, daemonset/NAME, replicaset/NAME, job/NAME or node/NAME',
    });
  }
  if (!NAME_PATTERN.test(name)) {
    throw new UserError(`"${name}" is not a valid ${kind} name`, {
      hint: 'names are lowercase letters, digits, "-" and "." (see kubectl get ' + kind + 's)',
    });
  }
  return { kind, name };
}

export function formatTargetRef(ref: TargetRef): string {
  return `${ref.kind}/${ref.name}`;
}
