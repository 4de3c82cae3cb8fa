/**
 * GitHub's documented rate limits and a per-call latency for the local GitHub, opt-in (`LocalGitHubOptions.limits`)
 * so that the App's own throttling and retry code meets the answers GitHub would send:
 *
 * - secondary limits, per identity (an installation, or the App with its JWT): at most 80 content-generating
 *   requests (REST POST/PATCH/PUT/DELETE, GraphQL mutations) a minute and 500 an hour, and at most 100 requests
 *   in flight at once (REST and GraphQL together). Over one: 403 (or 429) with GitHub's "You have exceeded a
 *   secondary rate limit" message and `retry-after` in seconds;
 * - the primary rate, per installation and hour (5,000 by default; REST `core` and GraphQL counted apart, one
 *   point per GraphQL request): over it, REST answers 403 (or 429) with `x-ratelimit-remaining: 0` and
 *   `x-ratelimit-reset`, GraphQL a 200 whose error has `type: RATE_LIMITED`, as GitHub does.
 *
 * Windows and latency run on a `SimClock`, which a scale model speeds up: a minute of GitHub's time can pass in a
 * second. Octokit computes its wait from `x-ratelimit-reset` against the wall clock and multiplies `retry-after`
 * by its own wait unit, so the reset is sent as the wall-clock second at which the simulated reset falls, and a
 * client whose wait unit is `1000 / scale` ms waits the simulated time GitHub asks for.
 * @module
 */
import { parse } from 'graphql';
import { seeded } from './faults.js';
import { HttpError, type Reply } from './http.js';

/** Time as the limits see it, in milliseconds. */
export interface SimClock {
  now(): number;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

export const wallClock: SimClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A clock that runs `scale` times faster than the wall clock, starting at `start` (default: now). */
export function scaledClock(scale: number, start = Date.now()): SimClock & { scale: number } {
  if (!(scale > 0)) throw new Error(`clock scale must be positive, got ${scale}`);
  const origin = performance.now();
  return {
    scale,
    now: () => start + (performance.now() - origin) * scale,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / scale))),
  };
}

export interface LimitsOptions {
  clock?: SimClock;
  /** Content-generating requests per identity and minute (default 80). */
  contentPerMinute?: number;
  /** … and per hour (default 500). */
  contentPerHour?: number;
  /** Requests in flight per identity (default 100). */
  concurrent?: number;
  /** Primary rate per installation and hour (default 5,000, an installation's floor on github.com). */
  primaryPerHour?: number;
  /** GitHub documents 403 or 429 for both limits (default 403, what its REST API mostly sends). */
  status?: 403 | 429;
  /** Added to every call, uniformly between min and max, in the clock's milliseconds (default none). */
  latencyMs?: { min: number; max: number };
  /** Seeds the latency's jitter (default 1), so a run replays. */
  seed?: number;
}

/** One call the limits saw, in arrival order. */
export interface LimitedCall {
  /** Clock time of arrival. */
  at: number;
  identity: string;
  contentGenerating: boolean;
  /** Why it was refused, if it was. */
  refused?: 'secondary-rate' | 'concurrency' | 'primary-rate';
}

export interface CallInfo {
  /** `installation:ID` or `app:ID`. */
  identity: string;
  /** The installation whose primary rate the call spends (none for the App's own JWT calls). */
  installationId?: number;
  contentGenerating: boolean;
  resource: 'core' | 'graphql';
}

export interface Admission {
  /** The answer GitHub would send instead, when a limit refused the call. */
  refusal?: LimitRefusal;
  /** `x-ratelimit-*` of the call's installation (empty for JWT calls). */
  headers: Record<string, string>;
  /** Ends the call: waits the latency, then frees its place among the identity's concurrent requests. */
  leave(): Promise<void>;
}

