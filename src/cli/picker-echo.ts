// What the picker's equivalent command echoes besides its own answers. Pure.
import { GLOBAL_OPTIONS, HELPER_OPTIONS } from '../base/flags.js';
import type { RawDebugArgs } from './debug-options.js';

/**
 * Pure: the flags that shaped the session besides TARGET, -n, -c/--sandbox, --ns
 * and --tools (which the picker's answers decide), for its equivalent command.
 * Kube flags first, then the helper's, each only when it differs from its default.
 */
export function buildExtraArgs(raw: PickerEchoFlags): string[] {
  const args: string[] = [];
  const flag = (name: string, value: string | undefined, fallback?: string) => {
    if (value !== undefined && value !== fallback) args.push(`--${name}`, value);
  };
  flag('kubeconfig', raw.kubeconfig);
  flag('context', raw.context);
  flag('cluster', raw.cluster);
  flag('user', raw.user);
  flag('as', raw.as);
  for (const group of raw.asGroup === undefined ? [] : typeof raw.asGroup === 'string' ? [raw.asGroup] : raw.asGroup) flag('as-group', group);
  flag('request-timeout', raw.requestTimeout, GLOBAL_OPTIONS['request-timeout'].default);
  flag('image', raw.image);
  flag('image-pull-policy', raw.imagePullPolicy);
  flag('helper-namespace', raw.helperNamespace);
  flag('helper-requests', raw.helperRequests);
  flag('helper-limits', raw.helperLimits);
  for (const secret of raw.imagePullSecret === undefined ? [] : typeof raw.imagePullSecret === 'string' ? [raw.imagePullSecret] : raw.imagePullSecret) flag('image-pull-secret', secret);
  flag('timeout', raw.timeout, HELPER_OPTIONS.timeout.default);
  flag('ttl', raw.ttl, HELPER_OPTIONS.ttl.default);
  flag('idle-timeout', raw.idleTimeout, HELPER_OPTIONS['idle-timeout'].default);
  flag('idle-start', raw.idleStart, HELPER_OPTIONS['idle-start'].default);
  if (raw.keep) args.push('--keep');
  flag('keep-warm', raw.keepWarm);
  if (raw.quiet) args.push('-q');
  if (raw.stdin) args.push('-i');
  if (raw.tty) args.push('-t');
  return args;
}

/** The flags as the user typed them (strings, before validation), for echoing. */
export type PickerEchoFlags = Pick<
  RawDebugArgs,
  'kubeconfig' | 'context' | 'cluster' | 'user' | 'as' | 'asGroup' | 'requestTimeout' | 'image' | 'imagePullPolicy' | 'helperNamespace' | 'helperRequests' | 'helperLimits' | 'imagePullSecret' | 'timeout' | 'ttl' | 'idleTimeout' | 'idleStart' | 'keep' | 'keepWarm' | 'quiet' | 'stdin' | 'tty'
>;
