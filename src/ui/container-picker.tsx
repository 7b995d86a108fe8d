// The container screen: one row per container of the chosen pod, plus the pod
// sandbox. Choosing a container that isn't running shows how it stands (reason,
// restarts, last exit) and asks what to do: catch its next start (`--catch`, when
// the kubelet will start it again), or enter the pod sandbox instead; a container
// that can't be caught explains the sandbox and asks for enter once more.
//
// Keys: ↑/↓ or j/k move, enter chooses; on a container that isn't running, enter
// or c catches it, s takes the sandbox (enter once more when it can't be caught);
// Esc, q or Ctrl-C cancels.
import { Box, Text } from 'ink';
import { useKeys } from './use-keys.js';
import type { ContainerChoice, ContainerRow, NamespaceName, PodRef } from './types.js';
import { clampCursor, pad } from './list-window.js';
import { sanitizeLine, useColor } from './theme.js';
import { useFreshState } from './use-fresh-state.js';

export interface ContainerPickerProps {
  readonly pod: PodRef;
  /** Every container of the pod; init and ephemeral ones are listed only while running. */
  readonly containers: readonly ContainerRow[];
  /** What the sandbox holds: net, ipc, uts, plus pid when the pod shares its process namespace. */
  readonly sandboxNamespaces: readonly NamespaceName[];
  /** The container to highlight first (e.g. the default-container annotation). */
  readonly initial?: string;
  readonly onSelect: (choice: ContainerChoice) => void;
  readonly onCancel: () => void;
}

/** A row of the screen: a container, or the sandbox. */
export type ContainerPickerRow = { readonly kind: 'container'; readonly container: ContainerRow } | { readonly kind: 'sandbox' };

/** The rows in screen order: app containers, then running init and ephemeral containers, then the sandbox. */
export function buildContainerRows(containers: readonly ContainerRow[]): ContainerPickerRow[] {
  const app = containers.filter((c) => c.kind === 'container');
  const extra = containers.filter((c) => c.kind !== 'container' && c.state === 'running');
  const rows: ContainerPickerRow[] = [...app, ...extra].map((container) => ({ kind: 'container', container }));
  rows.push({ kind: 'sandbox' });
  return rows;
}

/** `CrashLoopBackOff` or `waiting`: what to call a container that isn't running. */
export function describeNotRunning(c: ContainerRow): string {
  return c.reason !== undefined && c.reason !== '' ? sanitizeLine(c.reason) : c.state;
}

/** The line shown after choosing a container that isn't running. */
export function buildSandboxExplanation(c: ContainerRow, sandboxNamespaces: readonly NamespaceName[]): string {
  return `${sanitizeLine(c.name)} is ${describeNotRunning(c)}: the session will enter the pod sandbox (${sandboxNamespaces.join(', ')})`;
}

/** The line that asks what to do with a container that can be caught: how it stands. */
export function buildNotRunningSummary(c: ContainerRow): string {
  const parts = [`${c.restarts} restart${c.restarts === 1 ? '' : 's'}`];
  if (c.lastExit !== undefined) parts.push(`last exit ${formatLastExit(c.lastExit)}`);
  return `${sanitizeLine(c.name)} is ${describeNotRunning(c)}: ${parts.join(', ')}`;
}

/** `1 (Error)`, `137 (OOMKilled)`. */
function formatLastExit(exit: NonNullable<ContainerRow['lastExit']>): string {
  return exit.reason !== undefined && exit.reason !== '' ? `${exit.code} (${sanitizeLine(exit.reason)})` : String(exit.code);
}

function formatState(c: ContainerRow): string {
  return c.state === 'running' ? 'running' : `${c.state}: ${describeNotRunning(c)}`;
}

interface ContainerPickerState {
  readonly cursor: number;
  /** Index of a non-running container awaiting a second enter. */
  readonly confirming: number | undefined;
}

