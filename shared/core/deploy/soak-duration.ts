/**
 * The duration of a time promotion's soak (`promote: {after: "24h"}`): one whole number and a unit, minutes,
 * hours or days, within bounds that mean something for a sweep that runs every few minutes.
 * @module
 */

const durationPattern = /^([1-9]\d{0,5})([mhd])$/;
const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Shorter than the sweep's period means nothing; longer than a quarter is a release train, not a soak. */
export const minSoakMs = 5 * unitMs.m;
export const maxSoakMs = 90 * unitMs.d;

/** The duration in milliseconds, or undefined when it is not one within the bounds (5m … 90d). */
export function parseSoakDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = durationPattern.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
  return ms >= minSoakMs && ms <= maxSoakMs ? ms : undefined;
}
