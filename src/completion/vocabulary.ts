import { CLEAN_OPTIONS, CP_OPTIONS, DEBUG_OPTIONS, DIFF_OPTIONS, GLOBAL_OPTIONS, INSPECT_OPTIONS, STATS_OPTIONS } from '../base/flags.js';
import { NAMESPACE_TYPES } from '../base/rules.js';

/**
 * The words kubectl nsdebug understands, as completion needs them. Flags come
 * from the same option tables yargs uses (src/base/flags.ts, plain data), so
 * completion stays in step with the CLI without loading yargs, Ink or the
 * Kubernetes client.
 */

export const SUBCOMMANDS = ['list', 'clean', 'ns', 'stats', 'cp', 'diff', 'version'] as const;
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
  | 'choices'
  | 'free';

export interface FlagSpec {
  readonly long: string;
  readonly short?: string;
  /** Absent for boolean flags. */
  readonly value?: ValueKind;
  readonly choices?: readonly string[];
  /** The commands that accept it; absent = every command. `run` is the TARGET form. */
  readonly commands?: readonly Command[];
}

/** `run` is `kubectl nsdebug TARGET`, the default command. */
export type Command = Subcommand | 'run';

interface OptionLike {
  readonly alias?: string;
  readonly type?: string;
  readonly choices?: readonly string[];
  readonly default?: unknown;
  readonly hidden?: boolean;
}

const VALUE_KINDS: Readonly<Record<string, ValueKind>> = {
  namespace: 'namespace',
  'helper-namespace': 'namespace',
  container: 'container',
  context: 'context',
  cluster: 'cluster',
  user: 'user',
  kubeconfig: 'file',
  ns: 'ns-list',
};

/** One yargs option table as completion flags; hidden ones stay hidden, default-true booleans complete as --no-NAME. */
export function buildFlagSpecs(options: Readonly<Record<string, OptionLike>>, commands?: readonly Command[]): FlagSpec[] {
  return Object.entries(options).flatMap(([name, option]): FlagSpec[] => {
    if (option.hidden) return [];
    const scope = commands ? { commands } : {};
    const short = option.alias && option.alias.length === 1 ? { short: option.alias } : {};
    if (option.type === 'boolean') {
      return [{ long: option.default === true ? `no-${name}` : name, ...short, ...scope }];
    }
    const value = option.choices ? 'choices' : (VALUE_KINDS[name] ?? 'free');
    return [{ long: name, ...short, value, ...(option.choices ? { choices: option.choices } : {}), ...scope }];
  });
}

function mergeFlags(lists: readonly FlagSpec[][]): FlagSpec[] {
  const byName = new Map<string, FlagSpec>();
  for (const flag of lists.flat()) {
    const seen = byName.get(flag.long);
    const commands = seen?.commands && flag.commands ? [...new Set([...seen.commands, ...flag.commands])] : undefined;
    byName.set(flag.long, { ...(seen ?? flag), ...(commands ? { commands } : {}) });
  }
  return [...byName.values()];
}

export const FLAGS: readonly FlagSpec[] = mergeFlags([
  buildFlagSpecs(GLOBAL_OPTIONS),
  buildFlagSpecs(DEBUG_OPTIONS, ['run']),
  buildFlagSpecs(INSPECT_OPTIONS, ['ns']),
  buildFlagSpecs(STATS_OPTIONS, ['stats']),
  buildFlagSpecs(CP_OPTIONS, ['cp']),
  buildFlagSpecs(DIFF_OPTIONS, ['diff']),
  buildFlagSpecs(CLEAN_OPTIONS, ['clean']),
  [{ long: 'help', short: 'h' }, { long: 'version', short: 'V', commands: ['run'] }],
]);

export const NS_VALUES: readonly string[] = [...NAMESPACE_TYPES, 'all'];


export function findFlag(word: string): FlagSpec | undefined {
  if (word.startsWith('--')) return FLAGS.find((flag) => flag.long === word.slice(2));
  if (word.length === 2 && word.startsWith('-')) return FLAGS.find((flag) => flag.short === word[1]);
  return undefined;
}
