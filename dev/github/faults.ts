/**
 * Deterministic fault injection: a seeded generator decides which calls fail, so a failing run replays.
 * @module
 */
import { HttpError } from './http.js';

export interface FaultRule {
  /**
   * `server-error`: 5xx; `secondary-rate-limit`: 403 with `retry-after`; `not-fast-forward`: 422 on ref updates,
   * and a stale `expectedHeadOid` for GraphQL's `createCommitOnBranch`.
   */
  kind: 'server-error' | 'secondary-rate-limit' | 'not-fast-forward';
  /**
   * operationIds this rule applies to (default: all; `not-fast-forward` only ever hits `git/update-ref` and
   * `graphql/create-commit-on-branch`). A GraphQL request is `graphql`, or by its operation's name
   * `graphql:<Name>` (e.g. `graphql:DeployCommit`).
   */
  operations?: string[];
  /** Probability per matching call, 0..1 (default 1). */
  share?: number;
  /** Inject at most this many times. */
  times?: number;
  /** Skip this many matching calls before injecting (e.g. fail only the second token request). */
  after?: number;
  /** For `server-error` (default 502). */
  status?: number;
  /** For `secondary-rate-limit`, seconds (default 1). */
  retryAfter?: number;
}

export interface FaultPlan {
  seed?: number;
  rules: FaultRule[];
}

/** mulberry32: tiny, seedable, good enough to spread faults. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultInjector {
  /**
   * The error to answer instead of the real one, or undefined to let the call through; `aliases` are other
   * names of the same call (a GraphQL request's operation name), matched like its operationId.
   */
  pick(operationId: string, ...aliases: string[]): HttpError | undefined;
  /** How many faults of each kind were injected so far. */
  readonly injected: Record<FaultRule['kind'], number>;
}

/** The operations that move a branch only from an expected head. */
const compareAndSwaps = ['git/update-ref', 'graphql/create-commit-on-branch'];

export function createFaultInjector(plan: FaultPlan | undefined): FaultInjector {
  const random = seeded(plan?.seed ?? 1);
  const rules = (plan?.rules ?? []).map((rule) => ({ rule, seen: 0, fired: 0 }));
  const injected = { 'server-error': 0, 'secondary-rate-limit': 0, 'not-fast-forward': 0 };
  return {
    injected,
    pick(operationId, ...aliases) {
      const names = [operationId, ...aliases];
      for (const entry of rules) {
        const { rule } = entry;
        const operations = rule.kind === 'not-fast-forward' ? compareAndSwaps : rule.operations;
        if (operations && !names.some((name) => operations.includes(name))) continue;
        if (rule.kind === 'not-fast-forward' && rule.operations && !rule.operations.includes(operationId))
          continue;
        entry.seen += 1;
        if (entry.seen <= (rule.after ?? 0)) continue;
        if (rule.times !== undefined && entry.fired >= rule.times) continue;
        if (random() >= (rule.share ?? 1)) continue;
        entry.fired += 1;
        injected[rule.kind] += 1;
        return faultError(rule);
      }
      return undefined;
    },
  };
}

function faultError(rule: FaultRule): HttpError {
  switch (rule.kind) {
    case 'server-error':
      return new HttpError(rule.status ?? 502, 'Server Error', { status: String(rule.status ?? 502) });
    case 'secondary-rate-limit':
      return new HttpError(
        403,
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
        { status: '403' },
        { 'retry-after': String(rule.retryAfter ?? 1) },
      );
    case 'not-fast-forward':
      return new HttpError(422, 'Update is not a fast forward', { status: '422' });
  }
}
