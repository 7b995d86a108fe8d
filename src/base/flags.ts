// The flags, their defaults and their help text: the one table yargs, the
// option validation, the picker's equivalent command and completion all read.
import type { Options } from 'yargs';
import { DEFAULT_NAMESPACES, NAMESPACE_TYPES, TOOLS } from './rules.js';

/** The image used when neither --image nor NSDEBUG_IMAGE is set: public, small, and has sh, nsenter, unshare, mount, ip, ps. */
export const DEFAULT_IMAGE = 'docker.io/library/busybox:1.36.1';
export const IMAGE_PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

/** kubectl's global flags, re-implemented: kubectl hands them to the plugin untouched. */
export const GLOBAL_OPTIONS = {
  namespace: { alias: 'n', type: 'string', describe: 'the target\'s namespace (default: the context\'s)' },
  'all-namespaces': { alias: 'A', type: 'boolean', default: false, describe: 'list across all namespaces (list, clean, picker)' },
  context: { type: 'string', describe: 'kubeconfig context to use' },
  kubeconfig: { type: 'string', describe: 'path to the kubeconfig file' },
  cluster: { type: 'string', describe: 'kubeconfig cluster to use' },
  user: { type: 'string', describe: 'kubeconfig user to use' },
  as: { type: 'string', describe: 'user to impersonate' },
  'as-group': { type: 'string', describe: 'group to impersonate (with --as)' },
  'request-timeout': { type: 'string', default: '30s', describe: 'how long to wait for one API request or exec to open (0 = no limit)' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'no progress on stderr' },
} as const satisfies Record<string, Options>;

/** Shared by the session and the inspect commands: everything about the helper pod. */
export const HELPER_OPTIONS = {
  image: { type: 'string', describe: `helper image (env NSDEBUG_IMAGE; default ${DEFAULT_IMAGE})` },
  'image-pull-policy': { type: 'string', choices: IMAGE_PULL_POLICIES, describe: 'helper image pull policy (default IfNotPresent)' },
  'helper-namespace': { type: 'string', describe: 'namespace of the helper pod (default: the target\'s)' },
  'helper-requests': { type: 'string', describe: 'the helper\'s resource requests, e.g. cpu=100m,memory=64Mi (default: none, or the least a quota or LimitRange accepts)' },
  'helper-limits': { type: 'string', describe: 'the helper\'s resource limits, e.g. cpu=200m,memory=128Mi; the session\'s tools share them (default: none, or the least a quota or LimitRange accepts)' },
  'image-pull-secret': { type: 'string', describe: 'a secret in the helper\'s namespace for pulling --image; repeatable (env NSDEBUG_IMAGE_PULL_SECRETS, comma-separated)' },
  timeout: { type: 'string', default: '60s', describe: 'how long to wait for the helper to start' },
  ttl: { type: 'string', default: '1h', describe: 'the helper\'s hard lifetime (activeDeadlineSeconds)' },
  'idle-timeout': { type: 'string', default: '30s', hidden: true, describe: 'the helper exits this long after its last session ended' },
  'idle-start': { type: 'string', default: '10m', hidden: true, describe: 'the helper exits this long after start when no session began' },
  keep: { type: 'boolean', default: false, describe: 'do not delete the helper (for debugging nsdebug)' },
} as const satisfies Record<string, Options>;

/** Flags that may be given more than once (each occurrence adds a value); every other flag is given once. */
export const REPEATABLE_FLAGS: ReadonlySet<string> = new Set(['image-pull-secret']);

/** --all-pods: how many sessions run at once by default (enough to hide the exec round trips, few enough for the API server). */
export const DEFAULT_MAX_PARALLEL = 10;

/** Fan-out over several pods: the session, ns and stats commands share these. */
export const FANOUT_OPTIONS = {
  'all-pods': { type: 'boolean', default: false, describe: 'every pod of the workload (or of -l): one helper per node, each pod\'s output prefixed with its name' },
  selector: { alias: 'l', type: 'string', describe: 'the pods matching this label selector in -n, instead of a TARGET (implies --all-pods)' },
  'max-parallel': { type: 'number', default: DEFAULT_MAX_PARALLEL, describe: 'with --all-pods: how many pods are entered at once' },
} as const satisfies Record<string, Options>;

