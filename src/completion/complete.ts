import { Directive, buildCompletion, formatCompletion, type Completion, type Lookups } from './candidates.js';
import { createClusterLookups } from './cluster-lookups.js';
import { parseCompletionWords } from './parse-words.js';

/** A shell waits for completion: a slow or unreachable API server must not hang it. */
const DEADLINE_MS = 5_000;

/**
 * `kubectl-nsdebug __complete WORDS...`, run by kubectl_complete-nsdebug.
 * Prints candidates in cobra's format; never prints errors (the shell would
 * show them mid-line), a failed lookup just yields no candidates.
 */
export async function runComplete(words: readonly string[], lookups?: Lookups): Promise<void> {
  const request = parseCompletionWords(words.length === 0 ? [''] : words);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Completion>((resolve) => {
    timer = setTimeout(() => resolve({ candidates: [], directive: Directive.Error }), DEADLINE_MS);
  });
  let completion: Completion;
  try {
    completion = await Promise.race([buildCompletion(request, lookups ?? createClusterLookups(request.lookup)), deadline]);
  } catch {
    completion = { candidates: [], directive: Directive.Error };
  } finally {
    clearTimeout(timer);
  }
  await new Promise<void>((resolve) => process.stdout.write(formatCompletion(completion), () => resolve()));
  // An abandoned request keeps a socket open; the answer is out, so leave now.
  process.exit(0);
}
