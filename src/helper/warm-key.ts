// The key behind a warm helper's proof (warm.ts): 32 random bytes in the user's
// cache directory, readable by the user alone. Only a client holding it can
// vouch for a warm helper, so another user (who can read and copy every
// annotation) cannot make this user's sessions enter a pod of theirs. Another
// machine of the same user has another key: it creates its own helper.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function warmKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cache, 'kubectl-nsdebug', 'warm-key');
}

/** The key, made on first use unless `create` is false (mode 0600; a concurrent first use keeps the file that won). */
export function readWarmKey(path: string = warmKeyPath(), create = true): Buffer {
  try {
    return parseKey(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !create) throw error;
  }
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parseKey(readFileSync(path, 'utf8'));
}

function parseKey(text: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error('the warm-helper key file is not 64 hex digits');
  return Buffer.from(hex, 'hex');
}
