/**
 * Stable Kubernetes/Kuma names: DNS-1123 labels of at most 63 characters. A name that is too long is cut and
 * gets a hash of the full name, so it stays unique and the same for the same input.
 * @module
 */
import { createHash } from 'node:crypto';

const maxLength = 63;
const hashLength = 8;

/** `getUserById` → `get-user-by-id`; anything outside `[a-z0-9]` becomes a single `-`. */
export function buildSlug(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Joins the slugs of `parts` with `-`; longer than 63 → first 54 characters + `-` + 8 hex of a SHA-256. */
export function buildName(...parts: string[]): string {
  const full = parts.map(buildSlug).filter(Boolean).join('-') || 'unnamed';
  if (full.length <= maxLength) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, hashLength);
  const head = full.slice(0, maxLength - hashLength - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}
