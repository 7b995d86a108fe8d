// The namespace screen: a checkbox per namespace type, presets, the tools choice,
// and the equivalent non-interactive command as the confirmation line.
//
// Keys: ↑/↓ or j/k move (the last row is the tools choice), space toggles the
// namespace under the cursor or cycles the tools on the tools row, ←/→ cycle the
// tools there too, `t` cycles the tools from anywhere, `n` / `d` / `a` apply a
// preset, enter confirms, Esc, q or Ctrl-C cancels.
//
// mnt goes with target tools, as on the command line: checking mnt picks target
// tools, leaving target tools unchecks mnt. Preset `a` ("everything, like exec")
// therefore also picks target tools, like `kubectl exec`.
import { Box, Text } from 'ink';
import { useKeys } from './use-keys.js';
import { buildPreset, NAMESPACE_DESCRIPTIONS, PRESET_LABELS, TOOLS_DESCRIPTIONS } from './namespace-info.js';
import type { PresetKey } from './namespace-info.js';
import { DEFAULT_NAMESPACES, DEFAULT_TOOLS, NAMESPACE_TYPES, TOOLS, defaultToolsFor, sortNamespaces, withMountRule, type NamespaceName, type Tools } from '../base/rules.js';
import type { NamespaceChoice } from './types.js';
import { clampCursor } from './list-window.js';
import { sanitizeLine, useColor } from './theme.js';
import { useFreshState } from './use-fresh-state.js';

export interface NamespacePickerProps {
  /** First line, e.g. `Namespaces to enter in default/web, container app`. */
  readonly title: string;
  /** Preselected values (from flags); defaults to the CLI defaults. */
  readonly initial?: Partial<NamespaceChoice>;
  /** Namespaces the target shares with the node; undefined until known. */
  readonly sharedWithNode?: readonly NamespaceName[];
  /** Shows "checking…" while `sharedWithNode` is being found out. */
  readonly checkingShared?: boolean;
  /** Only these can be chosen (the sandbox's namespaces); the others are shown disabled. */
  readonly limitTo?: readonly NamespaceName[];
  /** Tools that make sense for the target (no `target` for the sandbox). */
  readonly allowedTools?: readonly Tools[];
  /** The equivalent non-interactive command for a choice: the confirmation line. */
  readonly buildCommand: (choice: NamespaceChoice) => string;
  readonly onConfirm: (choice: NamespaceChoice) => void;
  readonly onCancel: () => void;
}

interface NamespacePickerState {
  readonly selected: readonly NamespaceName[];
  readonly tools: Tools;
  /** 0..7: a namespace row; 8: the tools row. */
  readonly cursor: number;
  readonly message: string | undefined;
}

const TOOLS_ROW = NAMESPACE_TYPES.length;

