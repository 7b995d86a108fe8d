// Coming out of a container, every TLS record (16 KiB) and WebSocket frame is a
// buffer Node allocates outside V8's heap. V8 frees young buffers only at a
// scavenge, which a process with a small, quiet heap (ours during a copy) asks for
// rarely: a 200 MB copy-out held ~40 MB of dead buffers at its peak. A
// young-generation collection every few MiB (well under a millisecond each: the
// young heap is small) frees them. V8 offers gc() only with --expose-gc; set at run
// time, the flag still gives a new context the function.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'minor' }) => void;
let gc: Gc | null | undefined;

/** A young-generation collection now; a no-op where V8 does not offer it. */
export function collectYoungGarbage(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const found: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
      gc = typeof found === 'function' ? (found as Gc) : null;
    } catch {
      gc = null;
    }
  }
  gc?.({ type: 'minor' });
}
