// An exec's stdin from buffers we reuse. Sent the usual way (client-node's stdin
// handler, ws.send), every 64 KiB chunk is copied twice (a channel byte put in
// front, then the masked frame) into fresh buffers; V8 frees young buffers only
// when ~32 MB of them have piled up, so a large copy held ~30 MB of garbage at any
// time. Here a fixed pool of frame buffers (1 MiB) carries the data: the caller
// fills one after the channel byte, ws's own framing masks it in place, and it goes
// straight to the connection's socket; it returns to the pool when the socket has
// taken it, so the pool is also the backpressure: a slow network makes take() wait.
import WebSocket from 'ws';

/** The exec's WebSocket as ws gives it (session/exec.ts passes it to onSocket). */
export interface StdinSocket {
  readonly protocol: string;
  readonly extensions: string;
  send(data: Buffer, callback?: (error?: Error) => void): void;
  close(): void;
  once(event: 'close', listener: () => void): unknown;
  readonly _socket?: {
    cork(): void;
    uncork(): void;
    write(data: Buffer, callback?: (error?: Error | null) => void): boolean;
  };
}

/** Where a producer puts stdin bytes (a fake in unit tests). */
export interface FrameSink {
  /** A buffer to fill from index 1 on (index 0 is the channel); waits while every buffer is in flight. */
  take(): Promise<Buffer>;
  /** Sends bytes 1 .. length-1 of a buffer from take(); it is ours again once the socket took it. */
  send(buffer: Buffer, length: number): void;
}

const STDIN_CHANNEL = 0;
const CLOSE_CHANNEL = 255;
const BINARY_OPCODE = 2;

export class StdinFrames implements FrameSink {
  readonly #socket: StdinSocket;
  readonly #free: Buffer[] = [];
  readonly #waiting: Array<{ resolve: (buffer: Buffer) => void; reject: (error: Error) => void }> = [];
  #inFlight = 0;
  #drained: (() => void) | undefined;
  #error: Error | undefined;

  constructor(socket: StdinSocket, { frameBytes = 64 * 1024, frames = 16 } = {}) {
    this.#socket = socket;
    for (let i = 0; i < frames; i++) this.#free.push(Buffer.allocUnsafe(frameBytes + 1));
    socket.once('close', () => this.#fail(new Error('the exec closed while its stdin was being sent')));
  }

  take(): Promise<Buffer> {
    if (this.#error) return Promise.reject(this.#error);
    const buffer = this.#free.pop();
    if (buffer) return Promise.resolve(buffer);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  send(buffer: Buffer, length: number): void {
    if (this.#error) return;
    const payload = buffer.subarray(0, length);
    payload[0] = STDIN_CHANNEL;
    const raw = this.#socket._socket;
    this.#inFlight++;
    const done = (error?: Error | null) => {
      this.#inFlight--;
      if (error) return this.#fail(error);
      const next = this.#waiting.shift();
      if (next) next.resolve(buffer);
      else this.#free.push(buffer);
      if (this.#inFlight === 0) this.#drained?.();
    };
    // A negotiated extension (permessage-deflate) would need ws's own send path; the
    // API server negotiates none, but if one ever does, ws.send stays correct (and copies).
    if (!raw || this.#socket.extensions !== '') {
      this.#socket.send(payload, done);
      return;
    }
    const [header, masked] = WebSocket.Sender.frame(payload, { fin: true, opcode: BINARY_OPCODE, mask: true, readOnly: false, rsv1: false });
    raw.cork();
    raw.write(header!);
    raw.write(masked!, done);
    raw.uncork();
  }

  /** Waits until every frame is on the socket, then closes stdin: a close-stream message on v5, else the whole connection (client-node's way). */
  async end(): Promise<void> {
    if (this.#inFlight > 0 && !this.#error) await new Promise<void>((resolve) => (this.#drained = resolve));
    if (this.#error) throw this.#error;
    if (this.#socket.protocol === 'v5.channel.k8s.io') this.#socket.send(Buffer.from([CLOSE_CHANNEL, STDIN_CHANNEL]));
    else this.#socket.close();
  }

  #fail(error: Error): void {
    this.#error ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(this.#error);
    this.#drained?.();
  }
}
