// The agent's text, as the bundler inlines it (loader '.sh': 'text'), and its
// digest. The text travels only in immutable places: the helper container's
// command and each exec's argv (see argv.ts). Nothing on the node reads it from
// the pod's metadata, which anyone with `patch pods` may change.
import { createHash } from 'node:crypto';
import text from './nsdebug-agent.sh';

export const AGENT_SCRIPT: string = text;
/** For the helper's annotation: which agent a helper runs (a later reuse rule can compare). */
export const AGENT_SHA256: string = createHash('sha256').update(text).digest('hex');
