// The live progress display: a spinner naming the phase, the elapsed time, and the
// most recent events. It only draws a snapshot; render.tsx feeds it updates.
import { Box, Static, Text } from 'ink';
import { useEffect, useState } from 'react';
import { formatElapsed } from '../base/duration.js';
import { PHASE_LABELS, type Phase } from '../base/progress.js';
import { sanitizeLine, useColor } from './theme.js';

export interface ProgressSnapshot {
  readonly phase: Phase | undefined;
  readonly detail?: string;
  /** Most recent last; the view shows the last `maxEvents`. */
  readonly events: readonly string[];
  /** Lines that stay on screen above the live area (choices made, fallbacks); optional for callers that have none. */
  readonly notes?: readonly string[];
  /** Clock reading when progress started. */
  readonly startedAt: number;
  readonly outcome?: { readonly kind: 'done'; readonly at: number } | { readonly kind: 'failed'; readonly at: number; readonly message: string };
}

export interface ProgressViewProps {
  readonly snapshot: ProgressSnapshot;
  /** Milliseconds; the same clock as `startedAt`. */
  readonly clock: () => number;
  readonly maxEvents?: number;
  /** Spinner and elapsed-time refresh; 0 stops the timer (tests). */
  readonly tickMs?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function ProgressView({ snapshot, clock, maxEvents = 5, tickMs = 80 }: ProgressViewProps) {
  const color = useColor();
  const [frame, setFrame] = useState(0);
  const running = snapshot.outcome === undefined;
  useEffect(() => {
    if (!running || tickMs <= 0) return;
    const timer = setInterval(() => setFrame((f) => f + 1), tickMs);
    return () => clearInterval(timer);
  }, [running, tickMs]);

  const { outcome } = snapshot;
  const elapsed = formatElapsed((outcome?.at ?? clock()) - snapshot.startedAt);
  // Static prints each note once, permanently, above whatever the live area shows.
  const notes = (
    <Static items={[...(snapshot.notes ?? [])]}>
      {(note, i) => (
        <Text key={i} wrap="truncate-end">
          {sanitizeLine(note)}
        </Text>
      )}
    </Static>
  );
  // The same tree shape in every state: a remounted Static would print its notes again.
  if (outcome?.kind === 'done') {
    return (
      <Box flexDirection="column">
        {notes}
        <Text>
          <Text color={color('green')}>✓</Text> ready <Text dimColor>({elapsed})</Text>
        </Text>
      </Box>
    );
  }
  const label = snapshot.phase === undefined ? 'starting' : PHASE_LABELS[snapshot.phase];
  return (
    <Box flexDirection="column">
      {notes}
      <Text wrap="truncate-end">
        {outcome?.kind === 'failed' ? <Text color={color('red')}>✗</Text> : <Text color={color('cyan')}>{SPINNER[frame % SPINNER.length]}</Text>}{' '}
        {outcome?.kind === 'failed' ? sanitizeLine(outcome.message) : label}
        {outcome === undefined && snapshot.detail !== undefined ? <Text dimColor> {sanitizeLine(snapshot.detail)}</Text> : null}
        <Text dimColor> {elapsed}</Text>
      </Text>
      {snapshot.events.slice(-maxEvents).map((e, i) => (
        <Text key={i} dimColor wrap="truncate-end">
          {'  '}
          {sanitizeLine(e)}
        </Text>
      ))}
    </Box>
  );
}
