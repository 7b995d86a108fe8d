import { EventEmitter } from 'node:events';
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

/** A terminal-like input stream for runPicker: records raw-mode changes. */
export class FakeTtyStdin extends EventEmitter {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  refs = 0;
  encoding: string | undefined;
  #data: string | null = null;
  setRawMode(on: boolean) {
    this.rawModes.push(on);
    return this;
  }
  setEncoding(enc: string) {
    this.encoding = enc;
    return this;
  }
  ref() {
    this.refs++;
    return this;
  }
  unref() {
    this.refs--;
    return this;
  }
  resume() {
    return this;
  }
  pause() {
    return this;
  }
  read(): string | null {
    const d = this.#data;
    this.#data = null;
    return d;
  }
  write(data: string) {
    this.#data = data;
    this.emit('readable');
  }
}

/** A terminal-like output stream that keeps everything written. */
export class FakeTtyStdout extends EventEmitter {
  readonly isTTY = true;
  columns = 100;
  rows = 30;
  output = '';
  write(chunk: string) {
    this.output += chunk;
    return true;
  }
  /** The output with escape sequences removed. */
  plain(): string {
    return this.output.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
  }
}

/**
 * What a terminal shows after `output`: a minimal emulator for the sequences Ink's
 * log-update uses (erase line, cursor up, column 0, newline); other escapes are dropped.
 */
export function screenAfter(output: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  const tokens = output.match(/\u001B\[[0-9;?]*[A-Za-z]|\r\n|\n|\r|[^\u001B\r\n]+/g) ?? [];
  for (const t of tokens) {
    if (t === '\u001B[2K') lines[row] = '';
    else if (/^\u001B\[\d*A$/.test(t)) row = Math.max(0, row - Number(t.slice(2, -1) || 1));
    else if (t === '\r\n' || t === '\n') {
      row++;
      lines[row] ??= '';
    } else if (t.startsWith('\u001B') || t === '\r') continue;
    else lines[row] = (lines[row] ?? '') + t;
  }
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}
