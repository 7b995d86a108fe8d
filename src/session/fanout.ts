// Fan-out over a workload's pods (--all-pods, -l): pure planning and rendering.
// Which pods can be entered and which are skipped (with why), one helper per
// node, each output line prefixed with its pod, the summary, the JSON, and a
// small bounded-concurrency runner. The command (src/cli/commands/fanout.ts)
// does the I/O.
import type { V1Pod } from '@kubernetes/client-node';

export interface SkippedPod {
  readonly pod: string;
  readonly reason: string;
}

export interface FanoutPlan {
  /** The pods to enter, in name order. */
  readonly pods: readonly V1Pod[];
  readonly skipped: readonly SkippedPod[];
  /** One helper per node, sorted; only nodes with a pod to enter. */
  readonly nodes: readonly string[];
}

/** Why a pod can't be entered now, or undefined when it can. */
export function skipReason(pod: V1Pod): string | undefined {
  const phase = pod.status?.phase ?? 'Unknown';
  if (pod.metadata?.deletionTimestamp) return 'being deleted';
  if (phase === 'Succeeded' || phase === 'Failed') return `finished (${phase})`;
  if (!pod.spec?.nodeName) return 'Pending (not scheduled to a node)';
  if (phase !== 'Running') return `${phase} (not running yet)`;
  return undefined;
}

/** Pure: splits the pods into those to enter and those skipped, and the nodes that need a helper. */
export function planFanout(pods: readonly V1Pod[]): FanoutPlan {
  const sorted = [...pods].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const enter: V1Pod[] = [];
  const skipped: SkippedPod[] = [];
  for (const pod of sorted) {
    const reason = skipReason(pod);
    if (reason === undefined) enter.push(pod);
    else skipped.push({ pod: pod.metadata?.name ?? '', reason });
  }
  const nodes = [...new Set(enter.map((pod) => pod.spec!.nodeName!))].sort();
  return { pods: enter, skipped, nodes };
}

/** Cluster text shown on a terminal: control characters become visible escapes (`\x1b`), never raw bytes. */
export function visibleText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const COLORS = [36, 33, 32, 35, 34, 91, 96, 93, 92, 95]; // cyan yellow green magenta blue, then bright

/** The prefixes of every pod, padded to one width, coloured by position when `color`. */
export function buildPrefixes(pods: readonly string[], color: boolean): Map<string, string> {
  const shown = pods.map(visibleText);
  const width = Math.max(0, ...shown.map((name) => name.length));
  return new Map(
    pods.map((pod, i) => {
      const label = shown[i]!.padEnd(width);
      return [pod, color ? `\u001b[${COLORS[i % COLORS.length]}m${label}\u001b[0m | ` : `${label} | `];
    }),
  );
}

/**
 * Splits a stream into lines and prefixes each: `push` returns the complete
 * lines of a chunk (kept whole across chunk borders), `end` the unterminated
 * rest, so lines of different pods never interleave mid-line.
 */
export class LinePrefixer {
  private rest = '';
  constructor(private readonly prefix: string) {}

  push(chunk: string): string {
    const text = this.rest + chunk;
    const last = text.lastIndexOf('\n');
    if (last === -1) {
      this.rest = text;
      return '';
    }
    this.rest = text.slice(last + 1);
    return text
      .slice(0, last + 1)
      .split('\n')
      .slice(0, -1)
      .map((line) => `${this.prefix}${line}\n`)
      .join('');
  }

  end(): string {
    const rest = this.rest;
    this.rest = '';
    return rest === '' ? '' : `${this.prefix}${rest}\n`;
  }
}

/** One pod's outcome. `exitCode` is null when no status came back (`error` says why). */
export interface PodResult {
  readonly pod: string;
  readonly node: string;
  readonly container: string;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: string;
}

/** A failure without an exit status (helper never ran, connection lost) counts as 1. */
export function resultCode(result: PodResult): number {
  return result.exitCode ?? 1;
}

/** Exit 0 when every pod succeeded, else the first non-zero in pod order. */
export function fanoutExitCode(results: readonly PodResult[]): number {
  return results.map(resultCode).find((code) => code !== 0) ?? 0;
}

/** The stderr summary: how many succeeded, the pods that failed (with their status) and those skipped. */
export function summarizeFanout(results: readonly PodResult[], skipped: readonly SkippedPod[]): string {
  const failed = results.filter((r) => resultCode(r) !== 0);
  const parts = [`${results.length - failed.length} of ${results.length} pod${results.length === 1 ? '' : 's'} succeeded`];
  if (failed.length) {
    parts.push(`failed: ${failed.map((r) => `${visibleText(r.pod)} (${r.exitCode === null ? 'no exit status' : `exit ${r.exitCode}`})`).join(', ')}`);
  }
  if (skipped.length) parts.push(`skipped: ${skipped.map((s) => visibleText(s.pod)).join(', ')}`);
  return `nsdebug: ${parts.join('; ')}`;
}

/** `-o json`: one object per pod, in pod order (skipped pods are not in it; stderr lists them). */
export function renderFanoutJson(results: readonly PodResult[]): string {
  return `${JSON.stringify(
    results.map((r) => ({ pod: r.pod, node: r.node, container: r.container, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, ...(r.error ? { error: r.error } : {}) })),
    null,
    2,
  )}\n`;
}

/** Runs `task` over `items` with at most `limit` at once; results keep the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
