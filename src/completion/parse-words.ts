import {
  FLAGS,
  SUBCOMMANDS,
  findFlag,
  type Command,
  type FlagSpec,
  type Subcommand,
} from './vocabulary.js';
import { KIND_ALIASES, type TargetKind } from '../base/rules.js';

/** The kubectl globals that decide which cluster, namespace and credentials a lookup uses. */
export interface LookupFlags {
  readonly namespace?: string;
  readonly context?: string;
  readonly kubeconfig?: string;
  readonly cluster?: string;
  readonly user?: string;
}

export interface TargetWord {
  readonly kind: TargetKind;
  readonly name: string;
}

/** What the word under the cursor is, worked out from the words before it. */
export type Slot =
  | { readonly type: 'flag-value'; readonly flag: FlagSpec; readonly prefix: string; readonly partial: string }
  | { readonly type: 'flag-name'; readonly partial: string }
  | { readonly type: 'positional'; readonly partial: string }
  | { readonly type: 'remote-command' };

export interface CompletionRequest {
  readonly command: Command;
  readonly lookup: LookupFlags;
  /** The TARGET already typed, if any (for -c). */
  readonly target: TargetWord | undefined;
  /** How many positional words are already complete (after the subcommand). */
  readonly positionals: number;
  readonly slot: Slot;
}

const LOOKUP_KEYS: Readonly<Record<string, keyof LookupFlags>> = {
  namespace: 'namespace',
  context: 'context',
  kubeconfig: 'kubeconfig',
  cluster: 'cluster',
  user: 'user',
};

/**
 * Reads kubectl's plugin-completion words: everything after `nsdebug`, the
 * last one being the (possibly empty) word under the cursor.
 */
export function parseCompletionWords(words: readonly string[]): CompletionRequest {
  const done = words.slice(0, -1);
  const current = words.at(-1) ?? '';
  const lookup: Record<string, string> = {};
  let command: Command = 'run';
  let target: TargetWord | undefined;
  let positionals = 0;
  let pendingFlag: FlagSpec | undefined;
  let afterDashDash = false;

  for (const word of done) {
    if (afterDashDash) continue;
    if (pendingFlag) {
      record(lookup, pendingFlag, word);
      pendingFlag = undefined;
      continue;
    }
    if (word === '--') {
      afterDashDash = true;
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      const eq = word.indexOf('=');
      const flag = findFlag(eq === -1 ? word : word.slice(0, eq));
      if (flag?.value) {
        if (eq === -1) pendingFlag = flag;
        else record(lookup, flag, word.slice(eq + 1));
      }
      continue;
    }
    if (positionals === 0 && command === 'run' && isSubcommand(word)) {
      command = word;
      continue;
    }
    if (positionals === 0) target = parseTargetWord(word);
    positionals += 1;
  }

  const base = { command, lookup, target, positionals };
  if (afterDashDash) return { ...base, slot: { type: 'remote-command' } };
  if (pendingFlag) return { ...base, slot: { type: 'flag-value', flag: pendingFlag, prefix: '', partial: current } };
  if (current.startsWith('-')) {
    const eq = current.indexOf('=');
    const flag = eq === -1 ? undefined : findFlag(current.slice(0, eq));
    if (flag?.value) {
      return { ...base, slot: { type: 'flag-value', flag, prefix: current.slice(0, eq + 1), partial: current.slice(eq + 1) } };
    }
    return { ...base, slot: { type: 'flag-name', partial: current } };
  }
  return { ...base, slot: { type: 'positional', partial: current } };
}

/** `deploy/web` -> deployment web; a bare word is a pod name, as the CLI reads it. */
export function parseTargetWord(word: string): TargetWord | undefined {
  const slash = word.indexOf('/');
  if (slash === -1) return { kind: 'pod', name: word };
  const kind = KIND_ALIASES[word.slice(0, slash).toLowerCase().replace(/\.(apps|batch)$/, '')];
  return kind ? { kind, name: word.slice(slash + 1) } : undefined;
}

/** The flags a command accepts, long forms first, for `-<TAB>`. */
export function flagsFor(command: Command): FlagSpec[] {
  return FLAGS.filter((flag) => !flag.commands || flag.commands.includes(command));
}

function isSubcommand(word: string): word is Subcommand {
  return (SUBCOMMANDS as readonly string[]).includes(word);
}

function record(lookup: Record<string, string>, flag: FlagSpec, value: string): void {
  const key = LOOKUP_KEYS[flag.long];
  if (key) lookup[key] = value;
}
