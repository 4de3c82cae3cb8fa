/**
 * The platform's limits (governance/limits.yaml) against one API as the gateway would get it: every exposed
 * operation's effective x-kuma (after inheritance from the repo config's defaults, the spec's root, path item
 * and operation: the renderer's own `prepareApi`, so no level or `$ref` can hide a value from the check) and
 * its effective security requirement. Disabled operations are not exposed and not checked.
 * Pure; each violation is a finding of kind `governance` on the line the value (or the operation) is written.
 * @module
 */
import { locateRootSetting } from '../deploy/tenancy-locator.js';
import type { Finding, SourcePosition } from '../findings.js';
import { parseDuration } from '../kuma/render/duration.js';
import type { ApiConfig, XKumaRoot, XKumaRoute } from '../kuma/render/index.js';
import { prepareApi } from '../kuma/render/prepare-api.js';
import type { RenderedOperation } from '../kuma/render/render-operation.js';
import { getAtPointer } from '../spec/json-pointer.js';
import type { LoadedSpec, SourceFile } from '../spec/types.js';
import { governanceLimitsFile, type ScopedLimits, type TagScope } from './governance.js';

/** One API of a repo as it renders: what the governance checks need of `RenderedRepoApi`. */
export interface GovernedApi {
  name: string;
  spec: LoadedSpec;
  /** The API as rendered (overrides and defaults of its entry applied). */
  api: ApiConfig;
  /** The repo config's `defaults` the API was rendered with. */
  defaults?: XKumaRoot;
  configIndex?: number;
  configFile?: SourceFile;
}

export function checkLimits(governed: GovernedApi, scoped: ScopedLimits): Finding[] {
  const prepared = prepareApi({
    spec: governed.spec,
    api: governed.api,
    ...(governed.defaults ? { defaults: governed.defaults } : {}),
  });
  if (!prepared) return [];
  const { limits } = scoped;
  const rule = `${governanceLimitsFile} ${scoped.scope}`;
  const findings: Finding[] = [];
  const report = (id: string, at: SourcePosition, message: string, operation?: string) =>
    findings.push({
      kind: 'governance',
      id,
      severity: 'error',
      message: `platform rule (${rule}): ${message}`,
      ...at,
      ...(operation ? { operation } : {}),
    });

  for (const op of prepared.operations) {
    const at = (key: keyof XKumaRoute) => locateSetting(governed, op, key);
    const { settings } = op;
    const atOperation = governed.spec.locate(op.pointer);
    if (limits.maxTimeout !== undefined) {
      const over = exceeds(settings.timeout, limits.maxTimeout);
      if (over)
        report(
          'platform-max-timeout',
          at('timeout'),
          `${op.label} sets timeout ${settings.timeout}, over the platform's maximum of ${limits.maxTimeout}`,
          op.label,
        );
    }
    if (limits.maxIdleTimeout !== undefined && exceeds(settings.idleTimeout, limits.maxIdleTimeout)) {
      report(
        'platform-max-idle-timeout',
        at('idleTimeout'),
        `${op.label} sets idleTimeout ${settings.idleTimeout}, over the platform's maximum of ${limits.maxIdleTimeout}`,
        op.label,
      );
    }
    const attempts = settings.retries?.attempts;
    if (limits.maxRetries !== undefined && typeof attempts === 'number' && attempts > limits.maxRetries) {
      report(
        'platform-max-retries',
        at('retries'),
        `${op.label} retries ${attempts} times, over the platform's maximum of ${limits.maxRetries}`,
        op.label,
      );
    }
    const tags = operationTags(prepared.bundle, op.pointer);
    if (inScope(limits.requireRateLimit, tags) && settings.rateLimit === undefined) {
      report(
        'platform-rate-limit-required',
        atOperation,
        `${op.label} has no rate limit (x-kuma rateLimit); the platform requires one${scopeWords(limits.requireRateLimit)}`,
        op.label,
      );
    }
    const rate = settings.rateLimit;
    if (limits.maxRateLimit && rate && tooFast(rate, limits.maxRateLimit)) {
      const max = limits.maxRateLimit;
      report(
        'platform-max-rate-limit',
        at('rateLimit'),
        `${op.label} allows ${rate.requests} requests per ${rate.interval}, more than the platform's maximum of ${max.requests} per ${max.interval}`,
        op.label,
      );
    }
    if (inScope(limits.requireAuth, tags) && !requiresAuth(op.security)) {
      report(
        'platform-auth-required',
        atOperation,
        `${op.label} can be called without authentication (no security requirement, or an empty {} alternative); the platform requires auth${scopeWords(limits.requireAuth)}`,
        op.label,
      );
    }
  }

  if (limits.jwksHosts) {
    for (const [name, provider] of Object.entries(prepared.root.auth ?? {})) {
      for (const field of ['issuer', 'jwksUri'] as const) {
        const url = provider?.[field];
        if (typeof url !== 'string' || hostAllowed(url, limits.jwksHosts)) continue;
        const at = governed.configFile
          ? locateRootSetting(governed, governed.configFile, 'auth')
          : governed.spec.locate('/x-kuma/auth');
        const inSpec = getAtPointer(prepared.bundle, `/x-kuma/auth/${name}/${field}`) !== undefined;
        report(
          'platform-jwks-host',
          inSpec ? governed.spec.locate(`/x-kuma/auth/${name}/${field}`) : at,
          `JWT provider ${name}: ${field} ${url} is not on a host the platform allows (https and one of ${limits.jwksHosts.join(', ')})`,
        );
      }
    }
  }
  return findings;
}