export const DEBUG_OPTIONS = {
  ...HELPER_OPTIONS,
  container: { alias: 'c', type: 'string', describe: 'container name (default: the default-container annotation, the only one, or the first running)' },
  sandbox: { type: 'boolean', default: false, describe: 'enter the pod sandbox (pause) process instead of a container' },
  ns: { type: 'string', describe: `namespaces to enter: a comma list of ${NAMESPACE_TYPES.join(',')}, or all (default ${DEFAULT_NAMESPACES.join(',')})` },
  tools: { type: 'string', choices: TOOLS, describe: 'whose programs the session uses: the helper image\'s (default), the node\'s, or the container\'s own (implies mnt; the default when --ns has mnt)' },
  stdin: { alias: 'i', type: 'boolean', default: false, describe: 'pass stdin to COMMAND' },
  tty: { alias: 't', type: 'boolean', default: false, describe: 'allocate a TTY for COMMAND (needs a terminal)' },
  catch: {
    type: 'boolean',
    default: false,
    describe: "crash-looping container: wait for its next start, freeze it as its program starts, enter it (it waits out the kubelet back-off plus --timeout; default --tools target)",
  },
  'kill-on-exit': { type: 'boolean', default: false, describe: 'with --catch: kill the caught container on exit instead of thawing it' },
  'print-env': { type: 'boolean', default: false, describe: 'with --catch: print the frozen command line and environment (control characters made visible), then thaw it' },
  'keep-warm': { type: 'string', describe: 'keep the helper this long after the session, and reuse a warm one of yours (same node, image, namespace, spec, agent) instead of creating one (env NSDEBUG_KEEP_WARM; default off)' },
  pick: { type: 'boolean', default: true, describe: 'use the interactive picker for open choices when in a terminal (--no-pick to disable)' },
  ...FANOUT_OPTIONS,
  output: { alias: 'o', type: 'string', choices: ['text', 'json'], describe: 'with --all-pods: text (lines prefixed with the pod) or json ([{pod, node, container, exitCode, stdout, stderr}])' },
} as const satisfies Record<string, Options>;

export const INSPECT_OPTIONS = {
  ...HELPER_OPTIONS,
  ...FANOUT_OPTIONS,
  output: { alias: 'o', type: 'string', choices: ['table', 'json'], default: 'table', describe: 'output format' },
} as const satisfies Record<string, Options>;

export const STATS_OPTIONS = {
  ...INSPECT_OPTIONS,
  container: { alias: 'c', type: 'string', describe: 'container name (default: as for a session)' },
  sandbox: { type: 'boolean', default: false, describe: 'the pod sandbox (pause) cgroup instead of a container' },
  watch: { alias: 'w', type: 'boolean', default: false, describe: 'refresh every second, with rates per second (Ctrl-C to stop)' },
} as const satisfies Record<string, Options>;

export const CP_OPTIONS = {
  ...HELPER_OPTIONS,
  container: { alias: 'c', type: 'string', describe: 'container name (default: as for a session)' },
  preserve: { alias: 'p', type: 'boolean', default: false, describe: 'keep modification times (modes are always kept)' },
} as const satisfies Record<string, Options>;

export const DIFF_OPTIONS = {
  ...INSPECT_OPTIONS,
  container: { alias: 'c', type: 'string', describe: 'container name (default: as for a session)' },
} as const satisfies Record<string, Options>;

/** `clean`: what may be deleted beyond the current user's finished helpers. */
export const CLEAN_OPTIONS = {
  all: { type: 'boolean', default: false, describe: 'also delete helpers whose session still runs (asks on a terminal; --yes otherwise)' },
  yes: { alias: 'y', type: 'boolean', default: false, describe: 'do not ask before ending running sessions (with --all)' },
  'any-user': { type: 'boolean', default: false, describe: 'also other users\' helpers (default: only the ones you created)' },
} as const satisfies Record<string, Options>;
