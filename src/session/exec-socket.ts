// The exec's WebSocket, opened so that a refused upgrade keeps the API server's
// answer: ws alone reports "Unexpected server response: 500" and drops the body,
// and the body is what tells a helper that has not started yet ("container not
// found") from a real failure (helper/exec-ready.ts).
import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';

/** A refused upgrade as ws words it, with the status code and the body (at most 64 KiB). */
export interface RefusedUpgrade extends Error {
  readonly code: number;
  readonly body: string;
}

/** client-node's socket factory (WebSocketHandler's second argument). */
export function openExecSocket(uri: string, protocols: string | string[], options: object): WebSocket {
  const socket = new WebSocket(uri, protocols, options);
  socket.on('unexpected-response', (request: ClientRequest, response: IncomingMessage) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const refuse = () => {
      if (refused) return;
      refused = true;
      const code = response.statusCode ?? 0;
      const error: RefusedUpgrade = Object.assign(new Error(`Unexpected server response: ${code}`), { code, body: Buffer.concat(chunks).toString('utf8') });
      request.destroy();
      socket.emit('error', error);
    };
    response.on('data', (chunk: Buffer) => {
      if (size < 65536) chunks.push(chunk);
      size += chunk.length;
    });
    response.on('end', refuse);
    response.on('error', refuse);
  });
  return socket;
}
