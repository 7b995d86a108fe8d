// Warm helpers (--keep-warm): which helper a session may reuse, decided from
// cluster data treated as hostile. Anyone with `patch pods` in the helper's
// namespace controls its annotations, so nothing here trusts one alone:
// - the spec is compared as a whole, read from the live pod (immutable but for
//   the image, which it covers), never from an annotation;
// - the warm deadline is capped by the spec's own (status.startTime +
//   activeDeadlineSeconds, which the API lets only shrink), so an edit cannot
//   extend a helper's life; the agent keeps its own deadline on the node;
// - who may reuse it: the created-by annotation, plus a proof only the creating
//   user's client can write (an HMAC of the pod's uid, the user and the deadline
//   under a key in the user's cache directory): copying the annotations onto
//   another pod, or naming someone else in created-by, fails the check.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { helperCreator, isHelperFinished, isNsdebugHelper } from './helper-list.js';
import { ANNOTATION_PREFIX, HELPER_CONTAINER } from './spec.js';

export const WARM_UNTIL_ANNOTATION = `${ANNOTATION_PREFIX}/warm-until`;
export const WARM_PROOF_ANNOTATION = `${ANNOTATION_PREFIX}/warm-proof`;

/** A warm helper this close to its end is not reused (a session could lose it as it starts). */
export const WARM_MARGIN_MS = 5_000;

/** What a session asks of a helper it would reuse. */
export interface WarmWanted {
  readonly user: string;
  readonly nodeName: string;
  /** The spec this session would create (spec.ts), compared with the live one. */
  readonly spec: V1PodSpec;
  /** The key of this user's client (warm-key.ts). */
  readonly key: Buffer;
  readonly now: Date;
}

export interface WarmChoice {
  /** The helper to reuse, if any: the one with the most warm time left. */
  readonly reuse: V1Pod | undefined;
  /** The user's own warm helpers past their time (still running): removed beside the session. */
  readonly expired: V1Pod[];
}

/** Pure: the warm helper a session may reuse among `pods` (the helper namespace's nsdebug pods). */
export function chooseWarmHelper(pods: readonly V1Pod[], wanted: WarmWanted): WarmChoice {
  const wantedDigest = specDigest(wanted.spec);
  const expired: V1Pod[] = [];
  let reuse: V1Pod | undefined;
  let reuseUntil = 0;
  for (const pod of pods) {
    if (!isNsdebugHelper(pod) || helperCreator(pod) !== wanted.user || pod.metadata?.deletionTimestamp || isHelperFinished(pod)) continue;
    const until = provenWarmUntil(pod, wanted.user, wanted.key);
    if (until === undefined) continue;
    const left = Math.min(until, specDeadline(pod) ?? 0) - wanted.now.getTime();
    if (left <= WARM_MARGIN_MS) {
      expired.push(pod);
      continue;
    }
    if (pod.spec?.nodeName !== wanted.nodeName || !isServing(pod)) continue;
    if (liveSpecDigest(pod.spec, wanted.spec) !== wantedDigest) continue;
    if (left > reuseUntil) {
      reuse = pod;
      reuseUntil = left;
    }
  }
  return { reuse, expired };
}

/** The annotation's warm deadline (ms since the epoch) when the user's own proof vouches for it. */
export function provenWarmUntil(pod: V1Pod, user: string, key: Buffer): number | undefined {
  const annotations = pod.metadata?.annotations ?? {};
  const until = parseWarmUntil(annotations[WARM_UNTIL_ANNOTATION]);
  const uid = pod.metadata?.uid;
  const proof = annotations[WARM_PROOF_ANNOTATION];
  if (until === undefined || !uid || typeof proof !== 'string' || !/^[0-9a-f]{64}$/.test(proof)) return undefined;
  const expected = Buffer.from(warmProof(key, uid, user, annotations[WARM_UNTIL_ANNOTATION]!), 'hex');
  return timingSafeEqual(expected, Buffer.from(proof, 'hex')) ? until : undefined;
}

/** The proof written beside the warm deadline: HMAC-SHA256(key, uid, user, deadline text). */
export function warmProof(key: Buffer, uid: string, user: string, warmUntil: string): string {
  return createHmac('sha256', key).update(`${uid}\n${user}\n${warmUntil}`).digest('hex');
}

/** The deadline's text: whole seconds, UTC, RFC 3339 (nothing else parses). */
export function formatWarmUntil(at: Date): string {
  return `${new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

export function parseWarmUntil(text: string | undefined): number | undefined {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** When the kubelet ends the pod: status.startTime + activeDeadlineSeconds (undefined: unknown). */
export function specDeadline(pod: V1Pod): number | undefined {
  const seconds = pod.spec?.activeDeadlineSeconds;
  const start = pod.status?.startTime ? new Date(pod.status.startTime).getTime() : NaN;
  if (typeof seconds !== 'number' || !Number.isFinite(start)) return undefined;
  return start + seconds * 1000;
}

/** For `list`: seconds of warm time left (capped by the spec's deadline), or undefined when not warm. Not a proof. */
export function warmSecondsLeft(pod: V1Pod, now: Date): number | undefined {
  const until = parseWarmUntil(pod.metadata?.annotations?.[WARM_UNTIL_ANNOTATION]);
  if (until === undefined || isHelperFinished(pod)) return undefined;
  return Math.max(0, Math.floor((Math.min(until, specDeadline(pod) ?? until) - now.getTime()) / 1000));
}

/** Running, its one container running and never restarted (a restart would run another process than ours). */
function isServing(pod: V1Pod): boolean {
  const status = pod.status?.containerStatuses?.find((s) => s.name === HELPER_CONTAINER);
  return pod.status?.phase === 'Running' && status?.state?.running !== undefined && status.restartCount === 0;
}

/**
 * The digest of a helper spec, without what differs between sessions that may
 * share a helper: its hard deadline (--ttl + --keep-warm of whoever created it).
 */
export function specDigest(spec: V1PodSpec): string {
  const { activeDeadlineSeconds: _deadline, ...rest } = spec;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/**
 * The digest of a live spec seen through the shape of the one we would build:
 * fields the API server adds (defaults) are left out, every field we set is
 * compared, and a list must have the same length, so a toleration or volume
 * that someone added or that differs makes it another spec.
 */
export function liveSpecDigest(live: V1PodSpec | undefined, built: V1PodSpec): string {
  return specDigest(projectOnto(live ?? {}, built) as V1PodSpec);
}

function projectOnto(live: unknown, shape: unknown): unknown {
  if (Array.isArray(shape)) {
    return Array.isArray(live) && live.length === shape.length ? shape.map((item, i) => projectOnto(live[i], item)) : live;
  }
  if (shape !== null && typeof shape === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return live;
    const from = live as Record<string, unknown>;
    return Object.fromEntries(Object.keys(shape).map((key) => [key, projectOnto(from[key], (shape as Record<string, unknown>)[key])]));
  }
  return live;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
