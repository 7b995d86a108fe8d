// Plain-text helpers shared by the Ink screens and the plain progress lines. No
// React here: the plain reporter must load without it.

/** True when NO_COLOR is set to a non-empty value (https://no-color.org). */
export function isNoColor(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env['NO_COLOR'] ?? '') !== '';
}

/** Replaces control characters (including ESC) so API-supplied text can't move the cursor or recolour the terminal. */
export function sanitizeLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}
