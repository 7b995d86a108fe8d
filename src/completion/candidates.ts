import { flagsFor, parseTargetWord, type CompletionRequest, type TargetWord } from './parse-words.js';
import {
  NS_VALUES,
  SUBCOMMANDS,
  type FlagSpec,
} from './vocabulary.js';
import { TARGET_KINDS, type TargetKind } from '../base/rules.js';

/** Cobra's shell-completion directives, which kubectl passes on to the shell. */
export const Directive = {
  Default: 0,
  Error: 1,
  NoSpace: 2,
  NoFileComp: 4,
} as const;

export interface Completion {
  readonly candidates: readonly string[];
  readonly directive: number;
}

/** Names from the cluster and the kubeconfig; every method may reject (no cluster, no rights). */
export interface Lookups {
  namespaces(): Promise<string[]>;
  /** Names of KIND in the request's namespace (nodes: cluster-wide). */
  names(kind: TargetKind): Promise<string[]>;
  /** Container names of the target (for a workload: of its pod template). */
  containers(target: TargetWord): Promise<string[]>;
  contexts(): Promise<string[]>;
  clusters(): Promise<string[]>;
  users(): Promise<string[]>;
}

/** Turns a parsed request into candidates; only the cluster part goes through `lookups`. */
export async function buildCompletion(request: CompletionRequest, lookups: Lookups): Promise<Completion> {
  const { slot } = request;
  switch (slot.type) {
    case 'remote-command':
      // The words after `--` run inside the target, whose files we can't see.
      return { candidates: [], directive: Directive.NoFileComp };
    case 'flag-name':
      return finish(flagWords(flagsFor(request.command)), slot.partial, '');
    case 'flag-value':
      return completeFlagValue(slot.flag, slot.prefix, slot.partial, request, lookups);
    case 'positional':
      return completePositional(request, slot.partial, lookups);
  }
}

async function completeFlagValue(
  flag: FlagSpec,
  prefix: string,
  partial: string,
  request: CompletionRequest,
  lookups: Lookups,
): Promise<Completion> {
  switch (flag.value) {
    case 'ns-list':
      return completeList(NS_VALUES, prefix, partial);
    case 'choices':
      return finish(flag.choices ?? [], partial, prefix);
    case 'namespace':
      return fromLookup(() => lookups.namespaces(), partial, prefix);
    case 'context':
      return fromLookup(() => lookups.contexts(), partial, prefix);
    case 'cluster':
      return fromLookup(() => lookups.clusters(), partial, prefix);
    case 'user':
      return fromLookup(() => lookups.users(), partial, prefix);
    case 'container': {
      const target = request.target;
      if (!target || target.kind === 'node' || target.name === '') return finish([], partial, prefix);
      return fromLookup(() => lookups.containers(target), partial, prefix);
    }
    case 'file':
      // Let the shell complete paths.
      return { candidates: [], directive: Directive.Default };
    case 'free':
    case undefined:
      return { candidates: [], directive: Directive.NoFileComp };
  }
}

async function completePositional(request: CompletionRequest, partial: string, lookups: Lookups): Promise<Completion> {
  // version, list and clean take no TARGET; the others take exactly one.
  const takesTarget = request.command === 'run' || request.command === 'ns' || request.command === 'stats';
  if (!takesTarget || request.positionals > 0) return finish([], partial, '');

  const slash = partial.indexOf('/');
  if (slash !== -1) {
    const typed = partial.slice(0, slash + 1);
    const kind = parseTargetWord(partial)?.kind;
    if (!kind) return finish([], partial, '');
    return fromLookup(async () => (await lookups.names(kind)).map((name) => typed + name), partial, '');
  }

  const fixed = [...(request.command === 'run' ? SUBCOMMANDS : []), ...TARGET_KINDS.map((kind) => `${kind}/`)];
  // A bare NAME is a pod, as the CLI reads it; a cluster failure still leaves the fixed words.
  try {
    return finish([...fixed, ...(await lookups.names('pod'))], partial, '');
  } catch {
    return finish(fixed, partial, '');
  }
}

/** `--ns net,p` -> `net,pid`, `net,pid,...`: each value once, `all` only alone. */
function completeList(values: readonly string[], prefix: string, partial: string): Completion {
  const comma = partial.lastIndexOf(',');
  const chosen = comma === -1 ? [] : partial.slice(0, comma).split(',');
  const head = comma === -1 ? '' : partial.slice(0, comma + 1);
  const open = values.filter((value) => !chosen.includes(value) && !(value === 'all' && chosen.length > 0));
  const result = finish(open.map((value) => head + value), partial, prefix);
  // More may follow a comma, so don't end the word with a space.
  return { ...result, directive: result.directive | Directive.NoSpace };
}

async function fromLookup(load: () => Promise<string[]>, partial: string, prefix: string): Promise<Completion> {
  try {
    return finish(await load(), partial, prefix);
  } catch {
    return { candidates: [], directive: Directive.Error };
  }
}

/**
 * Keeps the words that start with what is typed, re-attaches a `--flag=` prefix,
 * and asks for no trailing space when every match is a `kind/` stem.
 */
function finish(words: readonly string[], partial: string, prefix: string): Completion {
  const matches = [...new Set(words)].filter((word) => word.startsWith(partial));
  const stems = matches.length > 0 && matches.every((word) => word.endsWith('/'));
  return {
    candidates: matches.map((word) => prefix + word),
    directive: Directive.NoFileComp | (stems ? Directive.NoSpace : 0),
  };
}

function flagWords(flags: readonly FlagSpec[]): string[] {
  return [
    ...flags.map((flag) => `--${flag.long}`),
    ...flags.flatMap((flag) => (flag.short ? [`-${flag.short}`] : [])),
  ];
}

/** Cobra's wire format: one candidate a line, then `:<directive>`. */
export function formatCompletion(completion: Completion): string {
  return [...completion.candidates, `:${completion.directive}`].join('\n') + '\n';
}
