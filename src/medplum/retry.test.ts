import {
  OperationOutcomeError,
  setRateLimitReset,
  tooManyRequests,
  badRequest,
  preconditionFailed,
} from '@medplum/core';
import { describe, expect, test } from 'vitest';
import { HttpError, retryAfterMs, withRetry } from './retry.ts';

describe('withRetry', () => {
  test("retries 429 and 5xx until success, waiting at least the server's hint", async () => {
    const limited = structuredClone(tooManyRequests);
    setRateLimitReset(limited, 150);
    const failures: Error[] = [new OperationOutcomeError(limited), new HttpError('busy', 503)];
    const started = Date.now();
    const result = await withRetry(
      () => {
        const next = failures.shift();
        return next ? Promise.reject(next) : Promise.resolve('done');
      },
      { deadline: Date.now() + 5_000, baseDelayMs: 1 }
    );
    expect(result).toBe('done');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('does not retry a client error; retries conflicts only when asked', async () => {
    let calls = 0;
    await expect(
      withRetry(
        () => {
          calls++;
          return Promise.reject(new OperationOutcomeError(badRequest('no')));
        },
        { deadline: Date.now() + 1_000 }
      )
    ).rejects.toThrow('no');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(
        () => {
          calls++;
          return Promise.reject(new OperationOutcomeError(preconditionFailed));
        },
        { deadline: Date.now() + 1_000 }
      )
    ).rejects.toThrow();
    expect(calls).toBe(1);
    calls = 0;
    const ok = await withRetry(
      () => (++calls < 3 ? Promise.reject(new OperationOutcomeError(preconditionFailed)) : Promise.resolve(calls)),
      { deadline: Date.now() + 1_000, conflicts: true, baseDelayMs: 1 }
    );
    expect(ok).toBe(3);
  });

  test('gives up at the deadline with the last error', async () => {
    await expect(
      withRetry(() => Promise.reject(new HttpError('down', 502, 10_000)), { deadline: Date.now() + 200 })
    ).rejects.toMatchObject({ status: 502 });
  });

  test('reads Retry-After in seconds and RateLimit resets', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(new Headers({ ratelimit: '"requests";r=0;t=3' }))).toBe(3000);
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});
