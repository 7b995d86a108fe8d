// The non-interactive command line that does what the picker chose, shown on the
// namespace screen so users learn the flags. Display only: never executed.
import { CATCH_TOOLS, DEFAULT_NAMESPACES, DEFAULT_TOOLS, NAMESPACE_TYPES, sortNamespaces, type NamespaceName, type Tools } from '../base/rules.js';

export interface EquivalentCommandInput {
  /** `pod/NAME` (or whatever TARGET the user would type). */
  readonly target: string;
  /** Adds `-n NS` when set: pass it only when it differs from the current namespace. */
  readonly namespace?: string;
  /** Adds `-c NAME` unless `sandbox` is set. */
  readonly container?: string;
  readonly sandbox?: boolean;
  /** Adds `--catch` (after `-c`): its default tools are `target`, so `--tools` is echoed against that. */
  readonly catch?: boolean;
  /** Adds `--all-pods`: the target is a workload, every pod of it runs the command. */
  readonly allPods?: boolean;
  readonly namespaces: readonly NamespaceName[];
  readonly tools: Tools;
  /** Further flags to echo as given, e.g. `['--image', 'busybox:1.36']`. */
  readonly extraArgs?: readonly string[];
  /** The remote command, printed after `--`. */
  readonly command?: readonly string[];
}

/** Builds e.g. `kubectl nsdebug pod/web -c app --ns net,uts`; flags equal to their defaults are left out. */
export function buildEquivalentCommand(input: EquivalentCommandInput): string {
  const args = ['kubectl', 'nsdebug', input.target];
  if (input.namespace !== undefined) args.push('-n', input.namespace);
  if (input.allPods === true) args.push('--all-pods');
  if (input.sandbox === true) args.push('--sandbox');
  else if (input.container !== undefined) args.push('-c', input.container);
  if (input.catch === true) args.push('--catch');
  const ns = buildNsFlagValue(input.namespaces, input.tools);
  if (ns !== undefined) args.push('--ns', ns);
  if (input.tools !== (input.catch === true ? CATCH_TOOLS : DEFAULT_TOOLS)) args.push('--tools', input.tools);
  args.push(...(input.extraArgs ?? []));
  if (input.command !== undefined && input.command.length > 0) args.push('--', ...input.command);
  return args.map(quoteForDisplay).join(' ');
}

/** The `--ns` value, or undefined when it equals the default. `--tools target` implies mnt, so mnt isn't repeated. */
export function buildNsFlagValue(namespaces: readonly NamespaceName[], tools: Tools): string | undefined {
  let list = sortNamespaces(namespaces);
  if (tools === 'target' && list.length > 1) list = list.filter((ns) => ns !== 'mnt');
  if (sameSet(list, DEFAULT_NAMESPACES)) return undefined;
  if (list.length === NAMESPACE_TYPES.length) return 'all';
  return list.join(',');
}

function sameSet(a: readonly NamespaceName[], b: readonly NamespaceName[]): boolean {
  return a.length === b.length && a.every((ns) => b.includes(ns));
}

/** POSIX-shell quoting so the line can be copied; plain words stay bare. */
function quoteForDisplay(arg: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}
