/** One reason why Kuma (its CRD schema or its admission webhook) would reject a rendered resource. */
export interface KumaProblem {
  /** `Kind/name` of the resource. */
  resource: string;
  /** Where in the resource, e.g. `spec.to[0].rules[3].matches[0]`. */
  path: string;
  message: string;
  /** Which check, e.g. `crd-schema`, `rate-limit-interval`, `target-ref-kind`. */
  rule: string;
}

/** Collects the problems of one resource; checks call it with a path relative to the resource. */
export type Report = (path: string, message: string, rule: string) => void;

/** Appends a field name or an array index to a dotted path: `spec.to` + 0 → `spec.to[0]`. */
export function joinPath(base: string, ...segments: (string | number)[]): string {
  let path = base;
  for (const segment of segments) {
    path = typeof segment === 'number' ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment;
  }
  return path;
}

export type Json = Record<string, unknown>;

/** The value as a plain object, or undefined (schema checks report wrong types; rules just skip them). */
export function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
