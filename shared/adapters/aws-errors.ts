/**
 * Adapter seam: an AWS SDK v3 failure as an `UpstreamError`. A service exception carries its HTTP status
 * (`$metadata.httpStatusCode`), who is at fault (`$fault`: the caller or the service) and the SDK's own retry
 * verdict (`$retryable`, throttling included), read here once. An error without them never reached the service
 * (network, timeout, credentials): a later try may help unless it is a credentials problem.
 * @module
 */
import { type Service, UpstreamError } from '../core/errors.js';

interface AwsErrorShape {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/** The SDK's names for throttling answers that do not always set `$retryable`. */
const throttling = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestThrottled',
]);

export function fromAwsError(service: Extract<Service, 'SQS' | 'SSM'>, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const aws = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorShape;
  const message = error instanceof Error ? error.message : String(error);
  const status = aws.$metadata?.httpStatusCode;
  if (aws.$fault === undefined) {
    // Never answered: no credentials is a setup problem, anything else (network, timeout) may pass.
    const retryable = aws.name !== 'CredentialsProviderError';
    return new UpstreamError(message, { service, retryable, answered: false, cause: error });
  }
  const retryable =
    aws.$fault === 'server' ||
    aws.$retryable !== undefined ||
    throttling.has(aws.name ?? '') ||
    status === 429 ||
    (status !== undefined && status >= 500);
  return new UpstreamError(message, {
    service,
    retryable,
    ...(status !== undefined ? { status } : {}),
    cause: error,
  });
}
