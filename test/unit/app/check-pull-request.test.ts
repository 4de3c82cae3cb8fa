import { describe, expect, it } from 'vitest';
import { buildFailureResult, isRetryable } from '../../../shared/use-cases/check-pull-request.js';

describe('our own failures', () => {
  it('says what went wrong on our side and whether it is retried', () => {
    const outage = Object.assign(new Error('Server Error'), { status: 502, response: { status: 502 } });
    expect(buildFailureResult(outage)).toMatchObject({
      conclusion: 'failure',
      summary: expect.stringMatching(/GitHub answered 502 \(Server Error\).*retried automatically/s),
    });
    const hung = Object.assign(new Error('The operation was aborted due to timeout'), { status: 500 });
    expect(buildFailureResult(hung).summary).toMatch(
      /GitHub did not answer \(The operation was aborted due to timeout\)/,
    );
    const notFound = Object.assign(new Error('Not Found'), { status: 404, response: { status: 404 } });
    expect(buildFailureResult(notFound).summary).toMatch(/Re-run the check/);
  });

  it('retries outages, rate limits and network failures, not refusals', () => {
    const http = (status: number, message = 'x') => Object.assign(new Error(message), { status });
    expect(isRetryable(http(502))).toBe(true);
    expect(isRetryable(http(429))).toBe(true);
    expect(isRetryable(http(403, 'You have exceeded a secondary rate limit'))).toBe(true);
    expect(isRetryable(http(403, 'Resource not accessible by integration'))).toBe(false);
    expect(isRetryable(http(404))).toBe(false);
    expect(isRetryable(new TypeError('fetch failed'))).toBe(true);
    expect(isRetryable(new Error('cannot read x of undefined'))).toBe(false);
  });
});
