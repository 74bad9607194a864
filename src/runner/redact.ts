import type { LifecycleCheck } from '../engine/lifecycle.js';
import type { CleanupEvent } from '../engine/types.js';

/**
 * Replaces credentials that the environment holds wherever they might surface, as a last
 * line of defence: no message is built from them, but an SDK or a store could echo one.
 * (Not core.setSecret: that prints the value in an ::add-mask:: command, which any runner
 * that does not understand it, or a local run, would show.)
 */
export function secretRedactor(env: Record<string, string | undefined>): (text: string) => string {
  const secrets = [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter(
    (secret): secret is string => secret !== undefined && secret.length >= 8,
  );
  return (text) => secrets.reduce((result, secret) => result.split(secret).join('***'), text);
}

/** The event with its error texts redacted. */
export function redactEvent(event: CleanupEvent, redact: (text: string) => string): CleanupEvent {
  if (event.kind === 'listing-failed') return { ...event, error: redact(event.error) };
  const { initiator } = event.upload;
  // The store's answer: it is shown by name (the summary, the report file).
  const safeInitiator = initiator && redact(initiator);
  if (event.error === undefined && event.sizeError === undefined && safeInitiator === initiator) {
    return event;
  }
  return {
    ...event,
    upload:
      safeInitiator === initiator ? event.upload : { ...event.upload, initiator: safeInitiator },
    error: event.error && redact(event.error),
    sizeError: event.sizeError && redact(event.sizeError),
  };
}

/** The check with the reason it gives, which may quote the store, redacted. */
export function redactCheck(
  check: LifecycleCheck,
  redact: (text: string) => string,
): LifecycleCheck {
  return check.state === 'unknown' ? { ...check, reason: redact(check.reason) } : check;
}

/**
 * A proxy URL as it may be shown: without the user and password it may carry. Anything else
 * is not shown at all (`user:password@host` without a scheme parses as a URL of scheme `user`).
 */
export function withoutCredentials(url: string): string {
  const parsed = URL.parse(url);
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') return '(not an http URL)';
  parsed.username = '';
  parsed.password = '';
  return parsed.href.replace(/\/$/, '');
}