export interface GitHubLimits {
  readonly clock: SimClock;
  /** Every call seen, in arrival order. */
  readonly calls: LimitedCall[];
  enter(call: CallInfo): Admission;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
export const SECONDARY_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.';

/** Whether a GraphQL request body is a mutation (content-generating); an unparsable one is not. */
export function isGraphQLMutation(body: { query?: unknown; operationName?: unknown }): boolean {
  if (typeof body.query !== 'string') return false;
  try {
    const operations = parse(body.query).definitions.filter((d) => d.kind === 'OperationDefinition');
    const chosen =
      operations.find((o) => o.name?.value === body.operationName) ??
      (operations.length === 1 ? operations[0] : undefined);
    return chosen?.operation === 'mutation';
  } catch {
    return false;
  }
}

export function createLimits(options: LimitsOptions = {}): GitHubLimits {
  const clock = options.clock ?? wallClock;
  const perMinute = options.contentPerMinute ?? 80;
  const perHour = options.contentPerHour ?? 500;
  const concurrent = options.concurrent ?? 100;
  const primary = options.primaryPerHour ?? 5000;
  const status = options.status ?? 403;
  const random = seeded(options.seed ?? 1);
  const calls: LimitedCall[] = [];
  /** Times of each identity's admitted content-generating calls within the last hour, oldest first. */
  const writes = new Map<string, number[]>();
  const inFlight = new Map<string, number>();
  /** Each installation's primary window per resource: when it resets and how much of it was used. */
  const windows = new Map<string, { reset: number; used: number }>();

  const latency = () => {
    const range = options.latencyMs;
    return range ? range.min + random() * Math.max(0, range.max - range.min) : 0;
  };
  /** A clock time as the wall-clock epoch second Octokit compares with `Date.now()`. */
  const wallSeconds = (at: number) => Math.ceil((Date.now() + (at - clock.now())) / 1000);

  /** The primary window: its `x-ratelimit-*` headers, and whether the call is over it. */
  const spendPrimary = (call: CallInfo, now: number) => {
    const key = `${call.installationId}:${call.resource}`;
    let window = windows.get(key);
    if (!window || window.reset <= now) {
      window = { reset: now + HOUR, used: 0 };
      windows.set(key, window);
    }
    const over = window.used >= primary;
    if (!over) window.used += 1;
    const headers = {
      'x-ratelimit-limit': String(primary),
      'x-ratelimit-remaining': String(primary - window.used),
      'x-ratelimit-used': String(window.used),
      'x-ratelimit-reset': String(wallSeconds(window.reset)),
      'x-ratelimit-resource': call.resource,
    };
    return { headers, over };
  };

  /** How long until the identity may send another content-generating call (0: now, and it is counted). */
  const spendContent = (identity: string, now: number): number => {
    const times = (writes.get(identity) ?? []).filter((t) => now - t < HOUR);
    writes.set(identity, times);
    const lastMinute = times.filter((t) => now - t < MINUTE);
    if (lastMinute.length >= perMinute) return lastMinute[lastMinute.length - perMinute]! + MINUTE - now;
    if (times.length >= perHour) return times[times.length - perHour]! + HOUR - now;
    times.push(now);
    return 0;
  };

  const secondary = (limit: 'secondary-rate' | 'concurrency', retryAfterMs: number) =>
    new LimitRefusal(limit, {
      status,
      body: { message: SECONDARY_MESSAGE, documentation_url: SECONDARY_DOCS, status: String(status) },
      headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
    });

  return {
    clock,
    calls,
    enter(call) {
      const now = clock.now();
      let headers: Record<string, string> = {};
      let refusal: LimitRefusal | undefined;
      if (call.installationId !== undefined) {
        const spent = spendPrimary(call, now);
        headers = spent.headers;
        if (spent.over) refusal = primaryRefusal(call, status, headers);
      }
      const flying = inFlight.get(call.identity) ?? 0;
      // GitHub does not say when a place frees up: retry after a second.
      if (!refusal && flying >= concurrent) refusal = secondary('concurrency', 1000);
      if (!refusal && call.contentGenerating) {
        const wait = spendContent(call.identity, now);
        if (wait > 0) refusal = secondary('secondary-rate', wait);
      }
      calls.push({
        at: now,
        identity: call.identity,
        contentGenerating: call.contentGenerating,
        ...(refusal ? { refused: refusal.limit } : {}),
      });
      inFlight.set(call.identity, flying + 1);
      const wait = latency();
      return {
        ...(refusal ? { refusal } : {}),
        headers,
        async leave() {
          if (wait > 0) await clock.sleep(wait);
          inFlight.set(call.identity, (inFlight.get(call.identity) ?? 1) - 1);
        },
      };
    },
  };
}

const SECONDARY_DOCS =
  'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';

function primaryRefusal(call: CallInfo, status: number, headers: Record<string, string>): LimitRefusal {
  const message = `API rate limit exceeded for installation ID ${call.installationId}.`;
  // GraphQL answers a primary limit with a 200 and a RATE_LIMITED error; REST with 403/429.
  return new LimitRefusal(
    'primary-rate',
    call.resource === 'graphql'
      ? { status: 200, body: { errors: [{ type: 'RATE_LIMITED', message }] }, headers }
      : {
          status,
          body: {
            message,
            documentation_url:
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits',
            status: String(status),
          },
          headers,
        },
  );
}

/** A call a limit refused: thrown by the routes, whose error path answers `reply` as it is. */
export class LimitRefusal extends HttpError {
  constructor(
    readonly limit: NonNullable<LimitedCall['refused']>,
    readonly reply: Reply,
  ) {
    super(reply.status, (reply.body as { message?: string }).message ?? limit, {}, reply.headers);
  }
}
