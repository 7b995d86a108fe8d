import type { V1Pod } from '@kubernetes/client-node';
import { formatAge } from '../base/duration.js';
import { visible } from '../base/visible.js';
import { ANNOTATION_PREFIX, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './spec.js';

export interface HelperRow {
  readonly namespace: string;
  readonly name: string;
  readonly target: string;
  readonly node: string;
  readonly status: string;
  readonly age: string;
  readonly createdBy: string;
}

/** The annotations every helper nsdebug creates carries (the label alone anyone can set). */
const HELPER_ANNOTATIONS = ['target', 'node', 'created-by'].map((key) => `${ANNOTATION_PREFIX}/${key}`);

/** Ours: nsdebug's label and its annotations. A pod with the label alone was not made by nsdebug. */
export function isNsdebugHelper(pod: V1Pod): boolean {
  const annotations = pod.metadata?.annotations ?? {};
  return pod.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && HELPER_ANNOTATIONS.every((key) => (annotations[key] ?? '') !== '');
}

export function helperCreator(pod: V1Pod): string {
  return pod.metadata?.annotations?.[`${ANNOTATION_PREFIX}/created-by`] ?? '';
}

export interface CleanChoice {
  /** Deleted without asking: finished helpers (of the user, or anyone's with anyUser). */
  readonly finished: V1Pod[];
  /** Deleted without asking: the user's own warm helpers (no session in them: they wait for one). */
  readonly warm: V1Pod[];
  /** Running sessions: deleted only with --all, after a confirmation or --yes. */
  readonly running: V1Pod[];
  /** Left alone: running sessions without --all. */
  readonly keptRunning: number;
  /** Left alone: other users' helpers (without anyUser). */
  readonly otherUsers: number;
  /** Left alone: labelled pods without nsdebug's annotations. */
  readonly notOurs: number;
}

/**
 * Which helpers `clean` may delete (pure): only ours, by default only the user's
 * finished ones and warm ones (`isWarm`: the user's own, proven; see warm.ts).
 */
export function chooseHelpersToClean(pods: readonly V1Pod[], rule: { user: string; all: boolean; anyUser: boolean; isWarm?: (pod: V1Pod) => boolean }): CleanChoice {
  const ours = pods.filter(isNsdebugHelper);
  const mine = ours.filter((pod) => rule.anyUser || helperCreator(pod) === rule.user);
  const warm = mine.filter((pod) => !isHelperFinished(pod) && helperCreator(pod) === rule.user && (rule.isWarm?.(pod) ?? false));
  const running = mine.filter((pod) => !isHelperFinished(pod) && !warm.includes(pod));
  return {
    finished: mine.filter(isHelperFinished),
    warm,
    running: rule.all ? running : [],
    keptRunning: rule.all ? 0 : running.length,
    otherUsers: ours.length - mine.length,
    notOurs: pods.length - ours.length,
  };
}

/** A helper's session is over when its agent exited (idle watchdog) or its deadline passed. */
export function isHelperFinished(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Unknown';
}

/**
 * One row of `list`; every cell is cluster text, shown with its control characters visible.
 * `warmLeft`: seconds of warm time left (warm.ts), shown as the status `Warm (Ns left)`.
 */
export function buildHelperRow(pod: V1Pod, now: Date = new Date(), warmLeft?: number): HelperRow {
  const annotations = pod.metadata?.annotations ?? {};
  const row: HelperRow = {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    target: annotations[`${ANNOTATION_PREFIX}/target`] ?? '',
    node: pod.spec?.nodeName ?? '',
    status: pod.metadata?.deletionTimestamp ? 'Terminating' : warmLeft !== undefined && pod.status?.phase === 'Running' ? `Warm (${formatAge(new Date(now.getTime() - warmLeft * 1000), now)} left)` : pod.status?.reason ?? pod.status?.phase ?? 'Unknown',
    age: formatAge(pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp) : undefined, now),
    createdBy: annotations[`${ANNOTATION_PREFIX}/created-by`] ?? '',
  };
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, visible(v)])) as unknown as HelperRow;
}

/** kubectl-style aligned columns. */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function renderHelperTable(rows: readonly HelperRow[], allNamespaces: boolean): string {
  const header = [...(allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'TARGET', 'NODE', 'STATUS', 'AGE', 'CREATED-BY'];
  return renderTable(header, rows.map((r) => [...(allNamespaces ? [r.namespace] : []), r.name, r.target, r.node, r.status, r.age, r.createdBy]));
}
