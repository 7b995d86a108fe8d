import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/base/errors.js';
import {
  buildExecEnv,
  buildExecInfo,
  decideInteractive,
  ExecCredentialSource,
  findTokenFiles,
  installCredentials,
  isUnauthorized,
  parseExecCredential,
  parseExecPlugin,
  prepareCredentials,
  runPlugin,
  TokenFileSource,
  withCredentialRetry,
  type ExecPlugin,
  type RunPlugin,
  type Terminal,
} from '../../src/kube/credentials.js';

const V1 = 'client.authentication.k8s.io/v1';
const V1BETA1 = 'client.authentication.k8s.io/v1beta1';
const plugin = (over: Partial<ExecPlugin> = {}): ExecPlugin => ({
  command: 'get-token', args: [], env: [], apiVersion: V1, installHint: undefined, provideClusterInfo: false, interactiveMode: 'Never', ...over,
});
const credentialJson = (token: string, expirationTimestamp?: string, apiVersion = V1) =>
  JSON.stringify({ kind: 'ExecCredential', apiVersion, status: { token, ...(expirationTimestamp ? { expirationTimestamp } : {}) } });
const noTerminal: Terminal = { isTerminal: () => false, inUse: () => false };

describe('parseExecPlugin (clientcmd\'s validation)', () => {
  it('reads command, args, env, installHint, provideClusterInfo', () => {
    expect(parseExecPlugin({ apiVersion: V1, command: 'aws', args: ['eks', 'get-token'], env: [{ name: 'AWS_PROFILE', value: 'x' }], installHint: 'brew install awscli', provideClusterInfo: true, interactiveMode: 'Never' }, 'u'))
      .toEqual({ command: 'aws', args: ['eks', 'get-token'], env: [{ name: 'AWS_PROFILE', value: 'x' }], apiVersion: V1, installHint: 'brew install awscli', provideClusterInfo: true, interactiveMode: 'Never' });
  });
  it('v1beta1 defaults interactiveMode to IfAvailable; v1 must say', () => {
    expect(parseExecPlugin({ apiVersion: V1BETA1, command: 'x' }, 'u').interactiveMode).toBe('IfAvailable');
    expect(() => parseExecPlugin({ apiVersion: V1, command: 'x' }, 'u')).toThrow(/has no interactiveMode/);
  });
  it('rejects a missing command or apiVersion, v1alpha1 and a bad mode, in one line', () => {
    expect(() => parseExecPlugin({ apiVersion: V1 }, 'u')).toThrow(/user "u" has no command/);
    expect(() => parseExecPlugin({ command: 'x' }, 'u')).toThrow(/has no apiVersion/);
    expect(() => parseExecPlugin({ command: 'x', apiVersion: 'client.authentication.k8s.io/v1alpha1' }, 'u')).toThrow(/not one of/);
    expect(() => parseExecPlugin({ command: 'x', apiVersion: V1, interactiveMode: 'Sometimes' }, 'u')).toThrow(/Sometimes/);
  });
});

describe('decideInteractive (client-go)', () => {
  it('Never never; IfAvailable when stdin is a free terminal; Always or an error', () => {
    expect(decideInteractive('Never', true, false)).toBe(false);
    expect(decideInteractive('IfAvailable', true, false)).toBe(true);
    expect(decideInteractive('IfAvailable', false, false)).toBe(false);
    expect(decideInteractive('IfAvailable', true, true)).toBe(false);
    expect(decideInteractive('Always', true, false)).toBe(true);
    let error: unknown;
    try {
      decideInteractive('Always', false, false);
    } catch (e) {
      error = e;
    }
    expect(formatError(error)).toMatch(/^error: getting credentials: exec plugin cannot support interactive mode: standard input is not a terminal; [^\n]+$/);
  });
});

