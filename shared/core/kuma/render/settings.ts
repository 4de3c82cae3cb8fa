/**
 * Inheritance of `x-kuma`: operation > path item > root > API defaults > repo defaults. Each key is inherited
 * on its own; a key set at a lower level replaces the inherited value as a whole (objects are not deep-merged),
 * so what an operation gets is always visible in one place.
 * @module
 */
import { isObject } from './resolve-ref.js';
import type { XKumaRoot, XKumaRoute } from './types.js';

export const routeKeys = [
  'disabled',
  'timeout',
  'idleTimeout',
  'retries',
  'rateLimit',
  'faultInjection',
  'requestHeaders',
  'responseHeaders',
  'weights',
  'route',
  'cors',
] as const satisfies readonly (keyof XKumaRoute)[];

/** One level of settings and where it came from (a bundle pointer, or undefined for the repo config). */
export interface SettingsLevel {
  value: unknown;
  pointer?: string;
}

export interface EffectiveSettings {
  settings: XKumaRoute;
  /** Bundle pointer of the x-kuma block each key came from (absent: from the repo config). */
  origins: Partial<Record<keyof XKumaRoute, string>>;
}

/** Levels from lowest to highest precedence; non-object levels (invalid blocks) are skipped. */
export function resolveSettings(levels: SettingsLevel[]): EffectiveSettings {
  const settings: Record<string, unknown> = {};
  const origins: Partial<Record<keyof XKumaRoute, string>> = {};
  for (const level of levels) {
    if (!isObject(level.value)) continue;
    for (const key of routeKeys) {
      if (level.value[key] === undefined) continue;
      settings[key] = level.value[key];
      if (level.pointer === undefined) delete origins[key];
      else origins[key] = `${level.pointer}/${key}`;
    }
  }
  return { settings: settings as XKumaRoute, origins };
}

/** Gateway- and backend-wide keys come from the root block over the config defaults (same replace rule). */
export function resolveRootSettings(levels: unknown[]): XKumaRoot {
  const merged: Record<string, unknown> = {};
  for (const level of levels) if (isObject(level)) Object.assign(merged, level);
  return merged as XKumaRoot;
}