export function NamespacePicker({
  title,
  initial,
  sharedWithNode,
  checkingShared = false,
  limitTo,
  allowedTools = TOOLS,
  buildCommand,
  onConfirm,
  onCancel,
}: NamespacePickerProps) {
  const color = useColor();
  const allowed = (ns: NamespaceName) => limitTo === undefined || limitTo.includes(ns);
  // mnt and target tools go together (the CLI's rule: helper and host programs live
  // outside the container's mount namespace). `selected` never holds mnt; the tools decide.
  const fallbackTools = allowedTools.find((t) => t !== 'target') ?? DEFAULT_TOOLS;
  const [get, set] = useFreshState<NamespacePickerState>(() => {
    const wanted = initial?.tools ?? defaultToolsFor(initial?.namespaces ?? []);
    return {
      selected: sortNamespaces((initial?.namespaces ?? DEFAULT_NAMESPACES).filter((ns) => ns !== 'mnt' && allowed(ns))),
      tools: allowedTools.includes(wanted) ? wanted : fallbackTools,
      cursor: 0,
      message: undefined,
    };
  });
  const cycleTools = (s: NamespacePickerState, step: number): NamespacePickerState => {
    const i = allowedTools.indexOf(s.tools);
    const next = allowedTools[(i + step + allowedTools.length) % allowedTools.length] ?? s.tools;
    return { ...s, tools: next, message: undefined };
  };
  const applyPreset = (s: NamespacePickerState, preset: PresetKey): NamespacePickerState => {
    const chosen = buildPreset(preset, sharedWithNode, limitTo);
    const withMount = chosen.includes('mnt') && allowedTools.includes('target');
    const tools = withMount ? 'target' : s.tools === 'target' ? fallbackTools : s.tools;
    return { ...s, selected: chosen.filter((ns) => ns !== 'mnt'), tools, message: `preset: ${PRESET_LABELS[preset]}` };
  };
  const toggleMount = (s: NamespacePickerState): NamespacePickerState => {
    if (s.tools === 'target') return { ...s, tools: fallbackTools, message: `mnt off: tools back to ${fallbackTools}` };
    if (!allowedTools.includes('target')) return { ...s, message: 'mnt needs target tools, which this target cannot use' };
    return { ...s, tools: 'target', message: "mnt enters the container's filesystem: tools set to target" };
  };

  useKeys((input, key) => {
    const s = get();
    if (key.escape || input === 'q' || (key.ctrl && input === 'c')) return onCancel();
    if (key.upArrow || input === 'k') return set(() => ({ ...s, cursor: clampCursor(s.cursor - 1, TOOLS_ROW + 1), message: undefined }));
    if (key.downArrow || input === 'j') return set(() => ({ ...s, cursor: clampCursor(s.cursor + 1, TOOLS_ROW + 1), message: undefined }));
    if (input === 't') return set(() => cycleTools(s, 1));
    if (s.cursor === TOOLS_ROW && (key.leftArrow || key.rightArrow || input === ' ')) return set(() => cycleTools(s, key.leftArrow ? -1 : 1));
    if (input === 'n' || input === 'd' || input === 'a') {
      return set(() => applyPreset(s, input));
    }
    if (input === ' ') {
      const ns = NAMESPACE_TYPES[s.cursor];
      if (ns === undefined) return;
      if (!allowed(ns)) return set(() => ({ ...s, message: `the sandbox doesn't hold a ${ns} namespace of its own` }));
      if (ns === 'mnt') return set(() => toggleMount(s));
      const selected = s.selected.includes(ns) ? s.selected.filter((x) => x !== ns) : sortNamespaces([...s.selected, ns]);
      return set(() => ({ ...s, selected, message: undefined }));
    }
    if (key.return) {
      const namespaces = withMountRule(s.selected, s.tools);
      if (namespaces.length === 0) return set(() => ({ ...s, message: 'choose at least one namespace (space toggles)' }));
      onConfirm({ namespaces, tools: s.tools });
    }
  });

  const { selected, tools, cursor, message } = get();
  const effective = withMountRule(selected, tools);
  const marker = (row: number) => <Text color={row === cursor ? color('cyan') : undefined}>{row === cursor ? '› ' : '  '}</Text>;

  return (
    <Box flexDirection="column">
      <Text bold>{sanitizeLine(title)}</Text>
      <Text dimColor>↑↓/jk move · space toggle · t tools · enter confirm · esc/q cancel</Text>
      {NAMESPACE_TYPES.map((ns, row) => {
        const enabled = allowed(ns);
        const checked = effective.includes(ns);
        const shared = sharedWithNode?.includes(ns) === true;
        return (
          <Text key={ns} bold={row === cursor} dimColor={!enabled} wrap="truncate-end">
            {marker(row)}
            {checked ? '[x] ' : enabled ? '[ ] ' : '[-] '}
            {ns.padEnd(7)}
            {NAMESPACE_DESCRIPTIONS[ns].padEnd(40)}
            {!enabled ? (
              <Text dimColor>not held by the sandbox</Text>
            ) : ns === 'mnt' ? (
              <Text dimColor>{tools === 'target' ? 'with target tools' : 'only with target tools'}</Text>
            ) : (ns === 'cgroup' || ns === 'time') && checked && tools === 'helper' ? (
              <Text color={color('yellow')}>busybox helpers can't: use host tools</Text>
            ) : shared ? (
              <Text color={color('yellow')}>shared with the node</Text>
            ) : null}
          </Text>
        );
      })}
      <Text bold={cursor === TOOLS_ROW} wrap="truncate-end">
        {marker(TOOLS_ROW)}
        {'tools   '}
        {allowedTools.map((t) => (
          <Text key={t} color={t === tools ? color('cyan') : undefined}>
            {t === tools ? '(•) ' : '( ) '}
            {t}
            {'  '}
          </Text>
        ))}
      </Text>
      <Text dimColor wrap="truncate-end">
        {'        '}
        {TOOLS_DESCRIPTIONS[tools]}
      </Text>
      <Text dimColor wrap="truncate-end">
        presets: n {PRESET_LABELS.n} · d {PRESET_LABELS.d} · a {PRESET_LABELS.a}
      </Text>
      {checkingShared && sharedWithNode === undefined ? <Text dimColor>checking which namespaces the node shares…</Text> : null}
      {message !== undefined ? <Text color={color('yellow')}>{message}</Text> : null}
      <Text wrap="truncate-end">
        <Text color={color('green')}>$ </Text>
        {buildCommand({ namespaces: effective, tools })}
      </Text>
    </Box>
  );
}
