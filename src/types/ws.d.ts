// The part of ws (client-node's WebSocket, a dependency of ours too) that
// session/exec-socket.ts uses; ws ships no types of its own.
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  export default class WebSocket extends EventEmitter {
    constructor(address: string, protocols?: string | string[], options?: object);
  }
}
