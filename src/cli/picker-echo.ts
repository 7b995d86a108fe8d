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
  for (const [name, key] of VALUED) {
    const fallback = defaultOf(name);
    for (const value of asList(raw[key] as string | readonly string[] | undefined)) {
      if (value !== fallback) args.push(`--${name}`, value);
    }
  }
  for (const [flag, key] of SWITCHES) if (raw[key]) args.push(flag);
  return args;
}

/** Valued flags in echo order (kube's, then the helper's); repeatable ones echo each value. */
const VALUED: ReadonlyArray<readonly [string, keyof PickerEchoFlags]> = [
  ['kubeconfig', 'kubeconfig'], ['context', 'context'], ['cluster', 'cluster'], ['user', 'user'], ['as', 'as'], ['as-group', 'asGroup'],
  ['request-timeout', 'requestTimeout'], ['image', 'image'], ['image-pull-policy', 'imagePullPolicy'], ['helper-namespace', 'helperNamespace'],
  ['helper-requests', 'helperRequests'], ['helper-limits', 'helperLimits'], ['image-pull-secret', 'imagePullSecret'], ['timeout', 'timeout'],
  ['ttl', 'ttl'], ['idle-timeout', 'idleTimeout'], ['idle-start', 'idleStart'], ['keep-warm', 'keepWarm'],
];
const SWITCHES: ReadonlyArray<readonly [string, keyof PickerEchoFlags]> = [['--keep', 'keep'], ['-q', 'quiet'], ['-i', 'stdin'], ['-t', 'tty']];

/** A valued flag's default in the flag table (a value equal to it is not echoed). */
function defaultOf(name: string): string | undefined {
  const spec = (GLOBAL_OPTIONS as Record<string, { default?: unknown }>)[name] ?? (HELPER_OPTIONS as Record<string, { default?: unknown }>)[name];
  return typeof spec?.default === 'string' ? spec.default : undefined;
}

const asList = (value: string | readonly string[] | undefined): readonly string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : value);

/** The flags as the user typed them (strings, before validation), for echoing. */
export type PickerEchoFlags = Pick<
  RawDebugArgs,
  'kubeconfig' | 'context' | 'cluster' | 'user' | 'as' | 'asGroup' | 'requestTimeout' | 'image' | 'imagePullPolicy' | 'helperNamespace' | 'helperRequests' | 'helperLimits' | 'imagePullSecret' | 'timeout' | 'ttl' | 'idleTimeout' | 'idleStart' | 'keep' | 'keepWarm' | 'quiet' | 'stdin' | 'tty'
>;
