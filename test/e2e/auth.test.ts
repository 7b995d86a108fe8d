// Managed clusters authenticate through exec credential plugins (aws eks get-token,
// gke-gcloud-auth-plugin, kubelogin), which are slow and sometimes prompt. Here a
// kubeconfig's user is a counting plugin written by the test: it sleeps 0.3 s, prints
// an ExecCredential for a service-account token (a test SA with `admin` in a test
// namespace) and appends a line to a count file. kubectl runs such a plugin once per
// process; so must nsdebug, whatever it does (parallel requests, watches, execs,
// heartbeats), with one refresh when the credential expires or is revoked.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyPod, buildPod, createNamespace, deleteNamespace, kubectl, kubeEnv, uniqueName, waitPodRunning, E2E_IMAGE } from './helpers/cluster.js';
import { helperPods, nsdebug, TerminalSession, waitFor } from './helpers/nsdebug.js';

const NS = uniqueName('auth');
const target = uniqueName('t');
const SA = 'counter';
/** A second account: the token a refresh prints once the first one is revoked. */
const SA_NEXT = 'counter-next';
let server = '';
let caData = '';
let token = '';
let nextToken = '';
const dirs: string[] = [];

// The plugin: args [DIR]; env COUNT_FILE from the kubeconfig's exec env. It records
// KUBERNETES_EXEC_INFO, may prompt for a password (DIR/prompt), and may give its
// first credential a short life (DIR/expire-first seconds; later ones an hour).
const PLUGIN = `#!/bin/sh
dir=$1
printf '%s\\n' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info"
echo call >> "$COUNT_FILE"
n=$(wc -l < "$COUNT_FILE")
sleep 0.3
if [ -f "$dir/prompt" ]; then
  printf 'auth-test password: ' >&2
  read -r answer || exit 1
  [ "$answer" = opensesame ] || { echo 'auth-test: wrong password' >&2; exit 1; }
fi
exp=
if [ -f "$dir/expire-first" ]; then
  secs=3600
  [ "$n" = 1 ] && secs=$(cat "$dir/expire-first")
  exp=$(date -u -d "@$(( $(date +%s) + secs ))" +%Y-%m-%dT%H:%M:%SZ)
  exp=",\\"expirationTimestamp\\":\\"$exp\\""
fi
printf '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"%s"%s}}\\n' "$(cat "$dir/token")" "$exp"
`;

interface Plugin {
  readonly dir: string;
  readonly kubeconfig: string;
  calls(): number;
  execInfo(): { spec: { interactive: boolean; cluster?: { server: string; 'certificate-authority-data'?: string } } };
  env(): NodeJS.ProcessEnv;
}

function makePlugin(options: { interactiveMode?: string; expireFirst?: number; prompt?: boolean; command?: string; installHint?: string } = {}): Plugin {
  const dir = mkdtempSync(join(tmpdir(), 'nsdebug-auth-'));
  dirs.push(dir);
  const script = join(dir, 'plugin.sh');
  writeFileSync(script, PLUGIN);
  chmodSync(script, 0o755);
  writeFileSync(join(dir, 'token'), token);
  if (options.expireFirst !== undefined) writeFileSync(join(dir, 'expire-first'), String(options.expireFirst));
  if (options.prompt) writeFileSync(join(dir, 'prompt'), '');
  const count = join(dir, 'count');
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'local', cluster: { server, 'certificate-authority-data': caData } }],
    users: [{
      name: 'plugin-user',
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: options.command ?? script,
          args: [dir],
          env: [{ name: 'COUNT_FILE', value: count }],
          interactiveMode: options.interactiveMode ?? 'Never',
          provideClusterInfo: true,
          ...(options.installHint ? { installHint: options.installHint } : {}),
        },
      },
    }],
    contexts: [{ name: 'plugin', context: { cluster: 'local', user: 'plugin-user', namespace: NS } }],
    'current-context': 'plugin',
  }));
  return {
    dir,
    kubeconfig,
    calls: () => (existsSync(count) ? readFileSync(count, 'utf8').split('\n').filter(Boolean).length : 0),
    execInfo: () => JSON.parse(readFileSync(join(dir, 'exec-info'), 'utf8')),
    env: () => kubeEnv({ KUBECONFIG: kubeconfig, NSDEBUG_IMAGE: process.env.NSDEBUG_IMAGE ?? E2E_IMAGE }),
  };
}

