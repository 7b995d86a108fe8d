// The pod screen: a filterable, paged list of pods.
//
// Keys (two modes, so that j/k/q keep their habits and typing still filters):
// - browse (the start): ↑/↓ or j/k move, PgUp/PgDn page, Home/End jump, enter selects,
//   Esc or q cancels, `/` starts filtering, and any other printable key starts filtering
//   with that key already typed.
// - filter: every printable key, j, k and q included, goes into the filter; backspace
//   deletes; ↑/↓ and enter work as in browse; Esc clears the filter and goes back to browse.
// Ctrl-C cancels in both.
//
// A workload's pods may end with an "all pods (N)" row (while no filter is typed):
// it runs the COMMAND in every pod (--all-pods). Without a COMMAND a line says how.
import { Box, Text } from 'ink';
import { useKeys } from './use-keys.js';
import { useMemo, useRef } from 'react';
import type { ReactNode } from 'react';
import type { PodRow } from './types.js';
import { buildScrollOffset, clampCursor, pad } from './list-window.js';
import { sanitizeLine, useColor } from './theme.js';
import { useFreshState } from './use-fresh-state.js';

interface PodPickerState {
  readonly filter: string;
  readonly filtering: boolean;
  readonly cursor: number;
  readonly offset: number;
}

export interface PodPickerProps {
  /** The pods; undefined while they are still being listed. */
  readonly pods: readonly PodRow[] | undefined;
  /** First line, e.g. `Pods in namespace default`. */
  readonly title: string;
  /** Show a NAMESPACE column (`-A`). */
  readonly showNamespace?: boolean;
  /** Pod rows in the window; the caller derives it from the terminal height. */
  readonly height?: number;
  /** The "all pods" row after the pods: choosable, or only a hint line saying what it needs. */
  readonly allPods?: { readonly onSelect: () => void } | { readonly hint: string };
  readonly onSelect: (pod: PodRow) => void;
  readonly onCancel: () => void;
}

/** Lines the screen draws around the rows (title, filter, header, footer; the "all pods" hint is one more). */
export const POD_PICKER_CHROME_LINES = 5;

export function PodPicker({ pods, title, showNamespace = false, height = 15, allPods, onSelect, onCancel }: PodPickerProps) {
  const color = useColor();
  const [get, set] = useFreshState<PodPickerState>(() => ({ filter: '', filtering: false, cursor: 0, offset: 0 }));
  const rows = Math.max(1, height);

  // Lower-cased search text per pod, computed once per list, not per keystroke.
  const haystacks = useMemo(
    () => (pods ?? []).map((p) => `${p.namespace}/${p.name} ${p.status} ${p.node}`.toLowerCase()),
    [pods],
  );
  // The filtered list for a filter text, cached so render and key handler share one pass.
  const cache = useRef<{ pods: readonly PodRow[] | undefined; filter: string; result: readonly PodRow[] }>(undefined);
  const filtered = (filter: string): readonly PodRow[] => {
    const hit = cache.current;
    if (hit !== undefined && hit.pods === pods && hit.filter === filter) return hit.result;
    const needle = filter.toLowerCase();
    const all = pods ?? [];
    const result = needle === '' ? all : all.filter((_, i) => haystacks[i]!.includes(needle));
    cache.current = { pods, filter, result };
    return result;
  };

  // The "all pods" row comes after the pods while no filter narrows them.
  const allRow = (filter: string): (() => void) | undefined =>
    allPods !== undefined && 'onSelect' in allPods && filter === '' && (pods ?? []).length > 0 ? allPods.onSelect : undefined;
  const rowCount = (filter: string) => filtered(filter).length + (allRow(filter) ? 1 : 0);

  const moveTo = (next: number) =>
    set((s) => {
      const total = rowCount(s.filter);
      const cursor = clampCursor(next, total);
      return { ...s, cursor, offset: buildScrollOffset(s.offset, cursor, rows, total) };
    });
  const setFilter = (filter: string, filtering: boolean) => set((s) => ({ ...s, filter, filtering, cursor: 0, offset: 0 }));

  useKeys((input, key) => {
    const s = get();
    const list = filtered(s.filter);
    const total = rowCount(s.filter);
    const current = clampCursor(s.cursor, total);
    if (key.ctrl && input === 'c') return onCancel();
    if (key.escape) return s.filtering ? setFilter('', false) : onCancel();
    if (key.return) {
      const pod = list[current];
      if (pod !== undefined) onSelect(pod);
      else if (current === list.length) allRow(s.filter)?.();
      return;
    }
    if (key.upArrow) return moveTo(current - 1);
    if (key.downArrow) return moveTo(current + 1);
    if (key.pageUp) return moveTo(current - rows);
    if (key.pageDown) return moveTo(current + rows);
    if (key.home) return moveTo(0);
    if (key.end) return moveTo(total - 1);
    if (key.backspace || key.delete) {
      if (s.filtering) setFilter(s.filter.slice(0, -1), true);
      return;
    }
    if (key.ctrl || key.meta || key.tab || !isPrintable(input)) return;
    if (s.filtering) return setFilter(s.filter + input, true);
    if (input === 'j') return moveTo(current + 1);
    if (input === 'k') return moveTo(current - 1);
    if (input === 'q') return onCancel();
    setFilter(input === '/' ? '' : input, true);
  });

  const { filter, filtering } = get();
  const visible = filtered(filter);
  const widths = useMemo(() => buildPodColumnWidths(visible), [visible]);
  const all = allRow(filter);
  const total = visible.length + (all ? 1 : 0);
  const current = clampCursor(get().cursor, total);
  const top = buildScrollOffset(get().offset, current, rows, total);

  const header = buildPodLine(
    { namespace: 'NAMESPACE', name: 'NAME', ready: 'READY', status: 'STATUS', restarts: 'RESTARTS', node: 'NODE', age: 'AGE' },
    widths,
    showNamespace,
  );
  const window = visible.slice(top, top + rows);
  const allInWindow = all !== undefined && top + rows > visible.length;

  return (
    <Box flexDirection="column">
      <Text bold>{title}</Text>
      <Text>
        {filtering ? (
          <Text>
            <Text color={color('cyan')}>/</Text> {filter}
            <Text inverse> </Text>
          </Text>
        ) : (
          <Text dimColor>type to filter · ↑↓/jk move · enter select · esc/q cancel</Text>
        )}
      </Text>
      {pods === undefined ? (
        <Text dimColor>loading pods…</Text>
      ) : visible.length === 0 ? (
        <Text dimColor>{pods.length === 0 ? 'no pods here' : `no pod matches "${filter}"`}</Text>
      ) : (
        <>
          <Text dimColor wrap="truncate-end">
            {'  '}
            {header}
          </Text>
          {window.map((pod, i) => {
            const selected = top + i === current;
            return (
              <Text key={`${pod.namespace}/${pod.name}`} wrap="truncate-end" bold={selected}>
                <Text color={selected ? color('cyan') : undefined}>{selected ? '› ' : '  '}</Text>
                {buildPodLine(formatPod(pod), widths, showNamespace, (status) => (
                  <Text color={color(statusColor(pod.status))}>{status}</Text>
                ))}
              </Text>
            );
          })}
          {allInWindow ? (
            <Text wrap="truncate-end" bold={current === visible.length}>
              <Text color={current === visible.length ? color('cyan') : undefined}>{current === visible.length ? '› ' : '  '}</Text>
              all pods ({pods.length})<Text dimColor>  run the command in each of them (--all-pods)</Text>
            </Text>
          ) : null}
          <Text dimColor>
            {top + 1}–{top + window.length} of {visible.length}
            {visible.length !== pods.length ? ` (filtered from ${pods.length})` : ''}
          </Text>
          {allPods !== undefined && 'hint' in allPods ? <Text dimColor wrap="truncate-end">{sanitizeLine(allPods.hint)}</Text> : null}
        </>
      )}
    </Box>
  );
}