describe('KUBERNETES_EXEC_INFO and the environment', () => {
  const cluster = { server: 'https://1.2.3.4:6443', certificateAuthorityData: 'PEM', insecureSkipTlsVerify: false, tlsServerName: 'api' };
  it('always says interactive; gives the cluster only with provideClusterInfo', () => {
    expect(JSON.parse(buildExecInfo(plugin(), false, cluster))).toEqual({ kind: 'ExecCredential', apiVersion: V1, spec: { interactive: false } });
    expect(JSON.parse(buildExecInfo(plugin({ provideClusterInfo: true, apiVersion: V1BETA1 }), true, cluster))).toEqual({
      kind: 'ExecCredential', apiVersion: V1BETA1,
      spec: { interactive: true, cluster: { server: 'https://1.2.3.4:6443', 'tls-server-name': 'api', 'certificate-authority-data': Buffer.from('PEM').toString('base64') } },
    });
  });
  it('layers our env, the kubeconfig env, then the exec info', () => {
    const env = buildExecEnv({ PATH: '/bin', A: '1' }, plugin({ env: [{ name: 'A', value: '2' }] }), '{}');
    expect(env).toEqual({ PATH: '/bin', A: '2', KUBERNETES_EXEC_INFO: '{}' });
  });
});

describe('parseExecCredential (client-go\'s checks)', () => {
  it('reads token and expiry; no expiry = undefined', () => {
    expect(parseExecCredential(credentialJson('t', '2030-01-01T00:00:00Z'), plugin())).toEqual({ token: 't', clientCertificateData: undefined, clientKeyData: undefined, expiresAt: Date.parse('2030-01-01T00:00:00Z') });
    expect(parseExecCredential(credentialJson('t'), plugin()).expiresAt).toBeUndefined();
  });
  it('rejects another apiVersion, no status, nothing usable, half a key pair', () => {
    expect(() => parseExecCredential(credentialJson('t', undefined, V1BETA1), plugin())).toThrow(/configured to use API version client.authentication.k8s.io\/v1, plugin returned/);
    expect(() => parseExecCredential('not json', plugin())).toThrow(/decoding stdout/);
    expect(() => parseExecCredential(JSON.stringify({ kind: 'ExecCredential', apiVersion: V1 }), plugin())).toThrow(/status field/);
    expect(() => parseExecCredential(JSON.stringify({ kind: 'ExecCredential', apiVersion: V1, status: {} }), plugin())).toThrow(/token or cert\/key/);
    expect(() => parseExecCredential(JSON.stringify({ kind: 'ExecCredential', apiVersion: V1, status: { clientCertificateData: 'c' } }), plugin())).toThrow(/only certificate or key/);
  });
});

function source(outputs: string[], over: { now?: () => number; terminal?: Terminal; mode?: ExecPlugin['interactiveMode'] } = {}) {
  const calls: Array<{ env: NodeJS.ProcessEnv; interactive: boolean }> = [];
  const run: RunPlugin = async (_p, env, interactive) => {
    calls.push({ env, interactive });
    await new Promise((r) => setTimeout(r, 5));
    return outputs[Math.min(calls.length - 1, outputs.length - 1)]!;
  };
  const src = new ExecCredentialSource(plugin({ interactiveMode: over.mode ?? 'Never' }), undefined, { run, terminal: over.terminal ?? noTerminal, env: {}, now: over.now ?? Date.now });
  return { src, calls };
}

describe('ExecCredentialSource: one run per process while valid', () => {
  it('parallel requests share one run; no expiry keeps it for good', async () => {
    const { src, calls } = source([credentialJson('a')]);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => src.get()));
    expect(tokens.map((t) => t.token)).toEqual(Array(10).fill('a'));
    await src.get();
    expect(calls).toHaveLength(1);
  });
  it('runs again only once the expiry has passed', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const { src, calls } = source([credentialJson('a', '2030-01-01T00:01:00Z'), credentialJson('b', '2030-01-01T01:00:00Z')], { now: () => now });
    expect((await src.get()).token).toBe('a');
    now += 59_000;
    expect((await src.get()).token).toBe('a');
    now += 1_000;
    expect((await Promise.all([src.get(), src.get()])).map((c) => c.token)).toEqual(['b', 'b']);
    expect(calls).toHaveLength(2);
  });
  it('parallel 401s of one credential share one refresh; a later 401 of the new one refreshes again', async () => {
    const { src, calls } = source([credentialJson('a'), credentialJson('b'), credentialJson('c')]);
    await src.get();
    const seen = src.seen;
    const refreshed = await Promise.all([src.refreshAfter(seen), src.refreshAfter(seen), src.refreshAfter(seen)]);
    expect(refreshed.map((c) => c.token)).toEqual(['b', 'b', 'b']);
    expect(calls).toHaveLength(2);
    expect((await src.refreshAfter(seen)).token).toBe('b');
    expect((await src.refreshAfter(src.seen)).token).toBe('c');
  });
  it('hands the plugin stdin only when the terminal is free', async () => {
    let inUse = false;
    const { src, calls } = source([credentialJson('a', '2000-01-01T00:00:00Z')], { mode: 'IfAvailable', terminal: { isTerminal: () => true, inUse: () => inUse } });
    await src.get();
    inUse = true;
    await src.get();
    expect(calls.map((c) => c.interactive)).toEqual([true, false]);
    expect(JSON.parse(calls[1]!.env.KUBERNETES_EXEC_INFO!)).toEqual({ kind: 'ExecCredential', apiVersion: V1, spec: { interactive: false } });
  });
  it('a failed run is not kept: the next request runs it again', async () => {
    const { src, calls } = source(['oops', credentialJson('a')]);
    await expect(src.get()).rejects.toThrow(/decoding stdout/);
    expect((await src.get()).token).toBe('a');
    expect(calls).toHaveLength(2);
  });
});

