/**
 * The words kubectl nsdebug understands, as completion needs them. Kept apart
 * from the yargs definitions so completion never loads yargs, Ink or the
 * Kubernetes client before it has to; test/unit/completion checks the two agree.
 */

export const SUBCOMMANDS = ['list', 'clean', 'ns', 'stats', 'version'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

/** What a flag's value is, which decides where its candidates come from. */
export type ValueKind =
  | 'namespace'
  | 'container'
  | 'context'
  | 'cluster'
  | 'user'
  | 'file'
  | 'ns-list'
  | 'tools'
  | 'pull-policy'
  | 'free';

export interface FlagSpec {
  readonly long: string;
  readonly short?: string;
  /** Absent for boolean flags. */
  readonly value?: ValueKind;
  /** The commands that accept it; absent = every command. `run` is the TARGET form. */
  readonly commands?: readonly Command[];
}

/** `run` is `kubectl nsdebug TARGET`, the default command. */
export type Command = Subcommand | 'run';

const SESSION: readonly Command[] = ['run'];
const INSPECT: readonly Command[] = ['run', 'ns', 'stats'];
const HELPER: readonly Command[] = ['run', 'ns', 'stats'];

export const FLAGS: readonly FlagSpec[] = [
  // kubectl's globals, re-implemented by the plugin.
  { long: 'namespace', short: 'n', value: 'namespace' },
  { long: 'context', value: 'context' },
  { long: 'kubeconfig', value: 'file' },
  { long: 'cluster', value: 'cluster' },
  { long: 'user', value: 'user' },
  { long: 'as', value: 'free' },
  { long: 'request-timeout', value: 'free' },
  // Choosing the target.
  { long: 'container', short: 'c', value: 'container', commands: INSPECT },
  { long: 'sandbox', commands: ['run', 'stats'] },
  // The session.
  { long: 'ns', value: 'ns-list', commands: SESSION },
  { long: 'tools', value: 'tools', commands: SESSION },
  { long: 'stdin', short: 'i', commands: SESSION },
  { long: 'tty', short: 't', commands: SESSION },
  // The helper pod.
  { long: 'image', value: 'free', commands: HELPER },
  { long: 'image-pull-policy', value: 'pull-policy', commands: HELPER },
  { long: 'helper-namespace', value: 'namespace', commands: HELPER },
  { long: 'timeout', value: 'free', commands: HELPER },
  { long: 'ttl', value: 'free', commands: HELPER },
  { long: 'keep', commands: HELPER },
  // list / clean.
  { long: 'all-namespaces', short: 'A', commands: ['list', 'clean'] },
  { long: 'all', commands: ['clean'] },
  { long: 'quiet', short: 'q' },
  { long: 'help', short: 'h' },
  { long: 'version', commands: ['run'] },
];

export const NAMESPACE_TYPES = ['net', 'pid', 'mnt', 'uts', 'ipc', 'user', 'cgroup', 'time'] as const;
export const NS_VALUES: readonly string[] = [...NAMESPACE_TYPES, 'all'];
export const TOOLS_VALUES: readonly string[] = ['helper', 'host', 'target'];
export const PULL_POLICY_VALUES: readonly string[] = ['Always', 'IfNotPresent', 'Never'];

export type TargetKind = 'pod' | 'deployment' | 'statefulset' | 'daemonset' | 'replicaset' | 'job' | 'node';

/** The TARGET prefixes offered, in the order shown. */
export const TARGET_KINDS: readonly TargetKind[] = [
  'pod', 'deployment', 'statefulset', 'daemonset', 'replicaset', 'job', 'node',
];

/** Spellings accepted before the slash (as src/kube/target-ref.ts accepts them). */
export const KIND_ALIASES: Readonly<Record<string, TargetKind>> = {
  pod: 'pod', pods: 'pod', po: 'pod',
  deployment: 'deployment', deployments: 'deployment', deploy: 'deployment',
  statefulset: 'statefulset', statefulsets: 'statefulset', sts: 'statefulset',
  daemonset: 'daemonset', daemonsets: 'daemonset', ds: 'daemonset',
  replicaset: 'replicaset', replicasets: 'replicaset', rs: 'replicaset',
  job: 'job', jobs: 'job',
  node: 'node', nodes: 'node', no: 'node',
};

export function findFlag(word: string): FlagSpec | undefined {
  if (word.startsWith('--')) return FLAGS.find((flag) => flag.long === word.slice(2));
  if (word.length === 2 && word.startsWith('-')) return FLAGS.find((flag) => flag.short === word[1]);
  return undefined;
}
