// The whole interactive flow in one Ink tree: pod → container → namespaces, each
// screen shown only when its choice is still open, data arriving asynchronously.
// It reports one outcome through `onDone` after its last frame is drawn; the
// caller (render.tsx) unmounts Ink then.
import { Text, useStdout } from 'ink';
import { KeyRouter, useKeys } from './use-keys.js';
import { useEffect, useRef, useState } from 'react';
import { ContainerPicker } from './container-picker.js';
import { buildEquivalentCommand } from './equivalent-command.js';
import { NamespacePicker } from './namespace-picker.js';
import { POD_PICKER_CHROME_LINES, PodPicker } from './pod-picker.js';
import { sanitizeLine, useColor } from './theme.js';
import { TOOLS } from '../base/rules.js';
import type {
  AllPodsOffer,
  ContainerChoice,
  ContainerStep,
  NamespaceChoice,
  NamespaceName,
  NamespaceStep,
  PickedAllPods,
  PickerPlan,
  PickerResult,
  PodRef,
  PodRow,
} from './types.js';

/** How the flow ended. */
export type PickerOutcome =
  | { readonly kind: 'chose'; readonly result: PickerResult | PickedAllPods }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'error'; readonly error: unknown };

export interface PickerAppProps {
  readonly plan: PickerPlan;
  /** Called once, after the final frame (summary line) is drawn. */
  readonly onDone: (outcome: PickerOutcome) => void;
}

type Screen =
  | { readonly kind: 'pod' }
  | { readonly kind: 'container'; readonly pod: PodRef; readonly step: ContainerStep | undefined }
  | {
      readonly kind: 'namespaces';
      readonly pod: PodRef;
      readonly container: ContainerChoice;
      readonly limitTo: readonly NamespaceName[] | undefined;
      readonly shared: readonly NamespaceName[] | undefined;
      readonly checking: boolean;
    }
  | { readonly kind: 'finished'; readonly outcome: PickerOutcome };

/** The equivalent command for a full choice. */
export function buildPickerCommand(plan: PickerPlan, pod: PodRef, container: ContainerChoice, choice: NamespaceChoice): string {
  return buildEquivalentCommand({
    target: `pod/${pod.name}`,
    ...(plan.currentNamespace !== undefined && pod.namespace !== plan.currentNamespace ? { namespace: pod.namespace } : {}),
    ...(container.kind === 'sandbox' ? { sandbox: true } : { container: container.name }),
    ...(container.kind === 'catch' ? { catch: true } : {}),
    namespaces: choice.namespaces,
    tools: choice.tools,
    ...(plan.extraArgs !== undefined ? { extraArgs: plan.extraArgs } : {}),
    ...(plan.command !== undefined ? { command: plan.command } : {}),
  });
}

/** The equivalent command of the "all pods" row: the workload with --all-pods and the flags' namespaces. */
export function buildAllPodsCommand(plan: PickerPlan, offer: AllPodsOffer, choice: NamespaceChoice): string {
  return buildEquivalentCommand({
    target: offer.target,
    ...(plan.currentNamespace !== undefined && offer.namespace !== plan.currentNamespace ? { namespace: offer.namespace } : {}),
    allPods: true,
    ...(offer.sandbox === true ? { sandbox: true } : offer.container !== undefined ? { container: offer.container } : {}),
    namespaces: choice.namespaces,
    tools: choice.tools,
    ...(plan.extraArgs !== undefined ? { extraArgs: plan.extraArgs } : {}),
    ...(plan.command !== undefined ? { command: plan.command } : {}),
  });
}

/** The namespace step for a container choice: a caught container has its own defaults. */
function namespaceStepFor(plan: PickerPlan, container: ContainerChoice): NamespaceStep {
  return container.kind === 'catch' ? (plan.catchNamespaces ?? plan.namespaces) : plan.namespaces;
}

/**
 * The "all pods" row is offered for a workload's pods when a COMMAND was given
 * (a fan-out runs one command in every pod; there is no shell across pods) and
 * the namespaces are known (a COMMAND makes them so).
 */
