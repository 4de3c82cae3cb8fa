/**
 * A breaking change passes the gate when `info.version` says so: a new major version.
 * @module
 */

// `1`, `1.2`, `1.2.3`, and a pre-release/build suffix only after a full `1.2.3` (so `2024-01-01` is not semver).
const semverish = /^v?(\d+)(?:\.(\d+)(?:\.\d+(?:[-+][0-9A-Za-z.+-]*)?)?)?$/i;

/**
 * True when `headVersion` has a higher major version than `baseVersion` (`v` prefixes, `1`/`1.2` and
 * pre-release or build suffixes tolerated). In `0.x`, a minor bump counts as major, as semver allows anything
 * to change there. Anything that is not semver-ish, on either side, is false.
 */
export function isMajorBump(baseVersion: string | undefined, headVersion: string | undefined): boolean {
  const base = parseVersion(baseVersion);
  const head = parseVersion(headVersion);
  if (!base || !head) return false;
  if (head.major !== base.major) return head.major > base.major;
  return base.major === 0 && head.minor > base.minor;
}

function parseVersion(version: string | undefined): { major: number; minor: number } | undefined {
  const match = semverish.exec(version?.trim() ?? '');
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2] ?? 0) };
}
