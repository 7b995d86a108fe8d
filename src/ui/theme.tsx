// Colour on or off for every screen. chalk (inside Ink) ignores NO_COLOR, so the
// screens ask this context instead of passing colour names directly.
import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';

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

/** True when NO_COLOR is set to a non-empty value (https://no-color.org). */
export function isNoColor(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env['NO_COLOR'] ?? '') !== '';
}

/** Replaces control characters (including ESC) so API-supplied text can't move the cursor or recolour the terminal. */
export function sanitizeLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