export function allPodsOffered(plan: PickerPlan): AllPodsOffer | undefined {
  const step = plan.pod;
  if ('known' in step || step.allPods === undefined) return undefined;
  if ((plan.command ?? []).length === 0 || !('known' in plan.namespaces)) return undefined;
  return step.allPods;
}

export function PickerApp(props: PickerAppProps) {
  return (
    <KeyRouter>
      <PickerFlow {...props} />
    </KeyRouter>
  );
}

function PickerFlow({ plan, onDone }: PickerAppProps) {
  const color = useColor();
  const [screen, setScreen] = useState<Screen>({ kind: 'pod' });
  const [pods, setPods] = useState<readonly PodRow[] | undefined>(undefined);
  const ended = useRef(false);
  const terminalRows = useTerminalRows();

  // Async results may land after the user cancelled: only the first ending counts.
  const finish = (outcome: PickerOutcome) => {
    if (ended.current) return;
    ended.current = true;
    setScreen({ kind: 'finished', outcome });
  };
  const cancel = () => finish({ kind: 'cancelled' });

  const chooseNamespaces = (pod: PodRef, container: ContainerChoice, choice: NamespaceChoice) =>
    finish({
      kind: 'chose',
      result: { pod, container, namespaces: choice.namespaces, tools: choice.tools, command: buildPickerCommand(plan, pod, container, choice) },
    });

  const chooseAllPods = (offer: AllPodsOffer) => {
    if (ended.current || !('known' in plan.namespaces)) return;
    const choice = plan.namespaces.known;
    finish({ kind: 'chose', result: { allPods: offer, namespaces: choice.namespaces, tools: choice.tools, command: buildAllPodsCommand(plan, offer, choice) } });
  };

  const chooseContainer = (pod: PodRef, container: ContainerChoice, sandboxNamespaces: readonly NamespaceName[] | undefined) => {
    if (ended.current) return;
    const step = namespaceStepFor(plan, container);
    if ('known' in step) return chooseNamespaces(pod, container, step.known);
    const limitTo = container.kind === 'sandbox' ? sandboxNamespaces : undefined;
    // A caught container has no namespaces yet: nothing to compare with the node's.
    const shares = container.kind === 'catch' ? undefined : step.sharedWithNode;
    setScreen({ kind: 'namespaces', pod, container, limitTo, shared: undefined, checking: shares !== undefined });
    if (shares === undefined) return;
    const update = (shared: readonly NamespaceName[] | undefined) =>
      setScreen((s) => (s.kind === 'namespaces' && s.pod === pod ? { ...s, shared, checking: false } : s));
    Promise.resolve()
      .then(() => shares(pod, container))
      .then(update, () => update(undefined));
  };

  const choosePod = (pod: PodRef) => {
    if (ended.current) return;
    plan.onPodChosen?.(pod);
    setScreen({ kind: 'container', pod, step: undefined });
    Promise.resolve()
      .then(() => plan.container(pod))
      .then(
        (step) => {
          if (ended.current) return;
          if ('known' in step) chooseContainer(pod, step.known, step.sandboxNamespaces);
          else setScreen((s) => (s.kind === 'container' && s.pod === pod ? { ...s, step } : s));
        },
        (error: unknown) => finish({ kind: 'error', error }),
      );
  };

  useEffect(() => {
    const step = plan.pod;
    if ('known' in step) return choosePod(step.known);
    Promise.resolve(step.choose)
      .then(async (rows) => {
        setPods(rows);
        for await (const page of step.more ?? []) {
          if (ended.current) break;
          setPods((shown) => [...(shown ?? []), ...page]);
        }
      })
      .catch((error: unknown) => finish({ kind: 'error', error }));
    // The plan is fixed for the picker's life: run once.
  }, []);

  // Report the ending only after the summary frame is committed, so it is what stays on screen.
  const reported = useRef(false);
  useEffect(() => {
    if (screen.kind !== 'finished' || reported.current) return;
    reported.current = true;
    onDone(screen.outcome);
  }, [screen, onDone]);

  switch (screen.kind) {
    case 'pod': {
      const step = plan.pod;
      if ('known' in step) return <Loading text="…" onCancel={cancel} />;
      return (
        <PodPicker
          pods={pods}
          title={step.title}
          showNamespace={step.showNamespace === true}
          {...(step.allPods !== undefined ? { allPods: allPodsRow(plan, step.allPods, chooseAllPods) } : {})}
          height={Math.max(3, terminalRows - POD_PICKER_CHROME_LINES - 1 - (step.allPods !== undefined ? 1 : 0))}
          onSelect={(pod) => choosePod({ namespace: pod.namespace, name: pod.name })}
          onCancel={cancel}
        />
      );
    }
    case 'container': {
      const { pod, step } = screen;
      if (step === undefined || 'known' in step) return <Loading text={`loading the containers of ${pod.namespace}/${pod.name}…`} onCancel={cancel} />;
      return (
        <ContainerPicker
          pod={pod}
          containers={step.choose}
          sandboxNamespaces={step.sandboxNamespaces}
          {...(step.initial !== undefined ? { initial: step.initial } : {})}
          onSelect={(choice) => chooseContainer(pod, choice, step.sandboxNamespaces)}
          onCancel={cancel}
        />
      );
    }
    case 'namespaces': {
      const { pod, container, limitTo, shared, checking } = screen;
      const step = namespaceStepFor(plan, container);
      const initial = 'known' in step ? step.known : step.initial;
      const where =
        container.kind === 'container' ? `container ${container.name}` : container.kind === 'catch' ? `container ${container.name}, caught at its next start` : 'the pod sandbox';
      return (
        <NamespacePicker
          title={`Namespaces to enter: ${pod.namespace}/${pod.name}, ${where}`}
          {...(initial !== undefined ? { initial } : {})}
          {...(shared !== undefined ? { sharedWithNode: shared } : {})}
          checkingShared={checking}
          {...(limitTo !== undefined ? { limitTo } : {})}
          allowedTools={container.kind === 'sandbox' ? TOOLS.filter((t) => t !== 'target') : TOOLS}
          buildCommand={(choice) => buildPickerCommand(plan, pod, container, choice)}
          onConfirm={(choice) => chooseNamespaces(pod, container, choice)}
          onCancel={cancel}
        />
      );
    }
    case 'finished': {
      const { outcome } = screen;
      if (outcome.kind === 'chose') {
        return (
          <Text wrap="truncate-end">
            <Text color={color('green')}>✓ </Text>
            {sanitizeLine(outcome.result.command)}
          </Text>
        );
      }
      // Cancelled or failed: erase the screens; the CLI prints its one line.
      return null;
    }
  }
}

/** What the pod screen shows for the "all pods" row: choosable with a COMMAND, else how to get one. */
function allPodsRow(plan: PickerPlan, offer: AllPodsOffer, choose: (offer: AllPodsOffer) => void) {
  if (allPodsOffered(plan) === undefined) {
    return { hint: `all pods: give a COMMAND after -- to run it in each (${offer.target} --all-pods -- COMMAND)` };
  }
  return { onSelect: () => choose(offer) };
}

/** A waiting line that still honours Esc/q/Ctrl-C. */
function Loading({ text, onCancel }: { readonly text: string; readonly onCancel: () => void }) {
  useKeys((input, key) => {
    if (key.escape || input === 'q' || (key.ctrl && input === 'c')) onCancel();
  });
  return <Text dimColor>{sanitizeLine(text)}</Text>;
}

/** Terminal height of the stream Ink draws on, following resizes; 24 when unknown (tests, pipes). */
function useTerminalRows(): number {
  const { stdout } = useStdout();
  const [rows, setRows] = useState(stdout.rows ?? 24);
  useEffect(() => {
    const onResize = () => setRows(stdout.rows ?? 24);
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return rows;
}
