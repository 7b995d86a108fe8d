// Keyboard input for the screens.
//
// Ink's useInput re-subscribes a changed handler in a passive effect, and every
// screen that mounts or unmounts toggles raw mode. Between screens a key could
// then be lost, or see the previous render's props. So:
// - `useKeys` keeps one stable subscription that calls the latest handler;
// - inside a `KeyRouter` (the picker flow) there is exactly one subscription for
//   the whole flow: raw mode stays on from the first screen to the last, and the
//   screen rendered last receives the keys;
// - a chunk of several keys (typed fast, pasted, or sent at once by tmux) arrives
//   from Ink as one string: it is split into single keys, so "j\r" moves then selects.
import { useInput } from 'ink';
import type { Key } from 'ink';
import { createContext, useCallback, useContext, useEffect, useRef } from 'react';
import type { ReactNode } from 'react';

type KeyHandler = (input: string, key: Key) => void;
type Slot = { current: KeyHandler | undefined };

const KeyRouterContext = createContext<Slot | undefined>(undefined);

/** One input subscription for a subtree whose screens take turns. */
export function KeyRouter({ children }: { readonly children: ReactNode }) {
  const slot = useRef<Slot>({ current: undefined }).current;
  useInput(useCallback((input: string, key: Key) => slot.current?.(input, key), [slot]));
  return <KeyRouterContext.Provider value={slot}>{children}</KeyRouterContext.Provider>;
}

/** Calls `handler` for each key, always the version from the latest render. */
export function useKeys(handler: KeyHandler): void {
  const router = useContext(KeyRouterContext);
  const latest = useRef(handler);
  latest.current = handler;
  const stable = useCallback((input: string, key: Key) => {
    for (const [i, k] of splitKeys(input, key)) latest.current(i, k);
  }, []);
  // Claimed during render, so a screen gets keys from its first frame on.
  if (router !== undefined) router.current = stable;
  useEffect(
    () => () => {
      if (router !== undefined && router.current === stable) router.current = undefined;
    },
    [router, stable],
  );
  useInput(stable, { isActive: router === undefined });
}

/** Splits a multi-character chunk into the keys it holds; anything else passes through as is. */
export function splitKeys(input: string, key: Key): Array<readonly [string, Key]> {
  const chars = Array.from(input);
  if (chars.length <= 1 || key.ctrl || key.meta) return [[input, key]];
  const blank = Object.fromEntries(Object.entries(key).map(([name, value]) => [name, typeof value === 'boolean' ? false : value])) as Key;
  return chars.map((c) => {
    if (c === '\r' || c === '\n') return ['', { ...blank, return: true }] as const;
    if (c === '\u007f') return ['', { ...blank, delete: true }] as const;
    if (c === '\b') return ['', { ...blank, backspace: true }] as const;
    if (c === '\t') return ['', { ...blank, tab: true }] as const;
    if (c === '\u0003') return ['c', { ...blank, ctrl: true }] as const;
    return [c, { ...blank, shift: /[A-Z]/.test(c) }] as const;
  });
}