describe('runPlugin', () => {
  it('a missing command gives the one-line error with the install hint', async () => {
    const error = await runPlugin(plugin({ command: '/nonexistent/get-token', installHint: 'Install it:\n  brew install get-token' }), {}, false).catch((e: unknown) => e);
    expect(formatError(error)).toBe('error: getting credentials: exec: executable /nonexistent/get-token not found; Install it: brew install get-token');
  });
  it('a failing plugin names its exit code', async () => {
    const error = await runPlugin(plugin({ command: 'sh', args: ['-c', 'exit 3'] }), process.env, false).catch((e: unknown) => e);
    expect(formatError(error)).toMatch(/^error: getting credentials: exec: executable sh failed with exit code 3; /);
  });
  it('passes args and env and returns stdout', async () => {
    const out = await runPlugin(plugin({ command: 'sh', args: ['-c', 'printf "%s %s" "$1" "$X"', 'sh', 'arg'] }), { ...process.env, X: 'env' }, false);
    expect(out).toBe('arg env');
  });
});

describe('TokenFileSource (client-go: at most once a minute, and after a 401)', () => {
  it('re-reads a changed file after a minute or a 401, trimmed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsdebug-token-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'one\n');
    let now = 0;
    const src = new TokenFileSource(file, () => now);
    expect(src.get()).toBe('one');
    writeFileSync(file, 'two\n');
    now = 59_000;
    expect(src.get()).toBe('one');
    now = 60_000;
    expect(src.get()).toBe('two');
    writeFileSync(file, 'three');
    src.refreshAfter(src.seen);
    expect(src.get()).toBe('three');
  });
  it('finds token-file users, relative paths against their kubeconfig, first file wins', () => {
    const found = findTokenFiles([
      { path: '/a/config', parsed: { users: [{ name: 'u', user: { 'token-file': 'tok' } }, { name: 'v', user: { token: 'x' } }] } },
      { path: '/b/config', parsed: { users: [{ name: 'u', user: { 'token-file': '/other' } }, { name: 'w', user: { tokenFile: '/abs' } }] } },
    ]);
    expect([...found]).toEqual([['u', '/a/tok'], ['w', '/abs']]);
  });
});

