// A private registry on loopback for the e2e tests: Debian's docker-registry with
// htpasswd auth, plain HTTP on 127.0.0.1 (containerd's CRI pulls from a localhost
// registry over HTTP without any configuration), holding the local busybox image
// pushed with skopeo. Stopped (process killed, files removed) by `stop`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './cluster.js';

export interface PrivateRegistry {
  /** host:port */
  readonly host: string;
  readonly user: string;
  readonly password: string;
  /** The busybox image, pushed under this reference. */
  readonly image: string;
  stop(): Promise<void>;
}

/** The image tar the cluster harness built (cluster/images/build.sh). */
const BUSYBOX_TAR = join(process.env.NSDEBUG_CLUSTER_STATE ?? '/var/lib/nsdebug-cluster', 'images', 'busybox.tar');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startPrivateRegistry(): Promise<PrivateRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'nsdebug-registry-'));
  const user = 'nsdebug';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const htpasswd = await run('htpasswd', ['-Bbn', user, password]);
    if (htpasswd.code !== 0) throw new Error(`htpasswd: ${htpasswd.stderr}`);
    writeFileSync(join(dir, 'htpasswd'), htpasswd.stdout);
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    writeFileSync(join(dir, 'config.yml'), [
      'version: 0.1',
      'log: {level: error}',
      `storage: {filesystem: {rootdirectory: ${JSON.stringify(join(dir, 'data'))}}}`,
      `http: {addr: ${JSON.stringify(host)}}`,
      `auth: {htpasswd: {realm: nsdebug-e2e, path: ${JSON.stringify(join(dir, 'htpasswd'))}}}`,
      '',
    ].join('\n'));
    child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const answer = await fetch(`http://${host}/v2/`).then((r) => r.status, () => 0);
      if (answer === 401) break; // up, and asking for credentials
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`docker-registry did not start on ${host} (last answer ${answer})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const image = `${host}/nsdebug/busybox:private`;
    const push = await run('skopeo', ['--insecure-policy', 'copy', '--dest-tls-verify=false', '--dest-creds', `${user}:${password}`, `docker-archive:${BUSYBOX_TAR}`, `docker://${image}`], { timeoutMs: 60_000 });
    if (push.code !== 0) throw new Error(`skopeo copy to ${image}: ${push.stderr.trim()}`);
    return { host, user, password, image, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
