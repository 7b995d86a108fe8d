// Keyboard input for the screens.
//
// Ink's useInput re-subscribes a changed handler in a passive effect, and every
// screen that mounts or unmounts toggles raw mode. Between screens a key could
// then be lost, or see the previous render's props. So:
// - `useKeys` keeps one stable subscription that calls the latest handler;
// - inside a `KeyRouter` (the picker flow) there is exactly one subscription for
//   the whole flow: raw mode stays on from the first screen to the last, and the
//   screen rendered last receives the keys.
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
  const stable = useCallback((input: string, key: Key) => latest.current(input, key), []);
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
