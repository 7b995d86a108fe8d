// A tiny HTTP CONNECT proxy on loopback that counts the tunnels (one per TLS
// connection to the API server), and a kubeconfig that goes through it (proxy-url).
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface ConnectProxy {
  readonly url: string;
  /** CONNECT tunnels opened so far. */
  count(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  let tunnels = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.off('data', onData);
      const match = /^CONNECT ([^\s:]+):(\d+) HTTP\/1\.[01]\r\n/.exec(head.subarray(0, end).toString('latin1'));
      if (!match) {
        client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
        return;
      }
      tunnels++;
      const upstream = connect(Number(match[2]), match[1], () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        const rest = head.subarray(end + 4);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream).pipe(client);
      });
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => tunnels,
    reset: () => {
      tunnels = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A copy of `source` whose clusters all go through `proxyUrl`. */
export function writeProxiedKubeconfig(source: string, target: string, proxyUrl: string): void {
  const text = readFileSync(source, 'utf8');
  if (!/^ {4}server: /m.test(text)) throw new Error(`no "    server:" line in ${source}`);
  writeFileSync(target, text.replace(/^( {4})server: (.*)$/gm, `$1server: $2\n$1proxy-url: ${proxyUrl}`), { mode: 0o600 });
}
