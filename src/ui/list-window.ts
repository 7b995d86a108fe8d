// Paging for long lists: only the rows in the window are rendered, so a namespace
// with thousands of pods draws its first screen as fast as one with ten.

/** The first visible row after moving the cursor: scrolls only as far as needed to keep the cursor in view. */
export function buildScrollOffset(previousOffset: number, cursor: number, height: number, total: number): number {
  const rows = Math.max(1, height);
  let offset = Math.min(previousOffset, Math.max(0, total - rows));
  if (cursor < offset) offset = cursor;
  else if (cursor >= offset + rows) offset = cursor - rows + 1;
  return Math.max(0, offset);
}

/** Keeps a cursor inside `[0, total)`; 0 for an empty list. */
export function clampCursor(cursor: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(Math.max(0, cursor), total - 1);
}

/** Pads to a width, in columns of plain ASCII (names and images are ASCII in Kubernetes). */
export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}