beforeAll(async () => {
  server = (await kubectl(['config', 'view', '--raw', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).trim();
  caData = (await kubectl(['config', 'view', '--raw', '--minify', '-o', 'jsonpath={.clusters[0].cluster.certificate-authority-data}'])).trim();
  await createNamespace(NS);
  await kubectl(['-n', NS, 'create', 'serviceaccount', SA]);
  await kubectl(['-n', NS, 'create', 'serviceaccount', SA_NEXT]);
  await kubectl(['-n', NS, 'create', 'rolebinding', 'counters-admin', '--clusterrole=admin', `--serviceaccount=${NS}:${SA}`, `--serviceaccount=${NS}:${SA_NEXT}`]);
  token = (await kubectl(['-n', NS, 'create', 'token', SA, '--duration=1h'])).trim();
  nextToken = (await kubectl(['-n', NS, 'create', 'token', SA_NEXT, '--duration=1h'])).trim();
  await applyPod(buildPod(target, [{ name: 'main', command: ['sleep', '3600'] }]), NS);
  await waitPodRunning(target, { namespace: NS, timeoutMs: 120_000 });
}, 180_000);

afterAll(async () => {
  await deleteNamespace(NS);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  expect(await helperPods([target])).toEqual([]);
});

describe('an exec credential plugin runs once per nsdebug process', () => {
  it('a session: one call; args, env and KUBERNETES_EXEC_INFO as client-go passes them', async () => {
    const plugin = makePlugin();
    const result = await nsdebug([`pod/${target}`, '--ns', 'uts', '--', 'hostname'], { env: plugin.env() });
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${target}\n`);
    expect(plugin.calls()).toBe(1);
    const info = plugin.execInfo();
    expect(info.spec.interactive).toBe(false);
    expect(info.spec.cluster?.server).toBe(server);
    expect(info.spec.cluster?.['certificate-authority-data']).toBe(caData);
  });

  it('ns and stats: one call each', async () => {
    for (const command of ['ns', 'stats']) {
      const plugin = makePlugin();
      const result = await nsdebug([command, `pod/${target}`], { env: plugin.env() });
      expect(result.stderr).not.toMatch(/^error/m);
      expect(result.code).toBe(0);
      expect(plugin.calls()).toBe(1);
    }
  });

  it('stats --watch: one call over several refreshes', async () => {
    const plugin = makePlugin();
    // Ended by SIGTERM (the timeout): the guard still deletes the helper.
    const result = await nsdebug(['stats', `pod/${target}`, '--watch'], { env: plugin.env(), timeoutMs: 8_000 });
    expect(result.stdout.length).toBeGreaterThan(0);
    expect(plugin.calls()).toBe(1);
    await waitFor('the watch\'s helper to go', async () => ((await helperPods([target])).length === 0 ? true : undefined), 30_000);
  });

  it('a 30 s session with a heartbeat every second: still one call (no expiry: kept for the process)', async () => {
    const plugin = makePlugin();
    const started = Date.now();
    const result = await nsdebug([`pod/${target}`, '--idle-timeout', '3s', '--', 'sleep', '30'], { env: plugin.env() });
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(30_000);
    expect(plugin.calls()).toBe(1);
  }, 120_000);

  it('a credential that expires mid-session is refreshed once', async () => {
    const plugin = makePlugin({ expireFirst: 6 });
    const result = await nsdebug([`pod/${target}`, '--idle-timeout', '3s', '--', 'sleep', '14'], { env: plugin.env() });
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    expect(plugin.calls()).toBe(2);
  }, 120_000);

  it('a revoked token (401) mid-session: one refresh, one retry, the session ends cleanly', async () => {
    const plugin = makePlugin();
    const session = nsdebug([`pod/${target}`, '--idle-timeout', '3s', '--', 'sleep', '25'], { env: plugin.env() });
    await waitFor('the helper to run', async () => ((await helperPods([target])).length === 1 ? true : undefined), 60_000);
    // From now on the plugin prints the other account's token; then the first account goes.
    writeFileSync(join(plugin.dir, 'token'), nextToken);
    await kubectl(['-n', NS, 'delete', 'serviceaccount', SA]);
    token = nextToken; // for the tests after this one
    const result = await session;
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    // No expiry: only the 401 could have made the second call.
    expect(plugin.calls()).toBe(2);
  }, 120_000);

  it('a missing plugin: one line with its installHint, exit 1', async () => {
    const plugin = makePlugin({ command: 'nsdebug-no-such-auth-plugin', installHint: 'Install it:\n  apt install nsdebug-no-such-auth-plugin' });
    const result = await nsdebug([`pod/${target}`, '--', 'true'], { env: plugin.env() });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').pop()).toBe('error: getting credentials: exec: executable nsdebug-no-such-auth-plugin not found; Install it: apt install nsdebug-no-such-auth-plugin');
  });

  it('interactiveMode Always without a terminal: kubectl\'s error in one line, the plugin never runs', async () => {
    const plugin = makePlugin({ interactiveMode: 'Always' });
    const result = await nsdebug([`pod/${target}`, '--', 'true'], { env: plugin.env() });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^error: getting credentials: exec plugin cannot support interactive mode: standard input is not a terminal; [^\n]+$/);
    expect(plugin.calls()).toBe(0);
  });
});

describe('in a terminal: the picker and an interactive plugin', () => {
  const re = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const THEN_STATUS = ['sh', '-c', 'kubectl nsdebug "$@"; echo "nsdebug exited $?"', 'sh'];
  const tmuxEnv = (plugin: Plugin): Record<string, string> => ({
    PATH: process.env.PATH ?? '',
    KUBECONFIG: plugin.kubeconfig,
    NSDEBUG_IMAGE: process.env.NSDEBUG_IMAGE ?? E2E_IMAGE,
  });

  async function pickAndRun(term: TerminalSession): Promise<void> {
    await term.waitForScreen(new RegExp(`Namespaces to enter: ${re(NS)}/${re(target)}, container main`), 60_000);
    await term.keys('Enter');
    await term.waitForScreen(new RegExp(`^\\[pod/${re(target)}:main\\] #\\s*$`, 'm'), 90_000);
    await term.type('echo "<<"ok; hostname\r');
    await term.waitForScreen(new RegExp(`^<<ok\\n${re(target)}$`, 'm'));
    await term.type('exit\r');
    const screen = await term.waitForScreen(/^nsdebug exited \d+$/m, 60_000);
    expect(/^nsdebug exited (\d+)$/m.exec(screen)![1]).toBe('0');
  }

  it('the picker path: one call', async () => {
    const plugin = makePlugin();
    const term = await TerminalSession.start([...THEN_STATUS, '-n', NS, `pod/${target}`], { width: 160, height: 40, env: tmuxEnv(plugin) });
    try {
      await pickAndRun(term);
      expect(plugin.calls()).toBe(1);
    } finally {
      await term.kill();
    }
  });

  it('an interactive plugin prompts before the picker, gets the typed answer, and the session works after', async () => {
    const plugin = makePlugin({ interactiveMode: 'Always', prompt: true });
    const term = await TerminalSession.start([...THEN_STATUS, '-n', NS, `pod/${target}`], { width: 160, height: 40, env: tmuxEnv(plugin) });
    try {
      await term.waitForScreen(/auth-test password:\s*$/m, 30_000);
      expect(await term.screen()).not.toContain('Namespaces to enter');
      await term.type('opensesame\r');
      await pickAndRun(term);
      expect(plugin.calls()).toBe(1);
      expect(plugin.execInfo().spec.interactive).toBe(true);
      expect(await term.screen()).not.toContain('wrong password');
    } finally {
      await term.kill();
    }
  });
});

describe('--as / --as-group (kubectl\'s global flags)', () => {
  it('the group rides on every request (API, watch, exec): system:masters lets a nobody in; without it RBAC says no', async () => {
    const asGroup = await nsdebug(['-n', NS, `pod/${target}`, '--as', 'nobody', '--as-group', 'system:masters', '--ns', 'uts', '--', 'hostname']);
    expect(asGroup.stderr).not.toMatch(/^error/m);
    expect(asGroup.code).toBe(0);
    expect(asGroup.stdout).toBe(`${target}\n`);
    const alone = await nsdebug(['-n', NS, `pod/${target}`, '--as', 'nobody', '--', 'hostname']);
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/^error: RBAC forbids .*User "nobody"/m);
  });
});

describe('token files and certificate files', () => {
  it('tokenFile (with the trailing newline projected tokens have) and client certificate, key and CA files all work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsdebug-auth-files-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'token'), `${token}\n`);
    const raw = async (path: string) => (await kubectl(['config', 'view', '--raw', '--minify', '-o', `jsonpath={${path}}`])).trim();
    writeFileSync(join(dir, 'ca.crt'), Buffer.from(caData, 'base64'));
    writeFileSync(join(dir, 'client.crt'), Buffer.from(await raw('.users[0].user.client-certificate-data'), 'base64'));
    writeFileSync(join(dir, 'client.key'), Buffer.from(await raw('.users[0].user.client-key-data'), 'base64'));
    const config = (user: Record<string, unknown>) => JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server, 'certificate-authority': 'ca.crt' } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'c', context: { cluster: 'local', user: 'u', namespace: NS } }],
      'current-context': 'c',
    });
    // Relative paths are relative to the kubeconfig, as kubectl reads them.
    writeFileSync(join(dir, 'token-config'), config({ tokenFile: 'token' }));
    writeFileSync(join(dir, 'cert-config'), config({ 'client-certificate': 'client.crt', 'client-key': 'client.key' }));
    for (const file of ['token-config', 'cert-config']) {
      const env = kubeEnv({ KUBECONFIG: join(dir, file), NSDEBUG_IMAGE: process.env.NSDEBUG_IMAGE ?? E2E_IMAGE });
      const result = await nsdebug([`pod/${target}`, '--ns', 'uts', '--', 'hostname'], { env });
      expect(result.stderr, file).not.toMatch(/^error/m);
      expect(result.code, file).toBe(0);
      expect(result.stdout).toBe(`${target}\n`);
    }
  });
});
