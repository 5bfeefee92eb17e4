/**
 * Retries transient failures within a deadline: 429 and 5xx (from the FHIR server or the PACS) and, for writes,
 * 409/412 conflicts. MedplumClient already retries 429/5xx a little (honouring `RateLimit`); this outer loop
 * covers conflicts and what it gave up on, until the bot's time budget is spent, then fails so that the
 * Subscription's redelivery retries later.
 */
import { getRateLimitReset, getStatus, isOperationOutcome, OperationOutcomeError } from '@medplum/core';
import { setTimeout as sleep } from 'node:timers/promises';

/** An HTTP failure from outside Medplum (the PACS), with the server's retry hint. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Retry settings. */
export interface RetryOptions {
  /** Give up when the next attempt would start after this time (ms since epoch). */
  deadline: number;
  /** First delay in ms; doubles each attempt. */
  baseDelayMs?: number;
  /** Also retry 409 Conflict and 412 Precondition Failed (writes that lost a race). */
  conflicts?: boolean;
}

/**
 * The HTTP status of an error, when it has one.
 * @param err - Anything thrown.
 * @returns The status, or undefined.
 */
export function statusOf(err: unknown): number | undefined {
  if (err instanceof HttpError) {
    return err.status;
  }
  if (err instanceof OperationOutcomeError) {
    return getStatus(err.outcome);
  }
  if (isOperationOutcome(err)) {
    return getStatus(err);
  }
  return undefined;
}

/**
 * Parses `Retry-After` (seconds or HTTP date) or `RateLimit` (`"name";r=0;t=5`) into a delay.
 * @param headers - Response headers.
 * @returns The delay in ms, or undefined.
 */
export function retryAfterMs(headers: Headers): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    return Number.isFinite(seconds) ? seconds * 1000 : Math.max(0, Date.parse(retryAfter) - Date.now());
  }
  const reset = /t=(\d+)/.exec(headers.get('ratelimit') ?? '');
  return reset ? Number(reset[1]) * 1000 : undefined;
}

function isTransient(err: unknown, conflicts: boolean): boolean {
  const status = statusOf(err);
  if (status === undefined) {
    return false;
  }
  return status === 429 || status >= 500 || (conflicts && (status === 409 || status === 412));
}

/**
 * Runs `fn`, retrying transient failures with exponential backoff (or the server's hint) until the deadline.
 * @param fn - The operation; receives the attempt number (0-based).
 * @param options - Deadline and backoff.
 * @returns What `fn` returns.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const base = options.baseDelayMs ?? 100;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isTransient(err, options.conflicts ?? false)) {
        throw err;
      }
      // The server's hint: Retry-After/RateLimit of the PACS, or the reset Medplum puts in a 429 OperationOutcome.
      const hinted =
        err instanceof HttpError
          ? err.retryAfterMs
          : err instanceof OperationOutcomeError
            ? getRateLimitReset(err.outcome)
            : undefined;
      const delay = Math.min(hinted ?? base * 2 ** attempt * (1 + Math.random() / 2), 5_000);
      if (Date.now() + delay >= options.deadline) {
        throw err;
      }
      await sleep(delay);
    }
  }
}
