// The part of ws (client-node's WebSocket, a dependency of ours too) that
// session/exec-socket.ts and session/exec-stdin.ts use; ws ships no types of its own.
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  export default class WebSocket extends EventEmitter {
    constructor(address: string, protocols?: string | string[], options?: object);
    /** Frames (and masks) one message: with readOnly false, `data` is masked in place and returned after the header. */
    static Sender: {
      frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[];
    };
  }
}
