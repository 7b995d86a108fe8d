// Pure option validation for `cp` and `diff`: kubectl cp's argument syntax,
// flags and environment -> options, with no I/O.
import { posix } from 'node:path';
import { UserError } from '../base/errors.js';
import { validateHelperOptions, type HelperOptions, type RawHelperArgs } from './debug-options.js';
import { parseTargetRef, type TargetRef } from '../kube/target-ref.js';
import type { RawStatsArgs } from './inspect-options.js';

export interface RawCpArgs extends RawHelperArgs {
  readonly src?: string | undefined;
  readonly dst?: string | undefined;
  readonly container?: string | undefined;
  readonly preserve?: boolean | undefined;
}

/** diff takes what stats takes for one pod: TARGET, -c and -o. */
export type RawDiffArgs = RawHelperArgs & Pick<RawStatsArgs, 'target' | 'container' | 'output'>;

/** One side of a copy: the container's (with its pod) or ours (a path, or `-` for a tar on stdio). */
export type CpEnd =
  | { readonly kind: 'remote'; readonly pod: TargetRef; readonly namespace: string | undefined; readonly path: string }
  | { readonly kind: 'local'; readonly path: string }
  | { readonly kind: 'stdio' };

export interface CpOptions extends HelperOptions {
  readonly direction: 'in' | 'out';
  readonly remote: Extract<CpEnd, { kind: 'remote' }>;
  readonly local: Exclude<CpEnd, { kind: 'remote' }>;
  readonly container: string | undefined;
  readonly preserve: boolean;
}

export interface DiffOptions extends HelperOptions {
  readonly target: TargetRef;
  readonly container: string | undefined;
  readonly output: 'table' | 'json';
}

const POD_ALIASES = new Set(['pod', 'pods', 'po']);

/**
 * kubectl cp's forms: `[pod/]NAME:PATH` or `NAMESPACE/NAME:PATH` is the
 * container's, `-` is a tar on stdin or stdout (as docker cp), anything else
 * (also a path starting with `/` or `.`, colon or not) is local.
 */
export function parseCpEnd(text: string): CpEnd {
  if (text === '-') return { kind: 'stdio' };
  const colon = text.indexOf(':');
  if (colon <= 0 || text.startsWith('/') || text.startsWith('.')) return { kind: 'local', path: text };
  const ref = text.slice(0, colon);
  const slash = ref.indexOf('/');
  const prefix = slash === -1 ? undefined : ref.slice(0, slash);
  const namespace = prefix !== undefined && !POD_ALIASES.has(prefix.toLowerCase()) ? prefix : undefined;
  const pod = parseTargetRef(slash === -1 ? ref : `pod/${ref.slice(slash + 1)}`);
  const raw = text.slice(colon + 1);
  if (raw === '') throw new UserError(`no container path after "${ref}:"`, { hint: `name one, for example ${ref}:/tmp` });
  // A relative path counts from the container's root (we do not know its working directory).
  return { kind: 'remote', pod, namespace, path: posix.normalize(raw.startsWith('/') ? raw : `/${raw}`) };
}

export function validateCpOptions(raw: RawCpArgs, env: NodeJS.ProcessEnv): CpOptions {
  const helper = validateHelperOptions(raw, env);
  if (raw.src === undefined || raw.dst === undefined) {
    throw new UserError('cp needs SRC and DST', { hint: 'for example kubectl nsdebug cp ./app.conf pod/web:/etc/app.conf' });
  }
  const src = parseCpEnd(raw.src);
  const dst = parseCpEnd(raw.dst);
  const common = { ...helper, container: raw.container, preserve: raw.preserve ?? false };
  if (src.kind === 'remote' && dst.kind !== 'remote') return { ...common, kube: withNamespace(src, helper), direction: 'out', remote: src, local: dst };
  if (dst.kind === 'remote' && src.kind !== 'remote') return { ...common, kube: withNamespace(dst, helper), direction: 'in', remote: dst, local: src };
  if (src.kind === 'remote') throw new UserError('both SRC and DST are in pods', { hint: 'copy to a local path first, then from it' });
  throw new UserError('neither SRC nor DST names a pod', { hint: 'write the container side as pod/NAME:/path (or NAME:/path)' });
}

/** NAMESPACE/NAME:PATH sets the namespace as -n does; both, differing, is an error. */
function withNamespace(end: Extract<CpEnd, { kind: 'remote' }>, helper: HelperOptions): HelperOptions['kube'] {
  const flag = helper.kube.namespace;
  if (end.namespace !== undefined && flag !== undefined && end.namespace !== flag) {
    throw new UserError(`the path names namespace "${end.namespace}" but -n says "${flag}"`, { hint: 'give the namespace once' });
  }
  return { ...helper.kube, namespace: end.namespace ?? flag };
}

/** The container path split for the agent: its directory and its name ("." for the root). */
export function splitContainerPath(path: string): { parent: string; base: string } {
  if (path === '/') return { parent: '/', base: '.' };
  const trimmed = path.replace(/\/+$/, '');
  return { parent: posix.dirname(trimmed), base: posix.basename(trimmed) };
}

export function validateDiffOptions(raw: RawDiffArgs, env: NodeJS.ProcessEnv): DiffOptions {
  const helper = validateHelperOptions(raw, env);
  if (raw.target === undefined) throw new UserError('no TARGET given', { hint: 'name a pod, for example kubectl nsdebug diff pod/web' });
  const target = parseTargetRef(raw.target);
  if (target.kind === 'node') throw new UserError(`diff reads a container, not node/${target.name}`, { hint: 'name a pod, for example pod/web' });
  const output = raw.output ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UserError(`-o/--output "${output}" is not one of table, json`, { hint: 'pick one of those' });
  return { ...helper, target, container: raw.container, output };
}