export function ContainerPicker({ pod, containers, sandboxNamespaces, initial, onSelect, onCancel }: ContainerPickerProps) {
  const color = useColor();
  const rows = buildContainerRows(containers);
  const [get, set] = useFreshState<ContainerPickerState>(() => ({
    cursor: Math.max(0, rows.findIndex((r) => r.kind === 'container' && r.container.name === initial)),
    confirming: undefined,
  }));
  const moveTo = (next: number) => set(() => ({ cursor: clampCursor(next, rows.length), confirming: undefined }));

  useKeys((input, key) => {
    const { cursor, confirming } = get();
    if (key.escape || input === 'q' || (key.ctrl && input === 'c')) return onCancel();
    if (key.upArrow || input === 'k') return moveTo(cursor - 1);
    if (key.downArrow || input === 'j') return moveTo(cursor + 1);
    const row = rows[cursor];
    const asked = confirming === cursor && row?.kind === 'container' ? row.container : undefined;
    // Asked about a container that can be caught: enter/c catch it, s takes the sandbox.
    if (asked?.catchable === true) {
      const instead = { kind: 'sandbox', instead: { name: asked.name, reason: describeNotRunning(asked) } } as const;
      if (key.return || input === 'c') return onSelect({ kind: 'catch', name: asked.name });
      if (input === 's') return onSelect(instead);
      return;
    }
    if (!key.return) return;
    if (row === undefined) return;
    if (row.kind === 'sandbox') return onSelect({ kind: 'sandbox' });
    const c = row.container;
    if (c.state === 'running') return onSelect({ kind: 'container', name: c.name });
    if (confirming === cursor) return onSelect({ kind: 'sandbox', instead: { name: c.name, reason: describeNotRunning(c) } });
    set((s) => ({ ...s, confirming: cursor }));
  });

  const { cursor, confirming } = get();
  const shown = rows.flatMap((r) => (r.kind === 'container' ? [r.container] : []));
  const nameWidth = Math.max(4, ...shown.map((c) => c.name.length + (c.kind === 'container' ? 0 : c.kind.length + 3)));
  const imageWidth = Math.max(5, ...shown.map((c) => c.image.length));
  const stateWidth = Math.max(5, ...shown.map((c) => formatState(c).length));
  const exitOf = (c: ContainerRow) => (c.state !== 'running' && c.lastExit !== undefined ? formatLastExit(c.lastExit) : '');
  const showExit = shown.some((c) => exitOf(c) !== '');
  const confirmRow = confirming === undefined ? undefined : rows[confirming];

  return (
    <Box flexDirection="column">
      <Text bold>Containers of {sanitizeLine(`${pod.namespace}/${pod.name}`)}</Text>
      <Text dimColor>↑↓/jk move · enter choose · esc/q cancel</Text>
      <Text dimColor wrap="truncate-end">
        {'    '}
        {pad('NAME', nameWidth + 2)}
        {pad('IMAGE', imageWidth + 2)}
        {pad('STATE', stateWidth + 2)}
        {showExit ? pad('RESTARTS', 10) : 'RESTARTS'}
        {showExit ? 'LAST EXIT' : ''}
      </Text>
      {rows.map((row, i) => {
        const selected = i === cursor;
        const marker = <Text color={selected ? color('cyan') : undefined}>{selected ? '› ' : '  '}</Text>;
        if (row.kind === 'sandbox') {
          return (
            <Text key="(sandbox)" bold={selected} wrap="truncate-end">
              {marker}
              {'  '}pod sandbox (pause)
              <Text dimColor>  holds {sandboxNamespaces.join(', ')}; there even when no container runs</Text>
            </Text>
          );
        }
        const c = row.container;
        const running = c.state === 'running';
        const name = c.kind === 'container' ? c.name : `${c.name} (${c.kind})`;
        return (
          <Text key={`${c.kind}/${c.name}`} bold={selected} wrap="truncate-end">
            {marker}
            <Text color={running ? undefined : color('red')}>{running ? '  ' : '✗ '}</Text>
            {pad(sanitizeLine(name), nameWidth + 2)}
            {pad(sanitizeLine(c.image), imageWidth + 2)}
            <Text color={color(running ? 'green' : 'red')}>{pad(formatState(c), stateWidth + 2)}</Text>
            {showExit ? pad(String(c.restarts), 10) : c.restarts}
            {exitOf(c)}
          </Text>
        );
      })}
      {confirmRow?.kind === 'container' && confirmRow.container.catchable === true ? (
        <Box flexDirection="column" marginTop={1}>
          <Text color={color('yellow')}>{buildNotRunningSummary(confirmRow.container)}</Text>
          <Text>
            <Text color={color('cyan')}>{'  enter/c  '}</Text>
            catch its next start: freeze it as its program starts, then enter it (--catch)
          </Text>
          <Text>
            <Text color={color('cyan')}>{'  s        '}</Text>
            enter the pod sandbox instead ({sandboxNamespaces.join(', ')})
          </Text>
          <Text dimColor>↑↓ choose another · esc/q cancel</Text>
        </Box>
      ) : confirmRow?.kind === 'container' ? (
        <Box flexDirection="column" marginTop={1}>
          <Text color={color('yellow')}>{buildSandboxExplanation(confirmRow.container, sandboxNamespaces)}</Text>
          <Text dimColor>enter: continue with the sandbox · ↑↓: choose another · esc/q cancel</Text>
        </Box>
      ) : null}
    </Box>
  );
}
