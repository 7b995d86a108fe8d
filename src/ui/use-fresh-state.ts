// State that key handlers read fresh. Ink re-subscribes a useInput handler only
// after React's passive effects run, so keys that arrive in between (fast typing,
// a paste, keys queued before the first frame) would see a stale closure and be
// lost. Reading state from a ref that every update writes synchronously fixes that.
import { useReducer, useRef } from 'react';

/** Like useState, but returns a getter that always sees the latest value, even inside a stale closure. */
export function useFreshState<T>(initial: () => T): readonly [get: () => T, set: (update: (previous: T) => T) => void] {
  const ref = useRef<{ value: T } | undefined>(undefined);
  if (ref.current === undefined) ref.current = { value: initial() };
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const box = ref.current;
  const get = () => box.value;
  const set = (update: (previous: T) => T) => {
    const next = update(box.value);
    if (Object.is(next, box.value)) return;
    box.value = next;
    rerender();
  };
  return [get, set] as const;
}
