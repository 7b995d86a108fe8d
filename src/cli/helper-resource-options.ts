// Pure validation of the helper's resources and image pull secrets (flags + environment).
import { UserError } from '../base/errors.js';
import { parseQuantity, parseResourceFlag, type HelperResources } from '../base/resources.js';

/** --helper-requests/--helper-limits -> resources; undefined when neither was given (nsdebug then fits what a namespace demands). */
export function validateHelperResources(requestsText: string | undefined, limitsText: string | undefined): HelperResources | undefined {
  if (requestsText === undefined && limitsText === undefined) return undefined;
  const requests = requestsText === undefined ? undefined : parseResourceFlag('helper-requests', requestsText);
  const limits = limitsText === undefined ? undefined : parseResourceFlag('helper-limits', limitsText);
  for (const [name, request] of Object.entries(requests ?? {})) {
    const limit = limits?.[name as keyof typeof limits];
    if (limit !== undefined && parseQuantity(request) > parseQuantity(limit)) {
      throw new UserError(`--helper-requests ${name}=${request} is more than --helper-limits ${name}=${limit}`, { hint: 'a request may be at most its limit' });
    }
  }
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}



// A Secret's name: a DNS-1123 subdomain.
const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** --image-pull-secret (repeatable) or else NSDEBUG_IMAGE_PULL_SECRETS (comma-separated, for shell profiles). */
export function validatePullSecrets(flag: string | readonly string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  const given = flag === undefined ? undefined : (typeof flag === 'string' ? [flag] : [...flag]);
  const source = given ? '--image-pull-secret' : 'NSDEBUG_IMAGE_PULL_SECRETS';
  const names = (given ?? (env.NSDEBUG_IMAGE_PULL_SECRETS ?? '').split(',')).map((name) => name.trim()).filter((name, i, all) => name !== '' && all.indexOf(name) === i);
  if (given && names.length === 0) throw new UserError('--image-pull-secret needs a secret name', { hint: 'for example --image-pull-secret regcred' });
  for (const name of names) {
    if (name.length > 253 || !SECRET_NAME.test(name)) {
      throw new UserError(`${source}: "${name}" is not a valid secret name`, { hint: 'use the name of a docker-registry secret in the helper\'s namespace (lowercase letters, digits, - and .)' });
    }
  }
  return names;
}
