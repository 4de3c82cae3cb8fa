/**
 * The failures the App tells apart, so that what happens next (retry, report, log a bug) is decided by the type
 * of an error, never by its message:
 *
 * - `UpstreamError`: a service we call failed (GitHub, SQS, SSM, the oasdiff process). Adapters build it where
 *   they call the service, once, and say whether a later try may help (`retryable`).
 * - `UserInputError`: input the user must fix. Reported, never retried.
 * - `SetupError`: the App's own setup is wrong (a setting, the App not installed where it must be): the operator
 *   fixes it as the message says. Never retried.
 * - `InvariantError`: something our own code promised did not hold, a bug. Never retried.
 *
 * Every family keeps the original error as `cause` and the original message, so what users see does not change.
 * @module
 */

/** The services whose failures reach us; names as an operator would search for them. */
export type Service = 'GitHub' | 'SQS' | 'SSM' | 'oasdiff';

export interface UpstreamFailure {
  service: Service;
  /** Whether a later try may help (5xx, rate limit, timeout, network), as the adapter judged it. */
  retryable: boolean;
  /** The HTTP status the client reported, when there is one (Octokit reports 500 for a request with no answer). */
  status?: number;
  /** False when the service never answered (timeout, connection refused): `status` is then the client's own. */
  answered?: boolean;
  cause?: unknown;
}

export class UpstreamError extends Error {
  override readonly name: string = 'UpstreamError';
  readonly service: Service;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly answered: boolean;

  constructor(message: string, failure: UpstreamFailure) {
    super(message, failure.cause === undefined ? undefined : { cause: failure.cause });
    this.service = failure.service;
    this.retryable = failure.retryable;
    this.status = failure.status;
    this.answered = failure.answered ?? true;
  }
}

/** Bad input the user must fix (a spec, a config): reported to them, never retried. */
export class UserInputError extends Error {
  override readonly name: string = 'UserInputError';
}

/** The App's setup is wrong; the message says what to fix. Never retried. */
export class SetupError extends Error {
  override readonly name: string = 'SetupError';
}

/** A bug: our own code broke a promise it makes. Never retried; the operator reports it. */
export class InvariantError extends Error {
  override readonly name: string = 'InvariantError';
}

/** Throws an `InvariantError` unless `condition` holds. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/**
 * Whether a later try may help. Adapters type the errors of the services they call, so this is the type's
 * answer; an error that reached us untyped (a stand-in in tests, a code path that bypassed its adapter) is read as
 * GitHub's client shapes it, through `toUpstreamError`.
 */
export function isRetryable(error: unknown): boolean {
  return toUpstreamError(error)?.retryable ?? false;
}

/**
 * The error as an `UpstreamError`: itself when typed; for an untyped error, Octokit's `RequestError` shape (a
 * numeric `status`, a `response` when GitHub answered) or a Node network failure; otherwise undefined.
 */
export function toUpstreamError(error: unknown): UpstreamError | undefined {
  if (error instanceof UpstreamError) return error;
  const typed =
    error instanceof UserInputError || error instanceof SetupError || error instanceof InvariantError;
  if (!(error instanceof Error) || typed) return undefined;
  const graphql = fromGraphQLErrors(error);
  if (graphql) return graphql;
  const { status, response } = error as { status?: unknown; response?: { headers?: unknown } };
  if (typeof status === 'number') {
    return new UpstreamError(error.message, {
      service: 'GitHub',
      status,
      answered: response !== undefined,
      retryable: isRetryableStatus(status, error.message, response?.headers),
      cause: error,
    });
  }
  if (isNetworkFailure(error)) {
    return new UpstreamError(error.message, {
      service: 'GitHub',
      retryable: true,
      answered: false,
      cause: error,
    });
  }
  return undefined;
}

/** GitHub's GraphQL error `type`s a later try may help with (rate limits, its own failures and timeouts). */
const retryableGraphQLTypes = new Set(['RATE_LIMITED', 'INTERNAL', 'SERVICE_UNAVAILABLE', 'TIMEOUT']);
/** The REST status of the same refusal, so an operator reads a GraphQL failure like a REST one. */
const graphQLStatus: Record<string, number> = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  UNPROCESSABLE: 422,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  TIMEOUT: 504,
};

/**
 * A GraphQL answer's `errors[]` (Octokit's `GraphqlResponseError`, or the throttling plugin's rate-limit error
 * that carries the answer as `data`) as an `UpstreamError` of GitHub. Untyped errors are the schema refusing the
 * query (a bug: not retried) or GitHub's "Something went wrong while executing your query" (a timeout on its
 * side: retried). A stale `expectedHeadOid` (`STALE_DATA`) is left to the adapter that asked for the
 * compare-and-swap, which reads the type with `graphqlErrorTypes`.
 */
