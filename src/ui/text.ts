// Plain-text helpers shared by the Ink screens and the plain progress lines. No
// React here: the plain reporter must load without it.

/** True when NO_COLOR is set to a non-empty value (https://no-color.org). */
export function isNoColor(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env['NO_COLOR'] ?? '') !== '';
}

/** API-supplied text with its control characters made visible (the rule's home is base/visible.ts). */
export { visible as sanitizeLine } from '../base/visible.js';
