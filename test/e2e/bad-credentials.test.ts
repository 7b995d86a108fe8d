// Bad input that needs a real API server to answer (issue 10): an expired
// token gives one line `error: ...; what to do next` and a non-zero exit, and
// nothing is created. The token is a real service-account token of the local
// cluster, signed with its service-account key, whose `exp` has passed: the
// API server rejects it as it would any expired token.
import { createPrivateKey, createPublicKey, createHash, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubectl } from './helpers/cluster.js';
import { helperPods, nsdebug } from './helpers/nsdebug.js';

const PKI = join(process.env.NSDEBUG_CLUSTER_STATE ?? '/var/lib/nsdebug-cluster', 'pki');
const ISSUER = 'https://kubernetes.default.svc.cluster.local';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A service-account JWT for default/default, signed like the API server's own (ES256, kid = sha256 of the public key), expired an hour ago. */
async function expiredToken(): Promise<string> {
  const uid = (await kubectl(['get', 'serviceaccount', 'default', '-n', 'default', '-o', 'jsonpath={.metadata.uid}'])).trim();
  const key = createPrivateKey(readFileSync(join(PKI, 'sa.key')));
  const der = createPublicKey(readFileSync(join(PKI, 'sa.pub'))).export({ type: 'spki', format: 'der' });
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'ES256', kid: b64url(createHash('sha256').update(der).digest()) };
  const claims = {
    aud: [ISSUER], iss: ISSUER, sub: 'system:serviceaccount:default:default',
    iat: now - 7200, nbf: now - 7200, exp: now - 3600,
    'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'default', uid } },
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${b64url(signature)}`;
}

/** The admin kubeconfig's server and CA with `token` as the only credential. */
async function kubeconfigWithToken(token: string): Promise<string> {
  const admin = JSON.parse(await kubectl(['config', 'view', '--raw', '--minify', '-o', 'json'])) as { clusters: Array<{ cluster: Record<string, unknown> }> };
  const file = join(mkdtempSync(join(tmpdir(), 'nsdebug-expired-')), 'kubeconfig');
  writeFileSync(file, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'expired',
    clusters: [{ name: 'local', cluster: admin.clusters[0]!.cluster }],
    users: [{ name: 'expired', user: { token } }],
    contexts: [{ name: 'expired', context: { cluster: 'local', user: 'expired', namespace: 'default' } }],
  }), { mode: 0o600 });
  return file;
}

describe('an expired token', () => {
  it('is one line that says to log in again, with a non-zero exit, and creates nothing', async () => {
    const kubeconfig = await kubeconfigWithToken(await expiredToken());
    const env = { ...process.env, KUBECONFIG: kubeconfig };
    // The API server itself must refuse it (so the test is about expiry, not a typo in the token).
    const probe = await kubectl(['auth', 'whoami'], { env }).then(() => 'accepted', (error: Error) => error.message);
    expect(probe).toMatch(/Unauthorized|401|expired/i);

    for (const args of [['pod/no-such-pod', '--', 'true'], ['list'], ['stats', 'pod/no-such-pod']]) {
      const result = await nsdebug(args, { env });
      const lines = result.stderr.split('\n').filter((line) => line && !line.startsWith('nsdebug: '));
      expect(result.code, result.stderr).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.stderr).not.toMatch(/internal error|^\s+at \S/m);
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: .*(credential|token|Unauthorized|401).*; .+/i);
    }
    expect(await helperPods(['no-such-pod'])).toEqual([]);
  });
});