type PodCells = Readonly<Record<'namespace' | 'name' | 'ready' | 'status' | 'restarts' | 'node' | 'age', string>>;
type PodWidths = Readonly<Record<keyof PodCells, number>>;

function formatPod(pod: PodRow): PodCells {
  return {
    namespace: sanitizeLine(pod.namespace),
    name: sanitizeLine(pod.name),
    ready: sanitizeLine(pod.ready),
    status: sanitizeLine(pod.status),
    restarts: String(pod.restarts),
    node: pod.node === '' ? '<none>' : sanitizeLine(pod.node),
    age: sanitizeLine(pod.age),
  };
}

/** Column widths over the whole (filtered) list, so columns don't jump while paging. */
export function buildPodColumnWidths(pods: readonly PodRow[]): PodWidths {
  const w = { namespace: 9, name: 4, ready: 5, status: 6, restarts: 8, node: 6, age: 3 };
  for (const p of pods) {
    w.namespace = Math.max(w.namespace, p.namespace.length);
    w.name = Math.max(w.name, p.name.length);
    w.ready = Math.max(w.ready, p.ready.length);
    w.status = Math.max(w.status, p.status.length);
    w.node = Math.max(w.node, p.node.length);
    w.age = Math.max(w.age, p.age.length);
  }
  return w;
}

function buildPodLine(
  cells: PodCells,
  w: PodWidths,
  showNamespace: boolean,
  renderStatus: (text: string) => ReactNode = (text) => text,
) {
  return (
    <>
      {showNamespace ? pad(cells.namespace, w.namespace + 2) : ''}
      {pad(cells.name, w.name + 2)}
      {pad(cells.ready, w.ready + 2)}
      {renderStatus(pad(cells.status, w.status + 2))}
      {pad(cells.restarts, w.restarts + 2)}
      {pad(cells.node, w.node + 2)}
      {cells.age}
    </>
  );
}

function statusColor(status: string): string {
  if (status === 'Running' || status === 'Completed') return 'green';
  if (status === 'Pending' || status === 'ContainerCreating' || status === 'Terminating') return 'yellow';
  return 'red';
}

function isPrintable(input: string): boolean {
  return input.length > 0 && !/[\u0000-\u001f\u007f]/.test(input);
}