/** Where an operation's effective key is written: its x-kuma block in the spec, else the repo config. */
function locateSetting(governed: GovernedApi, op: RenderedOperation, key: keyof XKumaRoute): SourcePosition {
  const origin = op.origins[key];
  if (origin !== undefined) return governed.spec.locate(origin);
  if (governed.configFile) return locateRootSetting(governed, governed.configFile, key);
  return governed.spec.locate(op.pointer);
}

function exceeds(value: string | undefined, max: string): boolean {
  if (value === undefined) return false;
  const ms = parseDuration(value);
  const limit = parseDuration(max);
  // An unparsable value is the x-kuma validation's finding; a bound the schema accepted always parses.
  return ms !== undefined && limit !== undefined && ms > limit;
}

/** Whether `rate` allows more requests per unit of time than `max`. */
function tooFast(
  rate: NonNullable<XKumaRoute['rateLimit']>,
  max: { requests: number; interval: string },
): boolean {
  const interval = parseDuration(rate.interval);
  const maxInterval = parseDuration(max.interval);
  if (!interval || !maxInterval) return false;
  // rate.requests / interval > max.requests / maxInterval, without dividing.
  return rate.requests * maxInterval > max.requests * interval;
}

function operationTags(bundle: Record<string, unknown>, pointer: string): string[] {
  const tags = (getAtPointer(bundle, pointer) as { tags?: unknown } | undefined)?.tags;
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

function inScope(scope: TagScope | undefined, tags: readonly string[]): boolean {
  if (scope === undefined) return false;
  return scope === true || scope.tags.some((tag) => tags.includes(tag));
}

function scopeWords(scope: TagScope | undefined): string {
  return scope === undefined || scope === true
    ? ' on every operation'
    : ` on operations tagged ${scope.tags.join(', ')}`;
}

/** A security requirement list that every caller must satisfy: non-empty, and no `{}` (anonymous) entry. */
function requiresAuth(security: unknown): boolean {
  if (!Array.isArray(security) || security.length === 0) return false;
  return security.every(
    (requirement) =>
      typeof requirement === 'object' && requirement !== null && Object.keys(requirement).length > 0,
  );
}

function hostAllowed(text: string, allowed: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  const host = url.hostname.toLowerCase();
  return allowed.some((pattern) =>
    pattern.startsWith('*.')
      ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1
      : host === pattern,
  );
}