function fromGraphQLErrors(error: Error): UpstreamError | undefined {
  const { errors, data } = error as { errors?: unknown; data?: { errors?: unknown } };
  const list = Array.isArray(errors) ? errors : Array.isArray(data?.errors) ? data.errors : undefined;
  if (!list || list.length === 0) return undefined;
  const types = list.map((e) => (e as { type?: unknown } | null)?.type);
  const retryable = list.some((e) => {
    const { type, message } = (e ?? {}) as { type?: unknown; message?: unknown };
    if (typeof type === 'string') return retryableGraphQLTypes.has(type);
    return typeof message === 'string' && /something went wrong|timed? ?out/i.test(message);
  });
  const first = types.find((type): type is string => typeof type === 'string');
  const status = first === undefined ? undefined : graphQLStatus[first];
  return new UpstreamError(error.message, {
    service: 'GitHub',
    retryable,
    ...(status !== undefined ? { status } : {}),
    cause: error,
  });
}

/** The `type`s of a GraphQL answer's errors (e.g. `STALE_DATA`), typed or not yet typed. */
export function graphqlErrorTypes(error: unknown): string[] {
  const source = error instanceof UpstreamError ? error.cause : error;
  const { errors } = (source ?? {}) as { errors?: unknown };
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((entry) => {
    const type = (entry as { type?: unknown } | null)?.type;
    return typeof type === 'string' ? [type] : [];
  });
}

/**
 * GitHub's retryable answers: 5xx, 429, and a 403 that is a rate limit (primary: `x-ratelimit-remaining: 0`;
 * secondary: GitHub says so only in the message, which is how Octokit's throttling plugin tells it too).
 */
export function isRetryableStatus(status: number, message: string, headers?: unknown): boolean {
  if (status >= 500 || status === 429) return true;
  if (status !== 403) return false;
  const remaining = (headers as Record<string, unknown> | undefined)?.['x-ratelimit-remaining'];
  return remaining === '0' || /rate limit/i.test(message);
}

/** Node's fetch (undici) and sockets: the request never got an answer. */
const networkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

function isNetworkFailure(error: Error): boolean {
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && networkCodes.has(code)) return true;
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return true;
  // undici's one error for every network failure: `TypeError: fetch failed`, the reason in `cause`.
  return error.name === 'TypeError' && error.message === 'fetch failed';
}

/**
 * What the operator should do about an error that reached the log, as fields of its log line: which family and
 * service, the status, whether the queue retries it, and the next step (constant text, so it can be searched).
 */
export interface OperatorReport {
  errorType: string;
  retryable: boolean;
  next: string;
  service?: Service;
  status?: number;
}

export function reportForOperator(error: unknown): OperatorReport {
  const errorType = error instanceof Error ? error.name : typeof error;
  if (error instanceof UserInputError) return { errorType, retryable: false, next: nextSteps.userInput };
  if (error instanceof SetupError) return { errorType, retryable: false, next: nextSteps.setup };
  if (error instanceof InvariantError) return { errorType, retryable: false, next: nextSteps.bug };
  const upstream = toUpstreamError(error);
  if (!upstream) return { errorType, retryable: false, next: nextSteps.unexpected };
  return {
    errorType,
    retryable: upstream.retryable,
    next: nextStepUpstream(upstream),
    service: upstream.service,
    ...(upstream.status !== undefined ? { status: upstream.status } : {}),
  };
}

const nextSteps = {
  userInput: 'nothing to do: the input is wrong and the user was told what to fix',
  setup: 'fix the setup as the error says; the next event runs with it',
  bug: 'a bug in kuma-api-forge: report it with this log line',
  unexpected: 'an unexpected error: report it with this log line',
  retry: 'the queue retries it; if it keeps failing, check the service status and the rate limit',
  githubAuth:
    "GitHub refused the App's credentials: check GITHUB_APP_ID and the private key (or its SSM parameter)",
  githubDenied:
    'GitHub refused the request: check that the App is installed on the repository with the permissions its manifest asks for',
  githubGone:
    'GitHub does not have it (deleted, or the App cannot see it): nothing to do unless it should exist',
  githubOther: 'GitHub rejected the request: report it with this log line',
  sqs: "SQS refused the message: check QUEUE_URL and the function's permission to send to the queue",
  ssm: "SSM refused the read: check the *_PARAM parameter exists and the function's permission to read and decrypt it",
  oasdiff:
    'the breaking-change diff failed and the check run says so; if the binary is missing, check the package',
} as const;

function nextStepUpstream(error: UpstreamError): string {
  if (error.retryable) return nextSteps.retry;
  switch (error.service) {
    case 'GitHub':
      if (error.status === 401) return nextSteps.githubAuth;
      if (error.status === 403) return nextSteps.githubDenied;
      if (error.status === 404) return nextSteps.githubGone;
      return nextSteps.githubOther;
    case 'SQS':
      return nextSteps.sqs;
    case 'SSM':
      return nextSteps.ssm;
    case 'oasdiff':
      return nextSteps.oasdiff;
  }
}

/** `Name: message` of an error, for a log line or the terminal. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The fields of a failure's log line: the error, its family, and what the operator should do next. */
export function failureFields(error: unknown): Record<string, unknown> {
  return { error: describeError(error), ...reportForOperator(error) };
}
