import type { Readable } from 'node:stream';
import type { ReadStream } from 'node:tty';

/**
 * Puts the terminal in raw passthrough for a session: every byte (Ctrl-C, 0xFF)
 * goes to the remote side. Returns the function that gives the terminal back in
 * cooked mode with echo, which must run on every way out.
 */
export function takeTerminal(stream: Readable): () => void {
  const tty = stream as ReadStream;
  if (!tty.isTTY || typeof tty.setRawMode !== 'function') return () => {};
  // Ink leaves stdin decoding UTF-8; latin1 maps bytes 1:1, so 0xFF survives the round trip.
  if (tty.readableEncoding) tty.setEncoding('latin1');
  tty.setRawMode(true);
  tty.ref();
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    tty.setRawMode(false);
    tty.pause();
    tty.unref();
  };
}
