import { UserError } from '../base/errors.js';
import { KIND_ALIASES, TARGET_KINDS, type TargetKind, type WorkloadKind } from '../base/rules.js';

export type { TargetKind, WorkloadKind };


/** What the user typed as TARGET, normalised: `deploy/web` -> {kind: 'deployment', name: 'web'}. */
export interface TargetRef {
  readonly kind: TargetKind;
  readonly name: string;
}


// RFC 1123 subdomain: what Kubernetes accepts for pod, workload and node names.
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function parseTargetRef(text: string): TargetRef {
  const slash = text.indexOf('/');
  const kindText = slash === -1 ? 'pod' : text.slice(0, slash).toLowerCase().replace(/\.(apps|batch)$/, '');
  const name = slash === -1 ? text : text.slice(slash + 1);
  const kind = KIND_ALIASES[kindText];
  if (!kind) {
    throw new UserError(`unknown target type "${kindText}" in "${text}"`, {
      hint: `use ${TARGET_KINDS.slice(0, -1).map((k) => `${k}/NAME`).join(', ')} or ${TARGET_KINDS.at(-1)}/NAME`,
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
