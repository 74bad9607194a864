/**
 * The endpoints the SDK's rules resolved, kept for a whole fleet. The SDK keeps them for 50
 * sets of parameters, first in, first out: a fleet cleans 64 buckets at once, each with a
 * probe, a lifecycle read and listings, and pushes a bucket's endpoint out before its next
 * request, which runs the rules again (about 5% of a 300-bucket run's CPU, profiled). Kept
 * here by the parameters the SDK's own cache keys on: all but the request's own key, prefix
 * and copy source, which its rules leave out as well.
 */
const PER_REQUEST = new Set(['Key', 'Prefix', 'CopySource']);

/** Endpoints kept at most: one a bucket and region for fleets of this size. */
export const ENDPOINTS_KEPT = 4_096;

export function keptEndpoints<P extends object, C extends unknown[], E>(
  resolve: (params: P, ...context: C) => E,
  size = ENDPOINTS_KEPT,
): (params: P, ...context: C) => E {
  const kept = new Map<string, E>();
  return (params, ...context) => {
    const key = keyOf(params);
    const known = kept.get(key);
    if (known !== undefined) return known;
    const endpoint = resolve(params, ...context);
    // The oldest goes first, as in the SDK's own cache.
    if (kept.size >= size) kept.delete(kept.keys().next().value!);
    kept.set(key, endpoint);
    return endpoint;
  };
}

/** The part of an auth option the SDK's middleware writes to, for each request. */
interface AuthOption {
  identityProperties?: Record<string, unknown>;
  signingProperties?: Record<string, unknown>;
}

/**
 * The auth options kept as the endpoints are: S3's auth scheme provider runs the endpoint
 * rules again for every request, through the SDK's own cache of 50, not the client's
 * endpoint provider (the second 4% of a 300-bucket run's CPU, profiled). The SDK's
 * middleware writes each request's own context into the option it picks, so every request
 * gets copies, and what is kept stays as the rules made it.
 */
export function keptAuthOptions<P extends object, O extends AuthOption>(
  provide: (params: P) => O[],
  size = ENDPOINTS_KEPT,
): (params: P) => O[] {
  const kept = keptEndpoints(provide, size);
  return (params) =>
    kept(params).map((option) => ({
      ...option,
      identityProperties: option.identityProperties && { ...option.identityProperties },
      signingProperties: option.signingProperties && { ...option.signingProperties },
    }));
}

function keyOf(params: object): string {
  const entries = Object.entries(params).filter(
    ([name, value]) => !PER_REQUEST.has(name) && value !== undefined,
  );
  return JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
