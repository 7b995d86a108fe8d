// Shared helpers for the Ink screen tests.
import type { PodRow } from '../../src/ui/types.js';

/** ink-testing-library applies input on the next turn of the event loop: wait between keystrokes. */
export async function tick(ms = 20): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes keys one at a time, waiting before the first (Ink attaches its stdin
 * listener in an effect after mount) and after each so the frame updates.
 */
export async function type(stdin: { write: (data: string) => void }, ...keys: string[]): Promise<void> {
  await tick();
  for (const k of keys) {
    stdin.write(k);
    await tick();
  }
}

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  pageDown: '\u001B[6~',
  enter: '\r',
  escape: '\u001B',
  backspace: '\u007F',
  ctrlC: '\u0003',
  space: ' ',
} as const;

export function pod(name: string, over: Partial<PodRow> = {}): PodRow {
  return { namespace: 'default', name, ready: '1/1', status: 'Running', restarts: 0, node: 'node-1', age: '5m', ...over };
}
