// Colour on or off for every screen. chalk (inside Ink) ignores NO_COLOR, so the
// screens ask this context instead of passing colour names directly.
import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';

export { isNoColor, sanitizeLine } from './text.js';

const ColorContext = createContext(true);

/** Wraps a tree; `enabled: false` (NO_COLOR) makes every `useColor()` lookup return undefined. */
export function ColorProvider({ enabled, children }: { readonly enabled: boolean; readonly children: ReactNode }) {
  return <ColorContext.Provider value={enabled}>{children}</ColorContext.Provider>;
}

/** Returns a function mapping a colour name to itself, or to undefined when colour is off. */
export function useColor(): (name: string) => string | undefined {
  const enabled = useContext(ColorContext);
  return (name) => (enabled ? name : undefined);
}
