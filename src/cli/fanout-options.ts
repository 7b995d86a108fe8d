// Pure validation of the fan-out flags (--all-pods, -l, --max-parallel), shared
// by the session, ns and stats commands.
import { UserError } from '../base/errors.js';
import { DEFAULT_MAX_PARALLEL } from '../base/flags.js';
import type { TargetRef } from '../kube/target-ref.js';

export interface RawFanoutArgs {
  readonly allPods?: boolean | undefined;
  readonly selector?: string | undefined;
  readonly maxParallel?: number | undefined;
}

/** Which pods a fan-out enters: a workload's (or one pod), or those matching a label selector in -n. */
export type FanoutSource = { readonly kind: 'target'; readonly target: TargetRef } | { readonly kind: 'selector'; readonly selector: string };

export interface FanoutSelection {
  readonly source: FanoutSource;
  readonly maxParallel: number;
}

/** Pure: the fan-out the flags ask for, or undefined for a single pod. */
export function validateFanout(raw: RawFanoutArgs, target: TargetRef | undefined, command: string): FanoutSelection | undefined {
  const selector = raw.selector;
  if (selector === undefined && !raw.allPods) return undefined;
  if (selector !== undefined && target !== undefined) {
    throw new UserError('-l/--selector and a TARGET exclude each other', { hint: `give one: kubectl nsdebug ${command}-l app=api --all-pods, or kubectl nsdebug ${command}deploy/api --all-pods` });
  }
  if (selector !== undefined && selector.trim() === '') throw new UserError('-l/--selector is empty', { hint: 'give a label selector, for example -l app=api' });
  if (target?.kind === 'node') {
    throw new UserError(`--all-pods enters the pods of a workload, not node/${target.name}`, { hint: 'name a workload (deploy/api) or use -l SELECTOR' });
  }
  const maxParallel = raw.maxParallel ?? DEFAULT_MAX_PARALLEL;
  if (!Number.isInteger(maxParallel) || maxParallel < 1) {
    throw new UserError(`--max-parallel "${String(raw.maxParallel)}" is not a whole number of at least 1`, { hint: 'for example --max-parallel 5' });
  }
  if (selector !== undefined) return { source: { kind: 'selector', selector }, maxParallel };
  if (target === undefined) {
    throw new UserError('--all-pods needs a workload TARGET or -l SELECTOR', { hint: `for example kubectl nsdebug ${command}deploy/api --all-pods` });
  }
  return { source: { kind: 'target', target }, maxParallel };
}