describe('installCredentials on a real KubeConfig', () => {
  const kubeconfig = (user: Record<string, unknown>) => {
    const config = new k8s.KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u', ...user }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return config;
  };
  it('every path asks the one source: one plugin run for many requests, without expiry', async () => {
    const config = kubeconfig({ exec: { apiVersion: V1, command: 'get-token', interactiveMode: 'Never' } });
    let runs = 0;
    installCredentials(config, { run: async () => (runs++, credentialJson('tok')), terminal: noTerminal });
    const results = await Promise.all([
      ...Array.from({ length: 5 }, async () => {
        const opts: { headers?: Record<string, string> } = {};
        await config.applyToHTTPSOptions(opts as never);
        return opts.headers?.Authorization;
      }),
      config.applyToFetchOptions({}).then((o) => (o.headers as unknown as Headers).get('authorization')),
    ]);
    expect(results).toEqual(Array(6).fill('Bearer tok'));
    expect(runs).toBe(1);
  });
  it('a 401 refreshes once and retries once; a second 401 is final', async () => {
    const config = kubeconfig({ exec: { apiVersion: V1, command: 'get-token', interactiveMode: 'Never' } });
    let runs = 0;
    installCredentials(config, { run: async () => credentialJson(`tok${++runs}`), terminal: noTerminal });
    const seen: string[] = [];
    const call = async () => {
      const opts: { headers?: Record<string, string> } = {};
      await config.applyToHTTPSOptions(opts as never);
      seen.push(opts.headers!.Authorization!);
      if (opts.headers!.Authorization === 'Bearer tok1') throw Object.assign(new Error('Unauthorized'), { code: 401 });
      return 'ok';
    };
    expect(await Promise.all([withCredentialRetry(config, call), withCredentialRetry(config, call)])).toEqual(['ok', 'ok']);
    expect(runs).toBe(2);
    const always401 = () => Promise.reject(Object.assign(new Error('Unexpected server response: 401'), {}));
    await expect(withCredentialRetry(config, always401)).rejects.toThrow(/401/);
    expect(runs).toBe(3);
  });
  it('prepareCredentials runs an interactive plugin up front, and not a Never one', async () => {
    for (const [mode, expected] of [['IfAvailable', 1], ['Never', 0]] as const) {
      const config = kubeconfig({ exec: { apiVersion: V1, command: 'get-token', interactiveMode: mode } });
      let runs = 0;
      const terminal = { isTerminal: () => true, inUse: () => false };
      installCredentials(config, { run: async () => (runs++, credentialJson('tok')), terminal });
      await prepareCredentials(config, terminal);
      expect(runs).toBe(expected);
    }
  });
  it('a token file replaces client-node\'s one read at load, and cert files are read once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsdebug-cred-'));
    writeFileSync(join(dir, 'token'), 'first\n');
    writeFileSync(join(dir, 'cert'), 'CERT');
    const config = kubeconfig({ token: 'first\n', certFile: join(dir, 'cert'), keyData: Buffer.from('KEY').toString('base64') });
    installCredentials(config, { tokenFiles: new Map([['u', join(dir, 'token')]]) });
    writeFileSync(join(dir, 'cert'), 'CHANGED');
    const opts: { headers?: Record<string, string>; cert?: Buffer } = {};
    await config.applyToHTTPSOptions(opts as never);
    expect(opts.headers?.Authorization).toBe('Bearer first');
    expect(opts.cert?.toString()).toBe('CERT');
  });
  it('--as-group goes on every request with --as, for a plain token as for an exec user; without a user it is one error', async () => {
    for (const user of [{ token: 'static', impersonateUser: 'jane' }, { exec: { apiVersion: V1, command: 'get-token', interactiveMode: 'Never' }, impersonateUser: 'jane' }]) {
      const config = kubeconfig(user);
      installCredentials(config, { impersonateGroups: ['ops'], run: async () => credentialJson('tok'), terminal: noTerminal });
      const opts: { headers?: Record<string, string> } = {};
      await config.applyToHTTPSOptions(opts as never);
      expect(opts.headers).toMatchObject({ 'Impersonate-User': 'jane', 'Impersonate-Group': 'ops' });
      expect(opts.headers?.Authorization).toMatch(/^Bearer (static|tok)$/);
    }
    expect(() => installCredentials(kubeconfig({ token: 'x' }), { impersonateGroups: ['ops'] })).toThrow(/--as-group needs a user to impersonate/);
  });
  it('auth-provider oidc still works through client-node (serialised): a valid id-token is sent, no refresh', async () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const idToken = `${part({ alg: 'none' })}.${part({ exp: Math.floor(Date.now() / 1000) + 3600 })}.sig`;
    const config = kubeconfig({ authProvider: { name: 'oidc', config: { 'id-token': idToken, 'client-id': 'c', 'refresh-token': 'r', 'idp-issuer-url': 'https://127.0.0.1:1' } } });
    installCredentials(config);
    const headers = await Promise.all(Array.from({ length: 3 }, async () => {
      const opts: { headers?: Record<string, string> } = {};
      await config.applyToHTTPSOptions(opts as never);
      return opts.headers?.Authorization;
    }));
    expect(headers).toEqual(Array(3).fill(`Bearer ${idToken}`));
  });
  it('isUnauthorized knows the API clients\', the watch\'s and the exec upgrade\'s 401', () => {
    expect(isUnauthorized({ code: 401 })).toBe(true);
    expect(isUnauthorized({ statusCode: 401 })).toBe(true);
    expect(isUnauthorized(new Error('Unexpected server response: 401'))).toBe(true);
    expect(isUnauthorized({ code: 403 })).toBe(false);
  });
});
